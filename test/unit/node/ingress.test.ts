/**
 * Transaction admission (node/blocks/ingress.ts), through its deps: a real mempool, a real verifier
 * on the calling thread (its raw check spied on), metrics read back by code. Each refusal is a row.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TxIngress } from '../../../node/blocks/ingress.js';
import { Verifier } from '../../../node/blocks/verify.js';
import { Mempool } from '../../../node/mempool/mempool.js';
import { NodeMetrics } from '../../../node/metrics.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { defaultTxLimits } from '../../../protocol/chain/tx.js';
import { decodeTxBatch, encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { CHAIN_ID, counterValue, log, makeTx } from './fixtures.js';

const MAX_TX_BYTES = 1024;
const MAX_GAS = 1_000_000;

function setup(batch = { txs: 64, ms: 5 }) {
  const pool = new Mempool({}, { committedNonce: () => 0 });
  const sigs = new Verifier({ mode: 'sync' });
  const rawChecks = vi.spyOn(sigs, 'verify');
  const metrics = new NodeMetrics();
  const gossiped: Uint8Array[][] = [];
  const admitted: { tx: SignedTx; source: string }[] = [];
  const ingress = new TxIngress(
    {
      limits: { ...defaultTxLimits, maxTxBytes: MAX_TX_BYTES },
      rules: { chainId: CHAIN_ID, maxGasLimit: MAX_GAS },
      gossipBatchTxs: batch.txs,
      gossipBatchMs: batch.ms,
    },
    {
      pool,
      verifier: sigs,
      gossip: (b) => gossiped.push(decodeTxBatch(b, MAX_TX_BYTES)),
      onAdmitted: (tx, source) => admitted.push({ tx, source }),
      metrics,
      log,
    },
  );
  return { pool, rawChecks, metrics, gossiped, admitted, ingress };
}

/** A tx with one bit of its signature flipped. */
function badlySigned(tx: SignedTx): Uint8Array {
  const bytes = tx.bytes.slice();
  bytes[bytes.length - 1]! ^= 1;
  return bytes;
}

const refusals: ReadonlyArray<{ code: string; why: string; bytes: () => Uint8Array[] }> = [
  { code: 'bad_encoding', why: 'the bytes are not a signed tx', bytes: () => [new Uint8Array([1, 2, 3])] },
  {
    code: 'too_large',
    why: 'the tx is over maxTxBytes',
    bytes: () => [makeTx(1, 0, { args: [new Uint8Array(MAX_TX_BYTES)] }).bytes],
  },
  {
    code: 'wrong_chain',
    why: 'the tx is for another chain',
    bytes: () => [makeTx(1, 0, { chainId: 'x' }).bytes],
  },
  { code: 'gas_limit', why: 'the gas limit is 0', bytes: () => [makeTx(1, 0, { gasLimit: 0 }).bytes] },
  {
    code: 'gas_limit',
    why: 'the gas limit is over the maximum',
    bytes: () => [makeTx(1, 0, { gasLimit: MAX_GAS + 1 }).bytes],
  },
  { code: 'bad_signature', why: 'the signature does not verify', bytes: () => [badlySigned(makeTx(1, 0))] },
  {
    code: 'duplicate',
    why: 'the same tx is already pending',
    bytes: () => {
      const tx = makeTx(1, 0);
      return [tx.bytes, tx.bytes];
    },
  },
];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TxIngress refuses a client tx', () => {
  it.each(refusals)('$code when $why, counting it under its code', async (row) => {
    const { ingress, metrics, pool } = setup();
    const all = row.bytes();
    const last = all.pop()!;
    for (const b of all) await ingress.submit(b);
    const before = pool.size;
    const err = await ingress.submit(last).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect((err as ChainError).code).toBe(row.code);
    expect(await counterValue(metrics.txRejected, { code: row.code })).toBe(1);
    expect(pool.size).toBe(before);
  });
});

describe('TxIngress admits', () => {
  it('a good client tx: into the pool, counted, announced and queued for gossip', async () => {
    const { ingress, pool, metrics, admitted, gossiped } = setup();
    const tx = makeTx(1, 0);
    await ingress.submit(tx.bytes);
    expect(pool.has(tx.hash)).toBe(true);
    expect(await counterValue(metrics.txAdmitted, { source: 'http' })).toBe(1);
    expect(admitted.map((a) => a.source)).toEqual(['http']);
    vi.advanceTimersByTime(5);
    expect(gossiped).toEqual([[tx.bytes]]);
  });

  it('a client batch tx by tx, returning each refusal in place', async () => {
    const { ingress, pool } = setup();
    const good = [makeTx(1, 0), makeTx(1, 1)];
    const out = await ingress.submitBatch([good[0]!.bytes, badlySigned(makeTx(2, 0)), good[1]!.bytes]);
    expect(out.map((r) => (r instanceof ChainError ? r.code : 'ok'))).toEqual(['ok', 'bad_signature', 'ok']);
    expect(pool.size).toBe(2);
  });

  it('the good txs of a gossiped batch that holds a bad one', async () => {
    const { ingress, pool, metrics, admitted } = setup();
    const a = makeTx(1, 0);
    const b = makeTx(2, 0);
    await ingress.receiveBatch(encodeTxBatch([a.bytes, badlySigned(makeTx(3, 0)), b.bytes]), 'peer');
    expect(pool.has(a.hash) && pool.has(b.hash)).toBe(true);
    expect(pool.size).toBe(2);
    expect(admitted.map((x) => x.source)).toEqual(['gossip', 'gossip']);
    expect(await counterValue(metrics.txAdmitted, { source: 'gossip' })).toBe(2);
    expect(await counterValue(metrics.txRejected, { code: 'bad_signature' })).toBe(1);
  });

  it('a gossiped duplicate silently (a tx reaching us twice is normal)', async () => {
    const { ingress, metrics } = setup();
    const a = makeTx(1, 0);
    await ingress.submit(a.bytes);
    await ingress.receiveBatch(encodeTxBatch([a.bytes]), 'peer');
    expect(await counterValue(metrics.txRejected, { code: 'duplicate' })).toBe(0);
  });

  it('nothing from a malformed gossiped batch, counting it', async () => {
    const { ingress, pool, metrics } = setup();
    await ingress.receiveBatch(new Uint8Array([0, 5, 1]), 'peer');
    expect(pool.size).toBe(0);
    expect(await counterValue(metrics.txRejected, { code: 'bad_encoding' })).toBe(1);
  });
});

describe('TxIngress verifies', () => {
  it('a signature once: the same tx from a client, then by gossip, is checked once', async () => {
    const { ingress, rawChecks } = setup();
    const a = makeTx(1, 0);
    await ingress.submit(a.bytes);
    await ingress.receiveBatch(encodeTxBatch([a.bytes]), 'peer');
    await ingress.submit(a.bytes).catch(() => undefined);
    expect(rawChecks).toHaveBeenCalledTimes(1);
  });
});

describe('TxIngress gossips client txs', () => {
  it('in one batch once gossipBatchTxs are queued', async () => {
    const { ingress, gossiped } = setup({ txs: 3, ms: 1000 });
    const txs = [makeTx(1, 0), makeTx(1, 1), makeTx(1, 2)];
    for (const t of txs) await ingress.submit(t.bytes);
    expect(gossiped).toEqual([txs.map((t) => t.bytes)]);
  });

  it('a lone tx at once, after a quiet spell of gossipBatchMs', async () => {
    const { ingress, gossiped } = setup({ txs: 3, ms: 20 });
    const a = makeTx(1, 0);
    await ingress.submit(a.bytes);
    vi.advanceTimersByTime(0);
    expect(gossiped).toEqual([[a.bytes]]);
  });

  it('while txs keep coming, at most one batch per gossipBatchMs, not before', async () => {
    const { ingress, gossiped } = setup({ txs: 3, ms: 20 });
    const [a, b, c] = [makeTx(1, 0), makeTx(1, 1), makeTx(1, 2)];
    await ingress.submit(a.bytes);
    vi.advanceTimersByTime(5);
    await ingress.submit(b.bytes);
    vi.advanceTimersByTime(5);
    await ingress.submit(c.bytes);
    vi.advanceTimersByTime(9); // 19 ms after a's batch
    expect(gossiped).toEqual([[a.bytes]]);
    vi.advanceTimersByTime(1);
    expect(gossiped).toEqual([[a.bytes], [b.bytes, c.bytes]]);
  });

  it('never what came by gossip', async () => {
    const { ingress, gossiped } = setup({ txs: 1, ms: 1 });
    await ingress.receiveBatch(encodeTxBatch([makeTx(1, 0).bytes]), 'peer');
    vi.advanceTimersByTime(10);
    expect(gossiped).toEqual([]);
  });
});
