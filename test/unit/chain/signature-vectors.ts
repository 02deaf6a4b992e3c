/**
 * Generates docs/vectors/signatures.json (signed txs the nodes refuse though ed25519 verifiers
 * differ on them) and docs/vectors/batch.json (the batch frame of POST /v1/txs). Every key here is
 * SYNTHETIC. Written by `node --import tsx test/unit/chain/vectors.ts --write` with the other vectors.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSignedTx, encodeTxBody, hashTxBody } from '../../../protocol/chain/tx.js';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import type { SignedTx, TxBody } from '../../../protocol/chain/types.js';

/** The order of the ed25519 base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const Point = ed25519.Point;

const le32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
const fromLe = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const cat = (...p: Uint8Array[]) => Uint8Array.from(p.flatMap((x) => [...x]));
/** RFC 8032's k = SHA-512(R || A || M) mod L. */
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array) =>
  fromLe(
    new Uint8Array(
      createHash('sha512')
        .update(cat(r, a, m))
        .digest(),
    ),
  ) % L;

/** A point of order 8 (RFC 8032 torsion; canonical encoding). */
const ORDER8 = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
const IDENTITY = le32(1n);
/** The identity with y = p + 1: a non-canonical encoding. */
const IDENTITY_NONCANONICAL = le32(P + 1n);

const body = (sender: Uint8Array, nonce: number): TxBody => ({
  chainId: 'ehrchain-test',
  sender,
  nonce,
  gasLimit: 100_000,
  contract: 'kv',
  method: 'put',
  args: [new TextEncoder().encode('sig-vector'), new TextEncoder().encode('v')],
});

/**
 * Each case builds a signature over the tx hash for a sender that may itself be the edge case;
 * `sign` gets the hash of a body whose sender it chose first (see signCase).
 */
function signedCase(sender: Uint8Array, nonce: number, sig: (hash: Uint8Array) => Uint8Array): SignedTx {
  const b = body(sender, nonce);
  return createSignedTx(b, sig(hashTxBody(b)));
}

/** The refused signature cases, each with why the nodes refuse it. */
function signatureCases(seed: Uint8Array): { name: string; why: string; tx: SignedTx }[] {
  const honest = ed25519.utils.getExtendedPublicKey(seed);
  const A = honest.pointBytes;
  const a = honest.scalar;
  const mixedA = honest.point.add(Point.fromBytes(ORDER8)).toBytes();
  const out: { name: string; why: string; tx: SignedTx }[] = [];
  const add = (name: string, why: string, tx: SignedTx) => out.push({ name, why, tx });

  add(
    'valid',
    'control: an ordinary RFC 8032 signature; every verifier accepts it',
    signedCase(A, 0, (h) => ed25519.sign(h, seed)),
  );
  add(
    's_not_reduced',
    'S >= L (S + L of a valid signature): RFC 8032 requires 0 <= S < L (malleability)',
    signedCase(A, 1, (h) => {
      const s = ed25519.sign(h, seed);
      return cat(s.subarray(0, 32), le32(fromLe(s.subarray(32)) + L));
    }),
  );
  add(
    'small_order_key_identity',
    'public key = the identity (small order): R = identity, S = 0 "verifies" any message',
    signedCase(IDENTITY, 0, () => cat(IDENTITY, le32(0n))),
  );
  add(
    'small_order_key_order8',
    'public key of order 8, R = -[k]A, S = 0: valid under the cofactored equation only',
    signedCase(ORDER8, 0, (h) => {
      // Pick R so that R + [k]A = 0; k depends on R, so try R = -[j]A until k = j (mod 8).
      const T = Point.fromBytes(ORDER8);
      for (let j = 0n; j < 8n; j++) {
        const r = T.multiplyUnsafe(j).negate().toBytes();
        if (challenge(r, ORDER8, h) % 8n === j) return cat(r, le32(0n));
      }
      throw new Error('no R found');
    }),
  );
  add(
    'noncanonical_key',
    'public key encoded with y >= p (the identity as y = p + 1): not the canonical encoding',
    signedCase(IDENTITY_NONCANONICAL, 0, () => cat(IDENTITY, le32(0n))),
  );
  add(
    'small_order_r',
    'R = the identity (small order), S = k*a: the key holder can make it; libsodium refuses it',
    signedCase(A, 2, (h) => cat(IDENTITY, le32((challenge(IDENTITY, A, h) * a) % L))),
  );
  add(
    'noncanonical_r',
    'R encoded with y >= p (the identity as y = p + 1), for the identity key',
    signedCase(IDENTITY, 1, () => cat(IDENTITY_NONCANONICAL, le32(0n))),
  );
  add(
    'mixed_order_key',
    'public key = honest key + a point of order 8; valid under the cofactored equation only (noble accepts, RFC 8032 cofactorless refuses)',
    signedCase(mixedA, 0, (h) => {
      for (let r = 1n; ; r++) {
        const R = Point.BASE.multiply(r).toBytes();
        const k = challenge(R, mixedA, h);
        if (k % 8n !== 0n) return cat(R, le32((r + k * a) % L));
      }
    }),
  );
  return out;
}

const txJson = (t: SignedTx) => ({
  body: {
    chainId: t.body.chainId,
    sender: toHex(t.body.sender),
    nonce: t.body.nonce,
    gasLimit: t.body.gasLimit,
    contract: t.body.contract,
    method: t.body.method,
    args: t.body.args.map(toHex),
  },
  bodyHex: toHex(encodeTxBody(t.body)),
  hash: toHex(t.hash),
  signature: toHex(t.signature),
  signedTx: toHex(t.bytes),
});

/** docs/vectors/signatures.json. */
export function signatureVectors(seed: Uint8Array) {
  return {
    note:
      'Signed txs (message = the 32-byte tx hash). Nodes accept only `valid`: RFC 8032 with S < L, canonical A and R (y < p), ' +
      'A and R not of small order, and the cofactorless equation [S]B = R + [k]A compared on the encoding of R (= libsodium ' +
      'crypto_sign_verify_detached). nobleDefault: what @noble/curves ed25519.verify with default options (ZIP-215) answers.',
    cases: signatureCases(seed).map((c) => ({
      name: c.name,
      why: c.why,
      nodesAccept: c.name === 'valid',
      nobleDefault: ed25519.verify(c.tx.signature, c.tx.hash, c.tx.body.sender),
      ...txJson(c.tx),
    })),
  };
}

/** docs/vectors/batch.json: the three txs of tx.json in one frame. */
export function batchVector(signedTxHex: readonly string[]) {
  return {
    note: 'POST /v1/txs body (application/octet-stream): u16 count, then per tx u32 length || signedTx; big-endian; nothing after the last tx.',
    txs: signedTxHex,
    frameHex: toHex(encodeTxBatch(signedTxHex.map(fromHex))),
  };
}
