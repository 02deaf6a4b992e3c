/** The read recorder: batching into recordReads txs, nonces, and settling by receipt. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../node/log.js';
import { ConsultRecorder } from '../../../node/records/consult-receipts.js';
import { createSubmitLane, ReadRecorder } from '../../../node/records/receipts.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { decodeSignedTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { unpackFields } from '../../../vm/abi.js';
import { fixed } from './vectors.js';

const read = (at: number) => ({
  reader: fixed('r'),
  patient: fixed('p'),
  recordId: fixed('x'),
  version: 1,
  purpose: 'TREAT' as const,
  at,
});

function recorder(opts: { fail?: boolean } = {}) {
  const sent: SignedTx[] = [];
  const r = new ReadRecorder(
    { intervalMs: 10_000, maxBatch: 3, maxPending: 100, resubmitMs: 1000 },
    {
      chainId: 'c',
      signer: createSigner(fixed('node')),
      nextNonce: () => 5,
      submit: async (b) => {
        if (opts.fail === true) throw new Error('mempool full');
        sent.push(decodeSignedTx(b));
      },
    },
    silentLogger(),
  );
  return { r, sent };
}

describe('ReadRecorder', () => {
  it('batches up to maxBatch reads per recordReads tx, with consecutive nonces', async () => {
    const { r, sent } = recorder();
    for (let i = 0; i < 7; i++) r.add(read(i));
    await r.flush();
    expect(sent.map((t) => t.body.nonce)).toEqual([5, 6, 7]);
    expect(sent.map((t) => unpackFields(t.body.args[0]!).length)).toEqual([3, 3, 1]);
    expect(sent.every((t) => t.body.contract === 'consent' && t.body.method === 'recordReads')).toBe(true);
    expect(r.submitted).toBe(7);
    await r.stop();
  });

  it('keeps reads it could not submit', async () => {
    const { r } = recorder({ fail: true });
    r.add(read(1));
    await r.flush();
    expect(r.pending).toBe(1);
    await r.stop();
  });

  it('settles by receipt: ok counts, future_read and nonce errors re-queue, other reverts drop', async () => {
    const { r, sent } = recorder();
    for (let i = 0; i < 12; i++) r.add(read(i));
    await r.flush();
    const [a, b, c, d] = sent;
    r.onReceipt(a!.hash, 'ok', undefined);
    r.onReceipt(b!.hash, 'reverted', 'future_read');
    r.onReceipt(c!.hash, 'reverted', 'unauthorised');
    r.onReceipt(c!.hash, 'ok', undefined);
    r.onReceipt(d!.hash, 'reverted', 'nonce_too_low');
    expect({ recorded: r.recorded, requeued: r.requeued, dropped: r.dropped, pending: r.pending }).toEqual({
      recorded: 3,
      requeued: 6,
      dropped: 3,
      pending: 6,
    });
    await r.stop();
    expect(sent).toHaveLength(6);
  });
});

describe('ReadRecorder resubmission while running', () => {
  function dropping(errorOnResubmit?: string) {
    const sent: SignedTx[] = [];
    const pool = new Set<string>();
    const chain = { nonce: 5 };
    const key = (h: Uint8Array) => Buffer.from(h).toString('hex');
    const r = new ReadRecorder(
      { intervalMs: 10_000, maxBatch: 2, maxPending: 100, resubmitMs: 1000 },
      {
        chainId: 'c',
        signer: createSigner(fixed('node')),
        nextNonce: () => chain.nonce + pool.size,
        submit: async (b) => {
          const tx = decodeSignedTx(b);
          if (
            sent.length > 0 &&
            errorOnResubmit !== undefined &&
            sent.some((s) => key(s.hash) === key(tx.hash))
          )
            throw Object.assign(new Error(errorOnResubmit), { code: errorOnResubmit });
          sent.push(tx);
          pool.add(key(tx.hash));
        },
        isPending: (h) => pool.has(key(h)),
      },
      silentLogger(),
    );
    return { r, sent, chain, evict: (t: SignedTx) => pool.delete(key(t.hash)) };
  }

  it('leaves a batch alone while it is in the mempool or not yet due', async () => {
    const { r, sent, evict } = dropping();
    r.add(read(1));
    await r.flush();
    expect(await r.resubmitDropped(Date.now() + 5000)).toBe(0);
    evict(sent[0]!);
    expect(await r.resubmitDropped(Date.now() - 1)).toBe(0);
    await r.stop();
  });

  it('resubmits the same signed tx once it is evicted, and settles on its receipt', async () => {
    const { r, sent, evict } = dropping();
    r.add(read(1));
    r.add(read(2));
    await r.flush();
    evict(sent[0]!);
    expect(await r.resubmitDropped(Date.now() + 1000)).toBe(1);
    expect(sent.map((t) => t.hash)).toEqual([sent[0]!.hash, sent[0]!.hash]);
    r.onReceipt(sent[0]!.hash, 'ok', undefined);
    expect({ recorded: r.recorded, resubmitted: r.resubmitted, idle: r.idle }).toEqual({
      recorded: 2,
      resubmitted: 2,
      idle: true,
    });
    await r.stop();
  });

  it('signs the reads again with a fresh nonce when their nonce was taken', async () => {
    const { r, sent, chain, evict } = dropping('nonce_stale');
    r.add(read(1));
    await r.flush();
    evict(sent[0]!);
    chain.nonce = 6; // another tx of this key committed with nonce 5
    await r.resubmitDropped(Date.now() + 1000);
    await r.flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.hash).not.toEqual(sent[0]!.hash);
    r.onReceipt(sent[0]!.hash, 'ok', undefined);
    expect(r.recorded).toBe(0);
    r.onReceipt(sent[1]!.hash, 'ok', undefined);
    expect(r.recorded).toBe(1);
    await r.stop();
  });

  it('backs off: a batch refused again is retried only after twice the delay', async () => {
    const { r, sent, evict } = dropping('mempool_full');
    r.add(read(1));
    await r.flush();
    evict(sent[0]!);
    const t = Date.now() + 1000;
    await r.resubmitDropped(t);
    expect(await r.resubmitDropped(t + 1500)).toBe(0);
    expect(r.pending + sent.length).toBe(1);
    await r.stop();
  });
});

describe('ConsultRecorder', () => {
  const consult = (at: number) => ({
    actor: 'ab'.repeat(32),
    patient: 'cd'.repeat(32),
    target: { kind: 'category', category: 'lab' } as const,
    action: 'read' as const,
    purpose: 'TREAT' as const,
    at,
  });

  it('sends recordConsults txs on the lane of the read recorder: one key, consecutive nonces', async () => {
    const sent: SignedTx[] = [];
    const deps = {
      chainId: 'c',
      signer: createSigner(fixed('node')),
      nextNonce: () => 5,
      submit: async (b: Uint8Array) => void sent.push(decodeSignedTx(b)),
      lane: createSubmitLane(),
    };
    const opts = { intervalMs: 10_000, maxBatch: 2, maxPending: 100, resubmitMs: 1000 };
    const reads = new ReadRecorder(opts, deps, silentLogger());
    const consults = new ConsultRecorder(opts, deps, silentLogger());
    for (let i = 0; i < 3; i++) void consults.add(consult(i));
    void reads.add(read(1));
    await Promise.all([consults.flush(), reads.flush()]);
    expect(sent.map((t) => [t.body.method, t.body.nonce])).toEqual([
      ['recordConsults', 5],
      ['recordConsults', 6],
      ['recordReads', 7],
    ]);
    expect(unpackFields(sent[0]!.body.args[0]!)).toHaveLength(2);
    consults.onReceipt(sent[0]!.hash, 'reverted', 'future_consult');
    expect(consults.requeued).toBe(2);
    await Promise.all([consults.stop(), reads.stop()]);
  });
});
