/**
 * The node's HTTP API (fastify): JSON schema on every route, an OpenAPI document at /openapi.json
 * (browsable at /docs), stable error codes in every 4xx/5xx body: `{ error: { code, message } }`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import type { ApiBackend, NodeEvent } from '../../protocol/api.js';
import { ChainError, chainErrorHttpStatus } from '../../protocol/chain/errors.js';
import type { Logger } from '../log.js';
import { streamActorEvents } from '../notify/sse.js';
import { closeConnectionsOnClose } from './close.js';
import { eventRefs, eventSchemas } from './event-schemas.js';
import { answerUnsupportedExpect, apiError, clientErrorHandler, refuseNonFiniteNumbers } from './guards.js';
import type { HttpOptions } from './options.js';
import * as S from './schemas.js';
import {
  refuseWritesWhileDiskFull,
  sampleEventLoopLag,
  shedWhenOverloaded,
  shedWhileLagging,
} from './shed.js';
import { txsFromBody } from './tx-body.js';

/** Builds the fastify app; `listen` is the caller's (the node) so tests can use an ephemeral port. */
export async function createHttpServer(
  backend: ApiBackend,
  opts: HttpOptions,
  log: Logger,
  extend?: (app: FastifyInstance) => Promise<void>,
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: pino's child() runs the root logger's redaction over its bindings,
    // per request, for a logger no handler uses (request logging is off; handlers log through `log`).
    childLoggerFactory: (logger) => logger,
    // Unknown fields are refused (400), not silently dropped, and a scalar is not wrapped into a list
    // (fastify's defaults do both); path and query strings are still coerced to their types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
    // Errors fastify raises before routing (a malformed %-escape in the path) get our error format too.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).status(400).send(apiError('bad_request', err.message));
    },
    // ...and so do requests Node's HTTP parser refuses before fastify sees them.
    clientErrorHandler,
  });
  // Connections past the cap are closed on accept: the cheapest refusal there is (options.ts).
  app.server.maxConnections = opts.maxConnections;
  answerUnsupportedExpect(app);
  closeConnectionsOnClose(app);
  refuseWritesWhileDiskFull(app, () => backend.diskFull?.() === true, opts.retryAfterSeconds);
  refuseNonFiniteNumbers(app);

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, body);
  });

  // Load shedding for the routes that take work in (submissions here, blob uploads in records/routes):
  // the event loop delay is sampled every 200 ms; while it is over the limit those routes' handler
  // (shed.ts) refuses, every other request, reads included, goes through.
  if (opts.maxEventLoopDelayMs > 0)
    shedWhileLagging(app, sampleEventLoopLag(app, 200), opts.maxEventLoopDelayMs);
  const shed = shedWhenOverloaded(opts.retryAfterSeconds);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'ehrchain node API',
        version: '1',
        description: 'Submit signed transactions, read blocks, receipts and status, follow events.',
      },
      // The SSE events' data (GET /v1/events' x-events points to them).
      components: { schemas: { ...eventSchemas } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ChainError) {
      const status = chainErrorHttpStatus[err.code];
      if (status === 503) reply.header('retry-after', String(opts.retryAfterSeconds));
      return reply.status(status).send(apiError(err.code, err.message));
    }
    if (err.validation !== undefined) return reply.status(400).send(apiError('bad_request', err.message));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.status(413).send(apiError('too_large', err.message));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(apiError('unsupported_media_type', err.message));
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply.status(400).send(apiError('bad_encoding', err.message));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(apiError('bad_request', err.message));
    }
    log.error({ err }, 'unexpected error in HTTP handler');
    return reply.status(500).send(apiError('internal', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(apiError('not_found', `no route ${req.method} ${req.url}`));
  });

  app.post('/v1/tx', { schema: S.submitTx, config: shed }, async (req, reply) => {
    const body: unknown = req.body;
    let bytes: Uint8Array;
    if (Buffer.isBuffer(body)) bytes = new Uint8Array(body);
    else if (typeof body === 'object' && body !== null && typeof (body as { tx?: unknown }).tx === 'string') {
      bytes = new Uint8Array(Buffer.from((body as { tx: string }).tx, 'hex'));
    } else {
      const msg = 'send the signed tx as application/octet-stream or JSON {"tx": "<hex>"}';
      return reply.status(415).send(apiError('unsupported_media_type', msg));
    }
    const hash = await backend.submitTx(bytes);
    return reply.status(202).send({ hash });
  });

  app.post(
    '/v1/txs',
    { schema: S.submitTxs, bodyLimit: opts.batchBodyLimit, config: shed },
    async (req, reply) => {
      const txs = txsFromBody(req.body, opts.maxBatchTxs);
      if (txs === null) {
        const msg =
          'send the batch as application/octet-stream (docs/transactions.md) or JSON {"txs": ["<hex>"]}';
        return reply.status(415).send(apiError('unsupported_media_type', msg));
      }
      if (txs.length === 0) return reply.status(400).send(apiError('bad_request', 'the batch is empty'));
      const results = await backend.submitTxs(txs);
      const accepted = results.filter((r) => !('error' in r)).length;
      // Nothing taken only because the mempool is full: the same 503 as a single submission.
      if (accepted === 0 && results.every((r) => 'error' in r && r.error.code === 'mempool_full')) {
        reply.header('retry-after', String(opts.retryAfterSeconds));
        return reply.status(503).send(apiError('mempool_full', 'mempool full: retry later'));
      }
      return reply.status(202).send({ accepted, rejected: results.length - accepted, results });
    },
  );

  app.get('/v1/tx/:hash', { schema: S.getTx }, async (req, reply) => {
    const { hash } = req.params as { hash: string };
    const tx = await backend.getTx(hash.toLowerCase());
    if (tx === null) return reply.status(404).send(apiError('not_found', `no tx ${hash}`));
    return tx;
  });

  app.get('/v1/blocks/:height', { schema: S.getBlock }, async (req, reply) => {
    const { height } = req.params as { height: number };
    const block = await backend.getBlock(height);
    if (block === null) return reply.status(404).send(apiError('not_found', `no block at height ${height}`));
    return block;
  });

  app.get('/v1/blocks/:height/raw', { schema: S.getBlockRaw }, async (req, reply) => {
    const { height } = req.params as { height: number };
    const bytes = await backend.getBlockBytes(height);
    if (bytes === null) return reply.status(404).send(apiError('not_found', `no block at height ${height}`));
    return reply.type('application/octet-stream').send(Buffer.from(bytes));
  });

  app.get('/v1/blocks', { schema: S.listBlocks }, async (req) => {
    const q = req.query as { from?: number; limit?: number };
    const limit = q.limit ?? 20;
    const head = backend.status().height;
    // Without `from`, the newest page: the last `limit` blocks.
    const from = q.from ?? Math.max(1, head - limit + 1);
    return { head, blocks: await backend.getBlocks(from, limit) };
  });

  app.get('/v1/accounts/:publicKey', { schema: S.account }, async (req) => {
    const { publicKey } = req.params as { publicKey: string };
    return backend.getAccount(publicKey.toLowerCase());
  });

  app.get('/v1/status', { schema: S.status }, async () => backend.status());

  app.get('/v1/query/:contract/:method', { schema: S.query }, async (req) => {
    const { contract, method } = req.params as { contract: string; method: string };
    const { args } = req.query as { args?: string };
    const parsed =
      args === undefined || args === ''
        ? []
        : args.split(',').map((a) => new Uint8Array(Buffer.from(a, 'hex')));
    return backend.query(contract, method, parsed);
  });

  app.get('/v1/events', { schema: { ...S.events, 'x-events': eventRefs } }, async (req, reply) => {
    const { receipts, actor, since } = req.query as { receipts?: boolean; actor?: string; since?: string };
    if (actor !== undefined) {
      // One actor's notifications (docs/notify.md), resumable with Last-Event-ID or ?since=.
      if (backend.actorEvents === undefined)
        return reply.status(404).send(apiError('not_found', 'this node keeps no actor events'));
      const last = req.headers['last-event-id'];
      const from = since ?? (typeof last === 'string' && last !== '' ? last : null);
      return streamActorEvents(backend.actorEvents, req, reply, actor.toLowerCase().split(','), from);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n\n`);
    // A block's events (block, then receipts) are emitted in one turn of the loop: corked until the
    // turn ends, they leave in one socket write, not one each (same bytes, same chunks).
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const send = (e: NodeEvent) => {
      if (e.type === 'receipts' && receipts !== true) return;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const unsubscribe = backend.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const m = await backend.metrics();
    return reply.header('content-type', m.contentType).send(m.body);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (extend !== undefined) await extend(app);
  await app.ready();
  return app;
}
