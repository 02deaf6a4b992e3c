/**
 * `GET /v1/receipts/:hash`: a verifiable consent receipt for a committed consent transaction
 * (grant, revoke, approveRequest, denyRequest, requestEmergency, cosignEmergency), a compact JWS
 * (EdDSA) signed with the serving node's validator key over the payload of receipt.ts. 404
 * `unknown_tx` for a tx not committed here, 400 `no_receipt` for one that is not a successful
 * consent op. Body: `{ "receipt": "<jws>" }`.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CompactSign } from 'jose';
import type { Block, Receipt } from '../../protocol/chain/types.js';
import { purposeOfBit } from '../../vm/consent/results.js';
import { errors } from '../http/schemas.js';
import { auditFacts, isReceiptOp, type ReceiptFacts, receiptPayload } from './receipt.js';
import type { ConsentSource } from './source.js';

/** What the receipt route needs from the node. */
export interface ReceiptRouteDeps {
  /** The committed tx: its block, index and execution receipt; null if not committed here. */
  lookup(hash: Uint8Array): Promise<{ block: Block; index: number; receipt: Receipt } | null>;
  /** The validator key that signs receipts, and its public key (hex, the JWS `kid`). */
  key(): KeyObject;
  readonly publicKey: string;
  /** Kantara `jurisdiction` (e.g. `EU`, `US-CA`). */
  readonly jurisdiction: string;
}

/** The facts of a consent op from its Audit events and the grant or request they name. */
function factsOf(receipt: Receipt, source: ConsentSource): ReceiptFacts | null {
  const events = auditFacts(receipt.events);
  const grantEvent = events.find((e) => e.op === 'grant');
  const first = events[0];
  if (first === undefined) return null;
  const grantId = grantEvent?.subject ?? (first.op === 'revoke' ? first.subject : 0);
  if (grantId > 0) {
    const g = source.grant(grantId);
    if (g === null) return null;
    const controller = g.grantee.kind === 'actor' ? g.grantee.id : `${g.grantee.kind}:${g.grantee.id}`;
    return {
      patient: g.patient,
      controller,
      subject: first.op === 'approveRequest' ? first.subject : grantId,
      purposes: g.purposes,
      period: { start: g.start, end: g.end },
      categories: g.scope.kind === 'categories' ? g.scope.categories : [],
    };
  }
  if (first.op === 'denyRequest') {
    const r = source.request(first.subject);
    if (r === null) return null;
    return {
      patient: r.patient,
      controller: r.requester,
      subject: r.id,
      purposes: r.purposes,
      categories: r.scope.kind === 'categories' ? r.scope.categories : [],
    };
  }
  // requestEmergency (by the requester) / cosignEmergency (detail: the requester)
  const by = receipt.events[0]?.data[2];
  const requester =
    first.op === 'cosignEmergency'
      ? Buffer.from(first.detail).toString('hex')
      : by
        ? Buffer.from(by).toString('hex')
        : '';
  return {
    patient: first.patient,
    controller: requester,
    subject: first.subject,
    purposes: [purposeOfBit(first.purpose) ?? 'ETREAT'],
    categories: [],
  };
}

/** Registers the receipt route. */
export async function registerReceiptRoutes(
  app: FastifyInstance,
  deps: ReceiptRouteDeps,
  source: ConsentSource,
): Promise<void> {
  app.get(
    '/v1/receipts/:hash',
    {
      schema: {
        summary: 'A verifiable consent receipt (JWS, EdDSA) for a committed consent transaction',
        description:
          'Kantara consent receipt fields and the proof: tx bytes, Merkle path to the tx root, header and proposer signature. Verify with `ehrchain receipt verify`.',
        tags: ['fhir'],
        params: {
          type: 'object',
          properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
          required: ['hash'],
        },
        response: {
          200: { type: 'object', properties: { receipt: { type: 'string' } }, required: ['receipt'] },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { hash } = req.params as { hash: string };
      const found = await deps.lookup(Buffer.from(hash, 'hex'));
      if (found === null)
        return reply
          .status(404)
          .send({ error: { code: 'unknown_tx', message: 'no committed tx with this hash here' } });
      const tx = found.block.txs[found.index];
      const facts =
        tx && tx.body.contract === 'consent' && isReceiptOp(tx.body.method) && found.receipt.status === 'ok'
          ? factsOf(found.receipt, source)
          : null;
      if (facts === null)
        return reply.status(400).send({
          error: {
            code: 'no_receipt',
            message:
              'receipts are given for successful grant, revoke, approveRequest, denyRequest, requestEmergency and cosignEmergency',
          },
        });
      const payload = receiptPayload({
        block: found.block,
        index: found.index,
        facts,
        jurisdiction: deps.jurisdiction,
        signer: deps.publicKey,
      });
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'ehrchain-consent-receipt+jws', kid: deps.publicKey })
        .sign(deps.key());
      return reply.send({ receipt: jws });
    },
  );
}
