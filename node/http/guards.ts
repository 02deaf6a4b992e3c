/**
 * Refusals that fastify's schema validation and Node's HTTP parser do not give in the API's error
 * format: non-finite numbers in paths and query strings, and requests the HTTP parser refuses before
 * any route sees them (malformed, headers too large, an Expect header other than 100-continue).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The API's error body. */
export function apiError(code: string, message: string) {
  return { error: { code, message } };
}

interface NumberSchema {
  readonly properties?: Readonly<Record<string, { readonly type?: unknown }>>;
}

function numericKeys(schema: unknown): string[] {
  const props = (schema as NumberSchema | undefined)?.properties ?? {};
  return Object.keys(props).filter((k) => props[k]?.type === 'integer' || props[k]?.type === 'number');
}

/**
 * Ajv coerces "Infinity", "-Infinity" and "1e309" to non-finite numbers and then skips its range
 * checks (they apply to finite numbers only), so `?from=Infinity` reached the handler. Every path or
 * query value a route's schema types as a number must parse finite: a preValidation hook on each
 * route that has such a value (registered as routes are added, so the others, tx submissions
 * among them, run no hook for it).
 */
export function refuseNonFiniteNumbers(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const where: [string, 'params' | 'query', string][] = [
      ...numericKeys(route.schema?.params).map((k): [string, 'params', string] => ['params', 'params', k]),
      ...numericKeys(route.schema?.querystring).map((k): [string, 'query', string] => [
        'querystring',
        'query',
        k,
      ]),
    ];
    if (where.length === 0) return;
    const check = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      for (const [name, part, k] of where) {
        const values = req[part];
        if (values === null || typeof values !== 'object') continue;
        const v = (values as Record<string, unknown>)[k];
        if (typeof v === 'string' && !Number.isFinite(Number(v))) {
          void reply.status(400).send(apiError('bad_request', `${name}/${k} must be a finite integer`));
          return;
        }
      }
      done();
    };
    const own = route.preValidation;
    route.preValidation = own === undefined ? [check] : [check, ...(Array.isArray(own) ? own : [own])];
  });
}

const PARSER_CODES: Readonly<Record<number, readonly [string, string]>> = {
  400: ['bad_request', 'malformed HTTP request'],
  408: ['timeout', 'request took too long to arrive'],
  413: ['too_large', 'request too large'],
  414: ['too_large', 'request URL too long'],
  417: ['expectation_failed', 'only "Expect: 100-continue" is supported'],
  431: ['headers_too_large', 'request headers too large'],
};

function writeRawError(socket: Socket, status: number): void {
  const [code, message] = PARSER_CODES[status] ?? PARSER_CODES[400]!;
  const body = JSON.stringify(apiError(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's `clientErrorHandler`: a parser-level refusal with the API's error body. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : err.code === 'HPE_URI_TOO_LONG'
          ? 414
          : 400;
  writeRawError(socket, status);
}

/** Node answers an unsupported Expect header itself, with an empty 417; give it the API's body. */
export function answerUnsupportedExpect(app: FastifyInstance): void {
  app.server.on('checkExpectation', (_req, res) => {
    const body = JSON.stringify(apiError(...PARSER_CODES[417]!));
    res.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}
