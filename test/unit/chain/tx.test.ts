import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, isLatin1KeyOf, latin1Key, toHex } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { sha256, TX_HASH_DOMAIN } from '../../../protocol/chain/hash.js';
import { KeyCache } from '../../../protocol/chain/keys.js';
import {
  checkTxRules,
  createSignedTx,
  decodeSignedTx,
  decodeTxBody,
  defaultTxLimits,
  encodeTxBody,
  hashTxBody,
  signTx,
  txKey,
  verifyTx,
} from '../../../protocol/chain/tx.js';
import type { TxBody } from '../../../protocol/chain/types.js';
import { arbTxBody, makeTx, testSeed, testSigner } from './fixtures.js';

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChainError);
    expect((e as ChainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ChainError ${code}`);
}

const body = (): TxBody => makeTx(1, 5).body;

/** Hand-built encoding of a body, independent of the encoder, to pin the layout. */
function manual(b: TxBody): Uint8Array {
  const parts: number[] = [0x01];
  const id = (s: string) => parts.push(s.length, ...Buffer.from(s, 'ascii'));
  const u64 = (n: number) => {
    const x = Buffer.alloc(8);
    x.writeBigUInt64BE(BigInt(n));
    parts.push(...x);
  };
  id(b.chainId);
  parts.push(...b.sender);
  u64(b.nonce);
  u64(b.gasLimit);
  id(b.contract);
  id(b.method);
  parts.push(b.args.length >> 8, b.args.length & 0xff);
  for (const a of b.args) {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(a.length);
    parts.push(...l, ...a);
  }
  return new Uint8Array(parts);
}

describe('tx encoding', () => {
  it('matches the documented layout (property)', () => {
    fc.assert(
      fc.property(arbTxBody, (b) => {
        expect(toHex(encodeTxBody(b))).toBe(toHex(manual(b)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips bodies and signed txs (property)', () => {
    fc.assert(
      fc.property(arbTxBody, fc.uint8Array({ minLength: 64, maxLength: 64 }), (b, sig) => {
        const enc = encodeTxBody(b);
        expect(decodeTxBody(enc)).toEqual(b);
        const tx = createSignedTx(b, sig);
        const d = decodeSignedTx(tx.bytes);
        expect(d.body).toEqual(b);
        expect(bytesEqual(d.hash, hashTxBody(b))).toBe(true);
        expect(bytesEqual(d.signature, sig)).toBe(true);
        expect(toHex(encodeTxBody(d.body))).toBe(toHex(enc));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to encode values without an encoding', () => {
    const b = body();
    expectCode(() => encodeTxBody({ ...b, nonce: 2 ** 53 }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, nonce: -1 }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, nonce: 1.5 }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, gasLimit: Number.NaN }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, chainId: '' }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, chainId: 'é' }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, method: 'a b' }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, contract: 'x'.repeat(256) }), 'bad_encoding');
    expectCode(() => encodeTxBody({ ...b, sender: new Uint8Array(31) }), 'bad_encoding');
  });
});

describe('tx decoding errors', () => {
  const tx = makeTx(1, 5);
  const bytes = tx.bytes;
  const enc = encodeTxBody(tx.body);
  const at = (i: number, v: number) => {
    const c = bytes.slice();
    c[i] = v;
    return c;
  };
  // Offsets in this fixture: 0 version, 1 len(8) + "ehr-test", 10 sender, 42 nonce, 50 gas,
  // 58 len(2) "kv", 61 len(3) "put", 65 argc, 67 arg len, 71 arg, then signature.
  it('has the offsets the tests assume', () => {
    expect(bytes[1]).toBe(8);
    expect(bytes[58]).toBe(2);
    expect(bytes[61]).toBe(3);
    expect(bytes[66]).toBe(1);
    expect(enc.length).toBe(73);
  });
  it.each([
    ['empty', new Uint8Array(0), 'bad_encoding'],
    ['unknown version', at(0, 2), 'bad_encoding'],
    ['zero-length chain id', at(1, 0), 'bad_encoding'],
    ['chain id over the limit', at(1, 65), 'too_large'],
    ['non-id byte in chain id', at(2, 0x20), 'bad_encoding'],
    ['non-ASCII byte in chain id', at(2, 0xc3), 'bad_encoding'],
    ['nonce >= 2^53', at(42, 0x00 | 0x01), 'bad_encoding'],
    ['gas limit top bit', at(50, 0x80), 'bad_encoding'],
    ['too many args', at(65, 0xff), 'too_large'],
    ['arg longer than the input', at(67, 0x01), 'too_large'],
    ['truncated signature', bytes.subarray(0, bytes.length - 1), 'bad_encoding'],
    ['trailing byte', new Uint8Array([...bytes, 0]), 'bad_encoding'],
    ['body only', enc, 'bad_encoding'],
  ] as const)('%s', (_name, input, code) => {
    expectCode(() => decodeSignedTx(input), code);
  });
  it('nonce 2^53 - 1 is accepted, 2^53 is not', () => {
    const ok = makeTx(1, 2 ** 53 - 1);
    expect(decodeSignedTx(ok.bytes).body.nonce).toBe(2 ** 53 - 1);
    const c = ok.bytes.slice();
    c[42 + 1] = 0x20; // high u32 = 0x00200000 -> 2^53
    c.fill(0, 44, 50);
    expectCode(() => decodeSignedTx(c), 'bad_encoding');
  });
  it('applies limits', () => {
    expectCode(
      () => decodeSignedTx(bytes, { ...defaultTxLimits, maxTxBytes: bytes.length - 1 }),
      'too_large',
    );
    expectCode(() => decodeSignedTx(bytes, { ...defaultTxLimits, maxArgs: 0 }), 'too_large');
    expectCode(() => decodeSignedTx(bytes, { ...defaultTxLimits, maxArgBytes: 1 }), 'too_large');
    expectCode(() => decodeSignedTx(bytes, { ...defaultTxLimits, maxIdLength: 7 }), 'too_large');
    expect(decodeSignedTx(bytes, { ...defaultTxLimits, maxTxBytes: bytes.length }).body.nonce).toBe(5);
  });
  it('truncation at every length is bad_encoding', () => {
    for (let n = 0; n < bytes.length; n++)
      expectCode(() => decodeSignedTx(bytes.subarray(0, n)), 'bad_encoding');
  });
});

describe('tx signatures', () => {
  const cache = new KeyCache(4);
  it('verifies a signed tx, after decoding too', () => {
    const tx = makeTx(2, 0);
    expect(verifyTx(tx)).toBe(true);
    expect(verifyTx(decodeSignedTx(tx.bytes), cache)).toBe(true);
  });
  it('rejects a bad signature, a wrong key and a tampered body', () => {
    const tx = makeTx(2, 1);
    const sig = tx.signature.slice();
    sig[0]! ^= 1;
    expect(verifyTx(createSignedTx(tx.body, sig), cache)).toBe(false);
    expect(
      verifyTx(createSignedTx({ ...tx.body, sender: testSigner(3).publicKey }, tx.signature), cache),
    ).toBe(false);
    expect(verifyTx(createSignedTx({ ...tx.body, nonce: 2 }, tx.signature), cache)).toBe(false);
    const bytes = tx.bytes.slice();
    bytes[45]! ^= 1; // a nonce byte
    expect(verifyTx(decodeSignedTx(bytes), cache)).toBe(false);
    expect(
      verifyTx(createSignedTx({ ...tx.body, sender: new Uint8Array(32).fill(0xff) }, tx.signature)),
    ).toBe(false);
  });
  it('every single-bit flip of a signed tx fails decoding or verification', () => {
    const tx = makeTx(4, 9);
    for (let i = 0; i < tx.bytes.length * 8; i++) {
      const b = tx.bytes.slice();
      b[i >> 3]! ^= 1 << (i & 7);
      let ok = false;
      try {
        ok = verifyTx(decodeSignedTx(b), cache);
      } catch (e) {
        expect(e).toBeInstanceOf(ChainError);
      }
      expect(ok).toBe(false);
    }
  });
  it('signTx refuses a key that is not the sender', () => {
    expectCode(() => signTx(makeTx(1, 0).body, testSeed(2)), 'bad_key');
    expectCode(() => signTx(makeTx(1, 0).body, new Uint8Array(31)), 'bad_key');
  });
});

describe('tx hash and key', () => {
  /** The hash as the spec writes it, from a buffer of its own. */
  const naiveHash = (b: TxBody) => {
    const enc = encodeTxBody(b);
    const buf = new Uint8Array(TX_HASH_DOMAIN.length + enc.length);
    buf.set(TX_HASH_DOMAIN);
    buf.set(enc, TX_HASH_DOMAIN.length);
    return sha256(buf);
  };

  it('is sha256(domain || body) for any body, large ones past the scratch buffer included (property)', () => {
    fc.assert(
      fc.property(arbTxBody, (b) => {
        expect(toHex(hashTxBody(b))).toBe(toHex(naiveHash(b)));
      }),
    );
    const big = { ...body(), args: [new Uint8Array(5000).fill(3)] };
    expect(toHex(hashTxBody(big))).toBe(toHex(naiveHash(big)));
  });

  it('a hash kept from earlier is unchanged after many more txs are hashed', () => {
    const first = makeTx(1, 0);
    const before = toHex(first.hash);
    for (let i = 0; i < 600; i++) decodeSignedTx(makeTx(2, i).bytes);
    expect(toHex(first.hash)).toBe(before);
  });

  it('txKey is the hash as a one-byte string, for txs built here and for plain objects', () => {
    const t = makeTx(1, 3);
    const d = decodeSignedTx(t.bytes);
    const plain = { body: t.body, signature: t.signature, hash: t.hash, bytes: t.bytes };
    for (const x of [t, d, plain]) expect(txKey(x)).toBe(latin1Key(t.hash));
    expect(isLatin1KeyOf(txKey(d), d.hash)).toBe(true);
    expect(isLatin1KeyOf(txKey(d), makeTx(1, 4).hash)).toBe(false);
  });
});

describe('tx rules', () => {
  const rules = { chainId: 'ehr-test', maxGasLimit: 1_000_000 };
  it('accepts a good tx and refuses another chain or bad gas', () => {
    checkTxRules(makeTx(1, 0), rules);
    expectCode(() => checkTxRules(makeTx(1, 0, { chainId: 'other' }), rules), 'wrong_chain');
    expectCode(() => checkTxRules(makeTx(1, 0, { gasLimit: 0 }), rules), 'gas_limit');
    expectCode(() => checkTxRules(makeTx(1, 0, { gasLimit: 1_000_001 }), rules), 'gas_limit');
  });
});
