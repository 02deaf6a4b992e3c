/**
 * Both crypto providers (node:crypto and @noble) reproduce every published vector in docs/vectors:
 * the same public keys, hashes and signatures, and the same answer to which signatures a node
 * accepts. The pure hex and base64url helpers that replaced Buffer agree with Buffer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { decodeKeyFile, encodeKeyFile, KeyFileError } from '../../../client/keyfile-format.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { nativeCrypto } from '../../../protocol/crypto/native.js';
import { nobleCrypto } from '../../../protocol/crypto/noble.js';
import type { CryptoProvider } from '../../../protocol/crypto/provider.js';
import { base64urlToBytes, bytesToBase64url } from '../../../protocol/records/bytes.js';
import { decodeRequest } from '../../../protocol/records/request.js';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), 'utf8')) as T;
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

interface KeysJson {
  keys: { seed: string; publicKey: string }[];
}
interface TxJson {
  senderSeed: string;
  hashDomain: string;
  txs: { bodyHex: string; hash: string; signature: string }[];
}
interface SigJson {
  cases: { name: string; nodesAccept: boolean; body: { sender: string }; hash: string; signature: string }[];
}
interface HeaderJson {
  hashDomain: string;
  header: { proposer: string };
  headerHex: string;
  hash: string;
  signature: string;
}
interface RecordsJson {
  envelope: { envelope: string; cid: string };
  readRequest: { signerSeed: string; bytes: string };
  uploadRequest: { signerSeed: string; bytes: string };
}

const providers: [string, CryptoProvider][] = [
  ['native', nativeCrypto],
  ['noble', nobleCrypto],
];

describe.each(providers)('the %s crypto provider on docs/vectors', (_name, p) => {
  it('derives every public key in keys.json', () => {
    for (const k of load<KeysJson>('keys.json').keys)
      expect(toHex(p.publicKeyFromSeed(fromHex(k.seed)))).toBe(k.publicKey);
  });

  it('hashes and signs every tx in tx.json to the published bytes', () => {
    const v = load<TxJson>('tx.json');
    for (const t of v.txs) {
      const hash = p.sha256(cat(fromHex(v.hashDomain), fromHex(t.bodyHex)));
      expect(toHex(hash)).toBe(t.hash);
      expect(toHex(p.sign(hash, fromHex(v.senderSeed)))).toBe(t.signature);
    }
  });

  it('accepts exactly the signatures in signatures.json that nodes accept', () => {
    for (const c of load<SigJson>('signatures.json').cases) {
      const ok = p.verify(fromHex(c.hash), fromHex(c.signature), fromHex(c.body.sender));
      expect({ name: c.name, ok }).toEqual({ name: c.name, ok: c.nodesAccept });
    }
  });

  it('verifies the block header signature in header.json', () => {
    const v = load<HeaderJson>('header.json');
    expect(toHex(p.sha256(cat(fromHex(v.hashDomain), fromHex(v.headerHex))))).toBe(v.hash);
    expect(p.verify(fromHex(v.hash), fromHex(v.signature), fromHex(v.header.proposer))).toBe(true);
  });

  it('verifies the signed read and upload requests in records.json and hashes the envelope to its CID', () => {
    const v = load<RecordsJson>('records.json');
    for (const r of [v.readRequest, v.uploadRequest]) {
      const q = decodeRequest(fromHex(r.bytes));
      const signer = p.publicKeyFromSeed(fromHex(r.signerSeed));
      expect(p.verify(q.signed, q.signature, signer)).toBe(true);
    }
    const cid = CID.parse(v.envelope.cid);
    expect(toHex(p.sha256(fromHex(v.envelope.envelope)))).toBe(toHex(cid.multihash.digest));
  });

  it('refuses a seed that is not 32 bytes with bad_key', () => {
    expect(() => p.publicKeyFromSeed(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'bad_key' }),
    );
  });
});

describe("the native provider's sha256 (libsodium where it loads) against node:crypto", () => {
  const nodeSha = (d: Uint8Array) => toHex(createHash('sha256').update(d).digest());

  it('sha256 gives node:crypto digest of any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (d) => {
        expect(toHex(nativeCrypto.sha256(d))).toBe(nodeSha(d));
      }),
    );
  });

  it('sha256Into writes the same digest into a view of a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat(64), (d, at) => {
        const slab = new Uint8Array(128).fill(0xee);
        nativeCrypto.sha256Into?.(slab.subarray(at, at + 32), d);
        expect(toHex(slab.subarray(at, at + 32))).toBe(nodeSha(d));
        expect(slab.subarray(0, at).every((b) => b === 0xee)).toBe(true);
        expect(slab.subarray(at + 32).every((b) => b === 0xee)).toBe(true);
      }),
    );
  });
});

describe('pure byte helpers against Buffer', () => {
  it('toHex and fromHex agree with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
      }),
    );
  });

  it('base64url encoding and decoding agree with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = bytesToBase64url(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(base64urlToBytes(s)).toEqual(b);
      }),
    );
  });
});

describe('the key file format', () => {
  const key = {
    seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  };

  it.each(providers)('round-trips through encode and decode with %s', (_n, p) => {
    expect(decodeKeyFile(encodeKeyFile(key), 'k', p)).toEqual(key);
  });

  it.each([
    ['not JSON', 'nope'],
    ['a wrong type', JSON.stringify({ type: 'rsa', seed: '00'.repeat(32), publicKey: '' })],
    [
      'a public key of another seed',
      JSON.stringify({ type: 'ed25519', seed: '00'.repeat(32), publicKey: 'ab'.repeat(32) }),
    ],
    ['a JSON value that is not an object', 'null'],
  ])('refuses %s with key_file_invalid', (_why, text) => {
    expect(() => decodeKeyFile(text)).toThrow(KeyFileError);
    expect(() => decodeKeyFile(text)).toThrow(expect.objectContaining({ code: 'key_file_invalid' }));
  });
});
