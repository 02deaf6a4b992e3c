/**
 * The HTTP target: generated requests on every route of a real one-validator node (in process,
 * LevelDB in a temp dir), sent with fastify's `inject` (no sockets: the volume is in the routes,
 * schemas and handlers; the HTTP parser itself is covered by bad-input.test.ts over TCP). Params
 * take hostile values (non-finite and huge numbers, odd encodings, long strings), bodies are
 * mutated valid txs or random JSON. A crash is a 5xx other than 503 (shedding), or an error answer
 * without the documented `{"error": {"code", "message"}}` body. `GET /v1/events` streams and is left
 * out.
 */
import type { FastifyInstance } from 'fastify';
import { toHex } from '../../protocol/chain/encoding.js';
import { createSigner } from '../../protocol/chain/keys.js';
import { signTx } from '../../protocol/chain/tx.js';
import { cidOf } from '../../protocol/records/cid.js';
import { requestToHeader, signReadRequest } from '../../protocol/records/request.js';
import { createNetwork, type Network } from '../helpers/network.js';
import { below, mutate, pick, type Rand, randomBytes } from './gen.js';
import { type FuzzTarget, invariant } from './target.js';

const NUMBERS = [
  '0',
  '1',
  '-1',
  '2',
  '100',
  '101',
  '1000000',
  'Infinity',
  '-Infinity',
  'NaN',
  '1e309',
  '-1e309',
  '1e21',
  '9007199254740993',
  '18446744073709551616',
  '0x10',
  '1.5',
  '-0',
  '+1',
  ' 1',
  '1 ',
  '',
  '%00',
  '%20',
  '０',
  '1,2',
  '[]',
  '{}',
  'true',
  'null',
  'undefined',
];

function hostile(r: Rand): string {
  switch (below(r, 6)) {
    case 0:
      return pick(r, NUMBERS);
    case 1:
      return toHex(randomBytes(r, 40));
    case 2:
      return toHex(randomBytes(r, 1)).repeat(below(r, 80));
    case 3:
      return encodeURIComponent(
        String.fromCharCode(...Array.from({ length: below(r, 12) }, () => below(r, 0x3000))),
      );
    case 4:
      return pick(r, ['..%2F..', '%2e%2e', '%', '%zz', '😀', 'a'.repeat(1 + below(r, 3000)), 'lab', 'TREAT']);
    default:
      return String(Math.floor((r() - 0.5) * 10 ** below(r, 22)));
  }
}

const GETS = [
  '/v1/status',
  '/v1/tx/:x',
  '/v1/blocks/:x',
  '/v1/blocks/:x/raw',
  '/v1/blocks?from=:x&limit=:x',
  '/v1/blocks?limit=:x',
  '/v1/accounts/:x',
  '/v1/query/:x/:x?args=:x',
  '/v1/query/consent/:x?args=:x',
  '/v1/query/consent/canAccess?args=:x,:x,:x',
  '/fhir/metadata',
  '/fhir/Consent?patient=:x&_count=:x&_offset=:x',
  '/fhir/Consent/:x',
  '/fhir/AuditEvent?patient=:x&_count=:x&_offset=:x&date=:x',
  '/cds-services',
  '/v1/receipts/:x',
  '/v1/blobs/:x',
  '/:x',
  '/v1/:x/:x',
];

const fill = (r: Rand, t: string) => t.replace(/:x/g, () => hostile(r));

/** The API's error body; FHIR routes answer an OperationOutcome instead (docs/fhir.md). */
function isErrorBody(json: unknown, url: string): boolean {
  if (
    url.startsWith('/fhir/') &&
    (json as { resourceType?: unknown } | null)?.resourceType === 'OperationOutcome'
  )
    return true;
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
}

/** The HTTP target; `open` starts the node. */
export async function httpTarget(): Promise<FuzzTarget> {
  const net: Network = await createNetwork({ nodes: 1, mode: 'inproc', logLevel: 'fatal' });
  await net.waitLeader();
  const app: FastifyInstance = net.node(0).node!.http;
  const signer = createSigner(new Uint8Array(32).fill(11));
  const txs = [0, 1, 2].map(
    (n) =>
      signTx(
        {
          chainId: net.chainId,
          sender: signer.publicKey,
          nonce: 1000 + n,
          gasLimit: 100_000,
          contract: 'consent',
          method: ['grant', 'recordReads', 'erase'][n]!,
          args: [new Uint8Array(32).fill(n), new Uint8Array([1, 2, 3])],
        },
        signer,
      ).bytes,
  );
  const blob = new Uint8Array(100).fill(7);
  const readHeader = requestToHeader(
    signReadRequest(
      {
        chainId: net.chainId,
        patient: new Uint8Array(32),
        recordId: new Uint8Array(32),
        version: 1,
        purpose: 'TREAT',
        cid: cidOf(blob).bytes,
      },
      signer,
    ),
  );
  const header = (r: Rand) =>
    pick(r, [
      readHeader,
      Buffer.from(mutate(r, Buffer.from(readHeader, 'base64url'))).toString('base64url'),
      hostile(r),
    ]);

  return {
    name: 'http',
    weight: 2,
    async run(r) {
      const roll = below(r, 10);
      let res: Awaited<ReturnType<FastifyInstance['inject']>>;
      let url = '';
      if (roll < 6) {
        url = fill(r, pick(r, GETS));
        res = await app.inject({
          method: 'GET',
          url,
          headers: r() < 0.3 ? { 'x-ehr-request': header(r) } : {},
        });
      } else if (roll < 8) {
        // Mutated txs: never valid (the signature covers every byte), in both accepted forms.
        const tx = mutate(r, pick(r, txs));
        const json = r() < 0.5;
        const batch = r() < 0.3;
        const payload = batch
          ? JSON.stringify({ txs: Array.from({ length: below(r, 5) }, () => toHex(mutate(r, pick(r, txs)))) })
          : json
            ? JSON.stringify(r() < 0.8 ? { tx: toHex(tx) } : { tx: hostile(r), extra: hostile(r) })
            : Buffer.from(tx);
        url = batch ? '/v1/txs' : '/v1/tx';
        res = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': json || batch ? 'application/json' : 'application/octet-stream' },
          payload,
        });
      } else if (roll < 9) {
        res = await app.inject({
          method: 'PUT',
          url: '/v1/blobs',
          headers: {
            'content-type': pick(r, ['application/octet-stream', 'application/json', 'text/plain']),
            'x-ehr-request': header(r),
          },
          payload: Buffer.from(randomBytes(r, 300)),
        });
      } else {
        const body =
          r() < 0.5 ? JSON.stringify({ hook: hostile(r), context: { patientId: hostile(r) } }) : hostile(r);
        url = pick(r, ['/cds-services/patient-consent-consult', '/v1/tx', fill(r, '/v1/:x')]);
        res = await app.inject({
          method: pick(r, ['POST', 'DELETE', 'PATCH', 'OPTIONS']),
          url,
          headers: { 'content-type': pick(r, ['application/json', 'text/plain', hostile(r)]) },
          payload: body,
        });
      }
      const status = res.statusCode;
      invariant(status < 500 || status === 503, `HTTP ${status}: ${res.body.slice(0, 200)}`);
      if (status >= 400) {
        let json: unknown = null;
        try {
          json = JSON.parse(res.body);
        } catch {
          // not JSON: reported by the invariant below
        }
        invariant(isErrorBody(json, url), `HTTP ${status} without the error body: ${res.body.slice(0, 200)}`);
        return false;
      }
      return true;
    },
    async close() {
      await net.cleanup();
    },
  };
}
