/**
 * docs/vectors/signatures.json: the node's verifier, in every mode and with both ed25519 backends
 * (libsodium, node:crypto), accepts the control signature and
 * refuses each edge case (non-reduced S, small-order and non-canonical keys and R, mixed-order key),
 * including those @noble/curves accepts by default; docs/vectors/batch.json: the batch frame decodes
 * to the txs of tx.json and re-encodes to itself.
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { effectiveBackend, loadSodium } from '../../../node/blocks/ed25519.js';
import { Verifier } from '../../../node/blocks/verify.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { verifySignature } from '../../../protocol/chain/keys.js';
import { decodeSignedTx, verifyTx } from '../../../protocol/chain/tx.js';
import { decodeTxBatch, encodeTxBatch } from '../../../protocol/chain/tx-batch.js';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), 'utf8')) as T;

interface SigCase {
  name: string;
  nodesAccept: boolean;
  nobleDefault: boolean;
  hash: string;
  signature: string;
  signedTx: string;
  body: { sender: string };
}
const { cases } = load<{ cases: SigCase[] }>('signatures.json');
const verifiers = {
  'sync (libsodium)': new Verifier({ mode: 'sync', library: 'sodium' }),
  'sync (node:crypto)': new Verifier({ mode: 'sync', library: 'node' }),
  async: new Verifier({ mode: 'async' }),
  'workers (libsodium)': new Verifier({ mode: 'workers', workers: 1, library: 'sodium' }),
  'workers (node:crypto)': new Verifier({ mode: 'workers', workers: 1, library: 'node' }),
};
afterAll(async () => {
  await Promise.all(Object.values(verifiers).map((v) => v.close()));
});

describe('signature vectors (docs/vectors/signatures.json)', () => {
  it('cover the control and every refused edge case', () => {
    expect(cases.map((c) => [c.name, c.nodesAccept])).toEqual([
      ['valid', true],
      ['s_not_reduced', false],
      ['small_order_key_identity', false],
      ['small_order_key_order8', false],
      ['noncanonical_key', false],
      ['small_order_r', false],
      ['noncanonical_r', false],
      ['mixed_order_key', false],
    ]);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: verifySignature and verifyTx answer nodesAccept',
    (_, c) => {
      expect(verifySignature(fromHex(c.hash), fromHex(c.signature), fromHex(c.body.sender))).toBe(
        c.nodesAccept,
      );
      const tx = decodeSignedTx(fromHex(c.signedTx));
      expect(toHex(tx.hash)).toBe(c.hash);
      expect(verifyTx(tx)).toBe(c.nodesAccept);
    },
  );

  it.each(Object.entries(verifiers))('the %s Verifier answers nodesAccept for each case', async (_, v) => {
    const txs = cases.map((c) => decodeSignedTx(fromHex(c.signedTx)));
    expect(await v.verifyTxs(txs)).toEqual(cases.map((c) => c.nodesAccept));
  });

  it('runs libsodium where configured and it loads, node:crypto where configured or forced', () => {
    expect(loadSodium()).not.toBeNull();
    expect(verifiers['sync (libsodium)'].backend).toBe('sodium');
    expect(verifiers['sync (node:crypto)'].backend).toBe('node');
    expect(effectiveBackend('sodium', {})).toBe('sodium');
    expect(effectiveBackend('sodium', { EHRCHAIN_ED25519: 'node' })).toBe('node');
  });

  it('the workers report the backend they loaded', async () => {
    const txs = cases.map((c) => decodeSignedTx(fromHex(c.signedTx)));
    await verifiers['workers (libsodium)'].verifyTxs(txs);
    await verifiers['workers (node:crypto)'].verifyTxs(txs);
    expect(verifiers['workers (libsodium)'].workerBackends()).toEqual(['sodium']);
    expect(verifiers['workers (node:crypto)'].workerBackends()).toEqual(['node']);
  });

  it("records what noble's default (ZIP-215) verify answers: it accepts what the nodes refuse", () => {
    for (const c of cases) {
      expect(ed25519.verify(fromHex(c.signature), fromHex(c.hash), fromHex(c.body.sender)), c.name).toBe(
        c.nobleDefault,
      );
    }
    expect(cases.filter((c) => c.nobleDefault && !c.nodesAccept).length).toBeGreaterThan(0);
  });
});

describe('batch vector (docs/vectors/batch.json)', () => {
  it('decodes to the txs of tx.json and re-encodes to the same frame', () => {
    const v = load<{ txs: string[]; frameHex: string }>('batch.json');
    const tx = load<{ txs: { signedTx: string }[] }>('tx.json');
    expect(v.txs).toEqual(tx.txs.map((t) => t.signedTx));
    const decoded = decodeTxBatch(fromHex(v.frameHex), 131072, 1000);
    expect(decoded.map(toHex)).toEqual(v.txs);
    expect(toHex(encodeTxBatch(decoded))).toBe(v.frameHex);
    expect(v.frameHex.slice(0, 4)).toBe('0003');
  });
});
