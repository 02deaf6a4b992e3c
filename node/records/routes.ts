/**
 * HTTP routes of the records service, registered through createHttpServer's `extend` hook:
 *   PUT /v1/blobs        body: the blob (application/octet-stream); header x-ehr-request: a signed
 *                        upload request (base64url). 201 { cid, size, replicas, provided }.
 *   GET /v1/blobs/:cid   header x-ehr-request: a signed read request. 200 the blob bytes, with
 *                        x-ehr-source (local, dht:<peer>, validator:<peer>).
 * Refusals use the API's error format; a consent refusal is 403 with the contract's reason as the
 * code (no_grant, revoked, expired, suspended, ...). While the blob store's disk is full, uploads
 * (and reads, whose journal entry cannot be written) answer 503 `disk_full` with Retry-After.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import { RecordError, type RecordErrorCode } from '../../protocol/records/errors.js';
import { errors } from '../http/schemas.js';
import { shedWhenOverloaded } from '../http/shed.js';
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { RecordService } from './service.js';

/** HTTP status of each records error. */
const recordErrorHttpStatus: Readonly<Record<RecordErrorCode, number>> = {
  bad_encoding: 400,
  unsupported_version: 400,
  decrypt_failed: 400,
  hash_mismatch: 400,
  invalid_fhir: 400,
  bad_signature: 401,
  stale_request: 401,
  replayed_request: 409,
  too_large: 413,
  quota_exceeded: 413,
  not_registered: 403,
  no_key: 403,
  access_denied: 403,
  erased: 410,
  unknown_record: 404,
  not_found: 404,
  cid_mismatch: 409,
  tx_reverted: 400,
};

const requestHeader = {
  type: 'object',
  properties: { 'x-ehr-request': { type: 'string', pattern: '^[A-Za-z0-9_-]{1,700}$' } },
  required: ['x-ehr-request'],
} as const;
const cidParam = {
  type: 'object',
  properties: { cid: { type: 'string', pattern: '^b[a-z2-7]{20,200}$' } },
  required: ['cid'],
} as const;

const diskFullBody = {
  error: { code: 'disk_full', message: "the node's blob store has no room: retry later" },
} as const;

function refuse(reply: FastifyReply, err: unknown, retryAfterSeconds: number): FastifyReply {
  if (err instanceof StoreError && err.code === StoreErrorCode.DiskFull)
    return reply.status(503).header('retry-after', String(retryAfterSeconds)).send(diskFullBody);
  if (!(err instanceof RecordError)) throw err;
  const status = recordErrorHttpStatus[err.code];
  const code = err.code === 'access_denied' && err.detail !== undefined ? err.detail : err.code;
  return reply.status(status).send({ error: { code, message: err.message } });
}

const headerBytes = (v: unknown): Uint8Array => new Uint8Array(Buffer.from(String(v), 'base64url'));

/**
 * Registers the blob routes on `app`. Uploads are shed with 503 `overloaded` while the node's event
 * loop lags (`retryAfterSeconds` in the answer); reads are always served.
 */
export async function registerRecordRoutes(
  app: FastifyInstance,
  service: RecordService,
  retryAfterSeconds = 1,
): Promise<void> {
  app.put(
    '/v1/blobs',
    {
      config: shedWhenOverloaded(retryAfterSeconds),
      // While the blob store's disk is full, refused before the body is read.
      onRequest: async (_req, reply) => {
        if (!service.diskFull()) return;
        return reply.status(503).header('retry-after', String(retryAfterSeconds)).send(diskFullBody);
      },
      bodyLimit: service.options.blobs.maxBlobBytes + 1024,
      schema: {
        summary: 'Store an encrypted record blob',
        description:
          'The body is the envelope (ciphertext). x-ehr-request: a signed upload request, base64url.',
        headers: requestHeader,
        response: {
          201: {
            type: 'object',
            properties: {
              cid: { type: 'string' },
              size: { type: 'integer' },
              replicas: { type: 'integer' },
              provided: { type: 'boolean' },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body))
        return reply.status(415).send({
          error: { code: 'unsupported_media_type', message: 'send the blob as application/octet-stream' },
        });
      try {
        const r = await service.upload(headerBytes(req.headers['x-ehr-request']), new Uint8Array(body));
        return reply.status(201).send(r);
      } catch (err) {
        return refuse(reply, err, retryAfterSeconds);
      }
    },
  );

  app.get(
    '/v1/blobs/:cid',
    {
      schema: {
        summary: 'Fetch an encrypted record blob, if consent allows',
        description:
          'x-ehr-request: a signed read request, base64url. Found through the DHT if not held here.',
        headers: requestHeader,
        params: cidParam,
        response: errors,
      },
    },
    async (req, reply) => {
      const { cid } = req.params as { cid: string };
      try {
        const r = await service.read(headerBytes(req.headers['x-ehr-request']), cid);
        return reply
          .header('content-type', 'application/octet-stream')
          .header('x-ehr-source', r.source)
          .send(Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength));
      } catch (err) {
        return refuse(reply, err, retryAfterSeconds);
      }
    },
  );
}
