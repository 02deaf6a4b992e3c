/**
 * Verifies a consent receipt (docs/fhir.md, "Consent receipts") with no node code: @noble/curves
 * (ed25519) and @noble/hashes (sha256) only, so it runs in a browser too. Checks, in order: the
 * JWS is EdDSA by a genesis validator (`unknown_signer`, `bad_signature`); the proof's tx hashes
 * to the receipt id (`tx_mismatch`) and is the op the payload states (`payload_mismatch`); its
 * Merkle path leads to the header's tx root (`bad_path`); the header is of this chain and height
 * (`header_mismatch`), signed by its proposer (`bad_block_signature`), a genesis validator
 * (`not_a_validator`). Returns what was consented.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Why a receipt was refused. */
export type ReceiptErrorCode =
  | 'malformed'
  | 'unknown_signer'
  | 'bad_signature'
  | 'tx_mismatch'
  | 'payload_mismatch'
  | 'bad_path'
  | 'header_mismatch'
  | 'bad_block_signature'
  | 'not_a_validator';

export class ReceiptError extends Error {
  constructor(
    readonly code: ReceiptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReceiptError';
  }
}

/** The genesis facts a receipt is checked against. */
export interface ReceiptGenesis {
  readonly chainId: string;
  readonly validators: readonly { readonly publicKey: string }[];
}

/** What a verified receipt says was consented. */
export interface VerifiedReceipt {
  readonly receiptId: string;
  readonly op: string;
  readonly patient: string;
  readonly controllers: readonly string[];
  readonly purposes: readonly string[];
  readonly period?: { readonly start: number; readonly end: number };
  readonly categories: readonly string[];
  readonly jurisdiction: string;
  readonly height: number;
  /** Block time, ms. */
  readonly time: number;
  readonly nodeKey: string;
  readonly proposer: string;
}

const enc = new TextEncoder();
const TX_DOMAIN = enc.encode('ehrchain/tx/v1\0');
const HEADER_DOMAIN = enc.encode('ehrchain/header/v1\0');
const b64u = (s: string): Uint8Array => {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const fail = (code: ReceiptErrorCode, m: string): never => {
  throw new ReceiptError(code, m);
};

/** A tiny big-endian reader of the chain's encodings. */
class Cursor {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.pos + n > this.b.length) fail('malformed', 'truncated');
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  uint(n: number): number {
    return this.take(n).reduce((v, x) => v * 256 + x, 0);
  }
  id(): string {
    return String.fromCharCode(...this.take(this.uint(1)));
  }
}

/** RFC 9162 2.1.3.2: the root a leaf's audit path leads to, or null if the path does not fit the size. */
export function rootFromPath(
  leafHash: Uint8Array,
  index: number,
  count: number,
  path: readonly Uint8Array[],
): Uint8Array | null {
  if (index < 0 || index >= count) return null;
  const node = (l: Uint8Array, r: Uint8Array) => sha256(cat(Uint8Array.of(1), l, r));
  let fn = index;
  let sn = count - 1;
  let r = sha256(cat(Uint8Array.of(0), leafHash));
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = node(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

interface Payload {
  consentReceiptID: string;
  jurisdiction: string;
  piiPrincipalId: string;
  piiControllers: { piiController: string }[];
  services: { purposes: { purpose: string }[] }[];
  spiCat: string[];
  ehrchain: {
    chainId: string;
    height: number;
    op: string;
    period?: { start: number; end: number };
    proof: { tx: string; index: number; count: number; path: string[]; header: string; signature: string };
  };
}

/** Verifies a compact-JWS consent receipt against the genesis; throws ReceiptError. */
export function verifyReceipt(jws: string, genesis: ReceiptGenesis): VerifiedReceipt {
  const validators = new Set(genesis.validators.map((v) => v.publicKey.toLowerCase()));
  const [h, p, s, ...rest] = jws.split('.');
  if (h === undefined || p === undefined || s === undefined || rest.length > 0)
    return fail('malformed', 'not a compact JWS');
  let header: { alg?: string; kid?: string };
  let payload: Payload;
  try {
    header = JSON.parse(new TextDecoder().decode(b64u(h)));
    payload = JSON.parse(new TextDecoder().decode(b64u(p)));
  } catch {
    return fail('malformed', 'header or payload is not base64url JSON');
  }
  const kid = header.kid ?? '';
  if (header.alg !== 'EdDSA' || !validators.has(kid))
    return fail('unknown_signer', `signer ${kid} is not a genesis validator`);
  if (!ed25519.verify(b64u(s), enc.encode(`${h}.${p}`), hexToBytes(kid)))
    return fail('bad_signature', 'the JWS signature does not verify');

  const e = payload.ehrchain;
  const tx = b64u(e.proof.tx);
  if (tx.length < 64) return fail('malformed', 'tx too short');
  const txHash = sha256(cat(TX_DOMAIN, tx.subarray(0, tx.length - 64)));
  if (bytesToHex(txHash) !== payload.consentReceiptID)
    return fail('tx_mismatch', 'the tx does not hash to the receipt id');
  const body = new Cursor(tx);
  body.take(1);
  body.id();
  body.take(32 + 16);
  const contract = body.id();
  const method = body.id();
  const args = Array.from({ length: body.uint(2) }, () => body.take(body.uint(4)));
  if (contract !== 'consent' || method !== e.op)
    return fail('payload_mismatch', `the tx is ${contract}.${method}, not consent.${e.op}`);
  if (
    (method === 'grant' || method === 'requestEmergency') &&
    bytesToHex(args[0] ?? new Uint8Array(0)) !== payload.piiPrincipalId
  )
    return fail('payload_mismatch', 'the tx names another patient');

  const hb = b64u(e.proof.header);
  const c = new Cursor(hb);
  if (c.uint(1) !== 0x02) return fail('malformed', 'not a header');
  const chainId = c.id();
  const height = c.uint(8);
  c.take(32);
  const txRoot = c.take(32);
  c.take(8 + 32);
  const proposer = c.take(32);
  c.take(8);
  const time = c.uint(8);
  const txCount = c.uint(4);
  if (
    chainId !== genesis.chainId ||
    chainId !== e.chainId ||
    height !== e.height ||
    txCount !== e.proof.count
  )
    return fail('header_mismatch', 'the header is not of this chain, height or size');
  const root = rootFromPath(txHash, e.proof.index, e.proof.count, e.proof.path.map(hexToBytes));
  if (root === null || !eq(root, txRoot))
    return fail('bad_path', 'the Merkle path does not lead to the tx root');
  const headerHash = sha256(cat(HEADER_DOMAIN, hb));
  if (!ed25519.verify(b64u(e.proof.signature), headerHash, proposer))
    return fail('bad_block_signature', 'the proposer signature does not verify');
  if (!validators.has(bytesToHex(proposer)))
    return fail('not_a_validator', 'the proposer is not a genesis validator');
  return {
    receiptId: payload.consentReceiptID,
    op: e.op,
    patient: payload.piiPrincipalId,
    controllers: payload.piiControllers.map((x) => x.piiController),
    purposes: payload.services.flatMap((x) => x.purposes.map((q) => q.purpose)),
    ...(e.period ? { period: e.period } : {}),
    categories: payload.spiCat,
    jurisdiction: payload.jurisdiction,
    height,
    time,
    nodeKey: kid,
    proposer: bytesToHex(proposer),
  };
}
