/**
 * Records requests that pass the signature: each input is built field by field with hostile
 * values (another chain, times at and past the window's edges, u64 extremes, version 0 and 2^32-1,
 * unknown purposes, CIDs empty, truncated, of another codec, 128 bytes of noise; replayed nonces)
 * and then signed with the key it names, so the checks after the signature run: the chain and
 * window (verifyRequest), the replay cache (NonceCache) and, for reads, the CID the node decodes
 * (`blobCidFromBytes`, as in the blob-fetch protocol). A mutated request (the `records-request`
 * target) almost never gets past the signature.
 */

import { blobCidFromBytes } from '../../node/records/cid-bytes.js';
import { NonceCache } from '../../node/records/nonces.js';
import { createSigner, KeyCache, signBytes } from '../../protocol/chain/keys.js';
import { concatBytes, u32, u64, utf8, varBytes } from '../../protocol/records/bytes.js';
import { cidOf } from '../../protocol/records/cid.js';
import { RecordError } from '../../protocol/records/errors.js';
import { decodeRequest, PURPOSES, signUploadRequest, verifyRequest } from '../../protocol/records/request.js';
import { below, pick, type Rand, randomBytes } from './gen.js';
import { type FuzzTarget, invariant, refused } from './target.js';

const CHAIN = 'ehr-fuzz';
const NOW = 1_700_000_000_000;
const WINDOW = 60_000;
const signers = [1, 2, 3].map((n) => createSigner(new Uint8Array(32).fill(n)));
// The layout's first bytes (magic) and kind codes, taken from a real request.
const sample = signUploadRequest(
  { chainId: CHAIN, blobHash: new Uint8Array(32), size: 1, time: NOW },
  signers[0]!,
);
const MAGIC = sample.slice(0, 4);
const KIND_UPLOAD = sample[4]!;
const KIND_READ = KIND_UPLOAD === 1 ? 2 : 1;
const goodCid = cidOf(new Uint8Array([1, 2, 3])).bytes;

const TIMES = [
  NOW,
  NOW - WINDOW,
  NOW - WINDOW - 1,
  NOW + WINDOW,
  NOW + WINDOW + 1,
  0,
  Number.MAX_SAFE_INTEGER,
  NOW - 2 * WINDOW,
];

function chainId(r: Rand): Uint8Array {
  const roll = below(r, 10);
  if (roll < 6) return utf8(CHAIN);
  if (roll === 6) return utf8('other-chain');
  if (roll === 7) return new Uint8Array(0);
  if (roll === 8) return utf8('é'.repeat(32));
  return Uint8Array.from([0xff, 0xfe, 0x80]);
}

function time(r: Rand): Uint8Array {
  // Sometimes a u64 past 2^53 (how does the reader take it?).
  if (below(r, 12) === 0) return new Uint8Array(8).fill(0xff);
  return u64(pick(r, TIMES) + (below(r, 3) - 1));
}

function cid(r: Rand): Uint8Array {
  switch (below(r, 7)) {
    case 0:
      return goodCid.slice(0, below(r, goodCid.length));
    case 1:
      return randomBytes(r, 129);
    case 2:
      return concatBytes(goodCid, randomBytes(r, 8));
    case 3: {
      const c = goodCid.slice();
      const i = below(r, c.length);
      c[i] = (c[i] ?? 0) ^ (1 << below(r, 8));
      return c;
    }
    default:
      return goodCid;
  }
}

/** A nonce, now and then one a previous input used (a replay). */
function nonce(r: Rand): Uint8Array {
  if (below(r, 8) === 0) return new Uint8Array(16).fill(below(r, 2));
  return Uint8Array.from({ length: 16 }, () => below(r, 256));
}

function signedRequest(r: Rand): Uint8Array {
  const signer = pick(r, signers);
  const read = r() < 0.6;
  const body = read
    ? concatBytes(
        MAGIC,
        Uint8Array.of(KIND_READ),
        varBytes(chainId(r)),
        signer.publicKey,
        new Uint8Array(32).fill(6),
        new Uint8Array(32).fill(7),
        u32(pick(r, [1, 2, 0, 0xffffffff])),
        Uint8Array.of(below(r, 8) === 0 ? pick(r, [0, 3, 16, 255]) : pick(r, Object.values(PURPOSES))),
        varBytes(cid(r)),
        time(r),
        nonce(r),
      )
    : concatBytes(
        MAGIC,
        Uint8Array.of(KIND_UPLOAD),
        varBytes(chainId(r)),
        signer.publicKey,
        new Uint8Array(32).fill(below(r, 256)),
        u64(pick(r, [0, 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, Number.MAX_SAFE_INTEGER])),
        time(r),
        nonce(r),
      );
  return concatBytes(body, signBytes(body, signer));
}

/** Signed requests with hostile fields, through every check the node makes before consent. */
export function recordsTargets(): FuzzTarget[] {
  const keys = new KeyCache(100);
  const nonces = new NonceCache(WINDOW, 10_000);
  return [
    {
      name: 'records-request-signed',
      weight: 2,
      run(r) {
        const bytes = signedRequest(r);
        try {
          const q = decodeRequest(bytes);
          verifyRequest(q, CHAIN, NOW, WINDOW, keys);
          invariant(q.chainId === CHAIN, `accepted chain ${q.chainId}`);
          invariant(Math.abs(q.time - NOW) <= WINDOW, `accepted time ${q.time}`);
          const signer = q.kind === 'read' ? q.reader : q.uploader;
          if (!nonces.check(signer, q.nonce, q.time, NOW)) return false;
          if (q.kind === 'read') blobCidFromBytes(q.cid);
          return true;
        } catch (err) {
          return refused(err, RecordError);
        }
      },
    },
  ];
}
