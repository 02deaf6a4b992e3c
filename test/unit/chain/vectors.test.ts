/**
 * The published vectors (docs/vectors/*.json) are reproduced exactly by the code, and check out
 * independently with @noble/curves and @noble/hashes (what a browser client would use).
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  decodeBlock,
  decodeBlockHeader,
  verifyBlockShape,
  verifyBlockSignature,
} from '../../../protocol/chain/block.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { decodeSignedTx, encodeTxBody, verifyTx } from '../../../protocol/chain/tx.js';
import { generateVectors, type TxBodyJson, txBodyFromJson } from './vectors.js';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), 'utf8')) as T;

interface KeysJson {
  keys: { seed: string; publicKey: string }[];
}
interface TxJson {
  hashDomain: string;
  txs: { body: TxBodyJson; bodyHex: string; hash: string; signature: string; signedTx: string }[];
}
interface HeaderJson {
  hashDomain: string;
  header: { proposer: string; txRoot: string; height: number; txCount: number };
  headerHex: string;
  hash: string;
  signature: string;
  blockHex: string;
}
interface MerkleJson {
  leaves: string[];
  root: string;
  rootsByCount: { leaves: string[]; root: string }[];
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('test vectors', () => {
  it('the code reproduces docs/vectors/*.json exactly', () => {
    for (const [name, v] of Object.entries(generateVectors())) {
      expect(JSON.parse(JSON.stringify(v))).toEqual(load(name));
    }
  });

  it('keys: @noble/curves derives the same public keys', () => {
    for (const k of load<KeysJson>('keys.json').keys) {
      expect(toHex(ed25519.getPublicKey(fromHex(k.seed)))).toBe(k.publicKey);
    }
  });

  it('txs: encoding, hash and signature check out with noble', () => {
    const v = load<TxJson>('tx.json');
    for (const t of v.txs) {
      expect(toHex(encodeTxBody(txBodyFromJson(t.body)))).toBe(t.bodyHex);
      expect(toHex(nobleSha256(cat(fromHex(v.hashDomain), fromHex(t.bodyHex))))).toBe(t.hash);
      expect(ed25519.verify(fromHex(t.signature), fromHex(t.hash), fromHex(t.body.sender))).toBe(true);
      expect(t.signedTx).toBe(t.bodyHex + t.signature);
      const d = decodeSignedTx(fromHex(t.signedTx));
      expect(toHex(d.hash)).toBe(t.hash);
      expect(verifyTx(d)).toBe(true);
    }
  });

  it('header and block: encoding, hash and signature check out with noble', () => {
    const v = load<HeaderJson>('header.json');
    expect(toHex(nobleSha256(cat(fromHex(v.hashDomain), fromHex(v.headerHex))))).toBe(v.hash);
    expect(ed25519.verify(fromHex(v.signature), fromHex(v.hash), fromHex(v.header.proposer))).toBe(true);
    expect(decodeBlockHeader(fromHex(v.headerHex)).height).toBe(v.header.height);
    const block = decodeBlock(fromHex(v.blockHex));
    expect(toHex(block.hash)).toBe(v.hash);
    verifyBlockShape(block);
    expect(verifyBlockSignature(block)).toBe(true);
    const txHashes = load<TxJson>('tx.json').txs.map((t) => t.hash);
    expect(block.txs.map((t) => toHex(t.hash))).toEqual(txHashes);
  });

  it('merkle roots recomputed with noble (RFC 6962)', () => {
    const h = (...p: Uint8Array[]) => nobleSha256(cat(...p));
    const mth = (d: Uint8Array[]): Uint8Array => {
      if (d.length === 0) return h();
      if (d.length === 1) return h(new Uint8Array([0]), d[0]!);
      let k = 1;
      while (k * 2 < d.length) k *= 2;
      return h(new Uint8Array([1]), mth(d.slice(0, k)), mth(d.slice(k)));
    };
    const v = load<MerkleJson>('merkle.json');
    expect(toHex(mth(v.leaves.map(fromHex)))).toBe(v.root);
    for (const r of v.rootsByCount) expect(toHex(mth(r.leaves.map(fromHex)))).toBe(r.root);
  });
});
