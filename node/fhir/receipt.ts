/**
 * Verifiable consent receipts (docs/fhir.md, "Consent receipts"): for a committed consent
 * transaction, a payload with the Kantara Consent Receipt fields that apply and the proof that the
 * transaction is in a block a validator signed: the tx bytes, its RFC 6962 audit path to the
 * header's tx root, the header bytes and the proposer's signature. The node signs the payload as
 * a JWS (EdDSA) with its validator key; client/receipt.ts verifies it. Pure.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeBlockHeader } from '../../protocol/chain/block.js';
import { merkleLeaf, merkleNode } from '../../protocol/chain/merkle.js';
import type { Block, ContractEvent, SignedTx } from '../../protocol/chain/types.js';
import { decodeInt } from '../../vm/abi.js';

/** Consent operations a receipt is given for. */
const RECEIPT_OPS = [
  'grant',
  'revoke',
  'approveRequest',
  'denyRequest',
  'requestEmergency',
  'cosignEmergency',
] as const;
export type ReceiptOp = (typeof RECEIPT_OPS)[number];
export const isReceiptOp = (m: string): m is ReceiptOp => (RECEIPT_OPS as readonly string[]).includes(m);

/**
 * The RFC 6962 audit path of leaf `index` among `n` leaves: the sibling hashes from the leaf up.
 * Matches merkleRoot's tree (a lone last node is promoted unchanged, so it has no sibling).
 */
export function merklePath(txHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (index < 0 || index >= txHashes.length) throw new RangeError('leaf index out of range');
  const path: Uint8Array[] = [];
  let level = txHashes.map(merkleLeaf);
  let i = index;
  while (level.length > 1) {
    const sib = i % 2 === 0 ? i + 1 : i - 1;
    if (sib < level.length) path.push(level[sib]!);
    const next: Uint8Array[] = [];
    for (let k = 0; k + 1 < level.length; k += 2) next.push(merkleNode(level[k]!, level[k + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
    i = Math.floor(i / 2);
  }
  return path;
}

const b64u = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
const dec = new TextDecoder();

/** The proof part of a receipt. */
export interface ReceiptProof {
  /** The signed tx, base64url. */
  readonly tx: string;
  readonly index: number;
  readonly count: number;
  /** Sibling hashes from the leaf up, hex. */
  readonly path: readonly string[];
  /** The canonical header bytes, base64url, and the proposer's signature over its hash, base64url. */
  readonly header: string;
  readonly signature: string;
}

/** What the node states about a consent (Kantara Consent Receipt v1.1 fields, and ehrchain's). */
export interface ReceiptPayload {
  readonly version: 'KI-CR-v1.1.0';
  readonly jurisdiction: string;
  /** Block time, seconds since the epoch (Kantara's unit). */
  readonly consentTimestamp: number;
  readonly collectionMethod: 'signed ehrchain transaction';
  /** The tx hash. */
  readonly consentReceiptID: string;
  readonly language: 'en';
  /** The patient. */
  readonly piiPrincipalId: string;
  /** The grantee (an actor id, `org:<code>` or `role:<role>`), the requester, or the emergency requester. */
  readonly piiControllers: readonly { readonly piiController: string }[];
  readonly services: readonly {
    readonly service: string;
    readonly purposes: readonly {
      readonly purpose: string;
      readonly consentType: 'EXPLICIT';
      readonly termination: string;
    }[];
  }[];
  readonly sensitive: true;
  readonly spiCat: readonly string[];
  readonly ehrchain: {
    readonly chainId: string;
    readonly height: number;
    readonly op: ReceiptOp;
    /** The grant, request or emergency number the op made or acted on. */
    readonly subject: number;
    /** The period consented, ms since the epoch, end exclusive (grant and approval). */
    readonly period?: { readonly start: number; readonly end: number };
    readonly signer: string;
    readonly proof: ReceiptProof;
  };
}

/** The facts of the op, from its Audit events (the `grant` one, if any, else the first). */
export interface ReceiptFacts {
  readonly patient: string;
  readonly controller: string;
  readonly subject: number;
  readonly purposes: readonly string[];
  readonly period?: { readonly start: number; readonly end: number };
  readonly categories: readonly string[];
}

/** Reads the Audit events of a receipt: (op, at, by, patient, subject, purpose, detail, via). */
export function auditFacts(
  events: readonly ContractEvent[],
): { op: string; patient: string; subject: number; detail: Uint8Array; purpose: number }[] {
  return events
    .filter((e) => e.name === 'Audit' && e.data.length === 8)
    .map((e) => ({
      op: dec.decode(e.data[0]),
      patient: bytesToHex(e.data[3]!),
      subject: e.data[4]!.length === 8 ? decodeInt(e.data[4]!) : 0,
      purpose: e.data[5]!.length === 8 ? decodeInt(e.data[5]!) : 0,
      detail: e.data[6]!,
    }));
}

/** The receipt payload of tx `index` of `block`. */
export function receiptPayload(o: {
  readonly block: Block;
  readonly index: number;
  readonly facts: ReceiptFacts;
  readonly jurisdiction: string;
  readonly signer: string;
}): ReceiptPayload {
  const tx: SignedTx | undefined = o.block.txs[o.index];
  if (tx === undefined) throw new RangeError('no such tx in the block');
  const op = tx.body.method;
  if (!isReceiptOp(op)) throw new RangeError(`no receipt for ${op}`);
  const f = o.facts;
  const termination = f.period ? new Date(f.period.end).toISOString() : 'revocation';
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: o.jurisdiction,
    consentTimestamp: Math.floor(o.block.header.time / 1000),
    collectionMethod: 'signed ehrchain transaction',
    consentReceiptID: bytesToHex(tx.hash),
    language: 'en',
    piiPrincipalId: f.patient,
    piiControllers: f.controller === '' ? [] : [{ piiController: f.controller }],
    services: [
      {
        service: 'ehrchain health records',
        purposes: f.purposes.map((purpose) => ({ purpose, consentType: 'EXPLICIT' as const, termination })),
      },
    ],
    sensitive: true,
    spiCat: f.categories,
    ehrchain: {
      chainId: o.block.header.chainId,
      height: o.block.header.height,
      op,
      subject: f.subject,
      ...(f.period ? { period: f.period } : {}),
      signer: o.signer,
      proof: {
        tx: b64u(tx.bytes),
        index: o.index,
        count: o.block.txs.length,
        path: merklePath(
          o.block.txs.map((t) => t.hash),
          o.index,
        ).map(bytesToHex),
        header: b64u(encodeBlockHeader(o.block.header)),
        signature: b64u(o.block.signature),
      },
    },
  };
}
