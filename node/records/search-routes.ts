/**
 * HTTP routes of the searchable index (docs/records.md, docs/api.md), registered beside the blob
 * routes. Every write and the search carry a signed index request, base64url, in a JSON body
 * `{ "request": ... }` (protocol/records/index-request.ts):
 *   PUT  /v1/index/keys                    patient: its index key wrapped for readers
 *   GET  /v1/index/keys/:patient/:reader   the wrapped index key (ciphertext; public like wrappedKey)
 *   PUT  /v1/index/tokens                  author or patient: the tokens of an anchored version
 *   POST /v1/search                        reader: versions holding every token, consent-filtered
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { RecordError } from '../../protocol/records/errors.js';
import { MAX_INDEX_REQUEST_BYTES } from '../../protocol/records/index-request.js';
import { errors } from '../http/schemas.js';
import { IndexError, type SearchIndex } from './search.js';

/** HTTP status of each code the index answers. */
const STATUS: Readonly<Record<string, number>> = {
  bad_encoding: 400,
  too_large: 413,
  bad_signature: 401,
  stale_request: 401,
  replayed_request: 409,
  unknown_record: 404,
  not_found: 404,
  erased: 410,
  not_author: 403,
  not_patient: 403,
};

const maxChars = Math.ceil((MAX_INDEX_REQUEST_BYTES * 4) / 3);
const requestBody = {
  type: 'object',
  properties: {
    request: {
      type: 'string',
      pattern: `^[A-Za-z0-9_-]{1,${maxChars}}$`,
      description: 'A signed index request (docs/records.md), base64url without padding.',
    },
  },
  required: ['request'],
  additionalProperties: false,
} as const;
const hex32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const replicas = {
  type: 'integer',
  description: 'Validators that now hold it, this one included (pushed to every other validator).',
} as const;

function refuse(reply: FastifyReply, err: unknown): FastifyReply {
  if (!(err instanceof RecordError) && !(err instanceof IndexError)) throw err;
  const status = STATUS[err.code] ?? 400;
  return reply.status(status).send({ error: { code: err.code, message: err.message } });
}

const bodyBytes = (body: unknown): Uint8Array =>
  new Uint8Array(Buffer.from((body as { request: string }).request, 'base64url'));

/** Registers the index routes on `app`. */
export async function registerSearchRoutes(app: FastifyInstance, index: SearchIndex): Promise<void> {
  const bodyLimit = maxChars + 256;
  app.put(
    '/v1/index/keys',
    {
      bodyLimit,
      schema: {
        summary: "Publish a patient's index key wrapped for readers",
        description:
          'Signed by the patient (a registered patient). Replaces earlier keys of the same readers.',
        body: requestBody,
        response: {
          200: {
            type: 'object',
            properties: { patient: hex32, keys: { type: 'integer' }, replicas },
            required: ['patient', 'keys', 'replicas'],
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        return reply.send(await index.putKeys(bodyBytes(req.body)));
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );

  app.get(
    '/v1/index/keys/:patient/:reader',
    {
      schema: {
        summary: "A patient's index key wrapped for one reader",
        description: 'Ciphertext only a reader can open (X25519 wrap, as for data keys).',
        params: {
          type: 'object',
          properties: { patient: hex32, reader: hex32 },
          required: ['patient', 'reader'],
        },
        response: {
          200: {
            type: 'object',
            properties: { patient: hex32, reader: hex32, wrappedKey: { type: 'string' } },
            required: ['patient', 'reader', 'wrappedKey'],
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { patient, reader } = req.params as { patient: string; reader: string };
      try {
        const k = await index.getKey(fromHex(patient), fromHex(reader));
        return reply.send({ patient, reader, wrappedKey: toHex(k) });
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );

  app.put(
    '/v1/index/tokens',
    {
      bodyLimit,
      schema: {
        summary: 'Set the blind-index tokens of an anchored record version',
        description: "Signed by the version's author or its patient; replaces that version's tokens.",
        body: requestBody,
        response: {
          200: {
            type: 'object',
            properties: {
              recordId: hex32,
              version: { type: 'integer' },
              tokens: { type: 'integer' },
              replicas,
            },
            required: ['recordId', 'version', 'tokens', 'replicas'],
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        return reply.send(await index.putTokens(bodyBytes(req.body)));
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );

  app.post(
    '/v1/search',
    {
      bodyLimit,
      schema: {
        summary: "Search a patient's records by blind-index tokens",
        description:
          'Answers the versions holding every token that the signer may read now for the purpose (canAccess, as for a blob read); nothing else.',
        body: requestBody,
        response: {
          200: {
            type: 'object',
            properties: {
              patient: hex32,
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { recordId: hex32, version: { type: 'integer' }, cid: { type: 'string' } },
                  required: ['recordId', 'version', 'cid'],
                },
              },
              truncated: { type: 'boolean' },
            },
            required: ['patient', 'results', 'truncated'],
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        return reply.send(await index.search(bodyBytes(req.body)));
      } catch (err) {
        return refuse(reply, err);
      }
    },
  );
}
