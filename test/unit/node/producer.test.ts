/**
 * Block production on the leader (node/blocks/producer.ts) against a fake pool and a fake Raft
 * `propose`: when it cuts, how many blocks it keeps in flight, what it returns to the pool, and which
 * tip it extends. Time is vitest's fake clock.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProposeResult } from '../../../consensus/types.js';
import { BlockProducer, type ProposalPool } from '../../../node/blocks/producer.js';
import { decodeBlock } from '../../../protocol/chain/block.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import type { ChainFeatures } from '../../../protocol/chain/features.js';
import type { Block, SignedTx } from '../../../protocol/chain/types.js';
import { CHAIN_ID, log, makeTx, testSigner } from './fixtures.js';

/** A pool of waiting txs in order; `take` hands them out, `onRequeue` records and returns them. */
class FakePool implements ProposalPool {
  waiting: SignedTx[] = [];
  readonly requeued: SignedTx[][] = [];
  get size(): number {
    return this.waiting.length;
  }
  take(maxTxs: number): SignedTx[] {
    return this.waiting.splice(0, maxTxs);
  }
  onRequeue(txs: readonly SignedTx[]): void {
    this.requeued.push([...txs]);
    this.waiting.unshift(...txs);
  }
  fill(n: number, from = 0): void {
    for (let i = 0; i < n; i++) this.waiting.push(makeTx(1, from + i));
  }
}

const opts = {
  chainId: CHAIN_ID,
  intervalMs: 100,
  maxTxs: 4,
  maxBytes: 1 << 20,
  maxInflight: 2,
  maxClockSkewMs: 5_000,
  distrustMs: 30_000,
};
const appliedRoot = new Uint8Array(32).fill(3);

function setup(
  over: {
    propose?: (data: Uint8Array) => ProposeResult;
    proposing?: (data: Uint8Array, txs: readonly SignedTx[]) => void;
    now?: () => number;
    monotonic?: () => number;
    features?: ChainFeatures;
  } = {},
) {
  const pool = new FakePool();
  const proposed: Block[] = [];
  const clockBehind = { held: 0, stepAside: [] as number[] };
  let index = 0;
  const producer = new BlockProducer(
    { ...opts, ...(over.features === undefined ? {} : { features: over.features }) },
    {
      pool,
      signer: testSigner(50),
      propose:
        over.propose ??
        ((data) => {
          proposed.push(decodeBlock(data));
          return { ok: true, index: ++index, term: 2 };
        }),
      ...(over.proposing === undefined ? {} : { proposing: over.proposing }),
      appliedState: () => ({ height: 3, root: appliedRoot }),
      now: over.now ?? (() => Date.now()),
      ...(over.monotonic === undefined ? {} : { monotonic: over.monotonic }),
      onClockBehind: () => {
        clockBehind.held++;
      },
      stepAside: (behindMs) => {
        clockBehind.stepAside.push(behindMs);
      },
      log,
    },
  );
  return { pool, proposed, producer, clockBehind };
}

/** The log tip a new leader extends: two blocks past the applied height 3. */
const logTip = { height: 5, hash: new Uint8Array(32).fill(5), time: 1_700_000_000_000 };

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BlockProducer cuts', () => {
  it('a block at once when the pool holds a full block', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(4);
    producer.maybeCut(true);
    expect(proposed.map((b) => b.txs.length)).toEqual([4]);
  });

  it('a block whose bytes and txs reach `proposing` first, the very array Raft is handed', () => {
    const seen: { data: Uint8Array; hashes: string[] }[] = [];
    const raftGot: Uint8Array[] = [];
    const { pool, producer } = setup({
      proposing: (data, txs) => seen.push({ data, hashes: txs.map((t) => toHex(t.hash)) }),
      propose: (data) => {
        expect(seen.length).toBe(1);
        raftGot.push(data);
        return { ok: true, index: 1, term: 2 };
      },
    });
    producer.lead(2, logTip);
    pool.fill(4);
    const want = pool.waiting.map((t) => toHex(t.hash));
    producer.maybeCut(true);
    expect(seen[0]?.data).toBe(raftGot[0]);
    expect(seen[0]?.hashes).toEqual(want);
    expect(decodeBlock(raftGot[0]!).txs.map((t) => toHex(t.hash))).toEqual(want);
  });

  it('no block on admission while the pool holds less than a full block', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(3);
    producer.maybeCut(true);
    expect(proposed).toEqual([]);
  });

  it('a block once the interval has passed with txs waiting', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(1);
    vi.advanceTimersByTime(opts.intervalMs - 1);
    expect(proposed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(proposed.map((b) => b.txs.length)).toEqual([1]);
  });

  it('never while the pool is idle', () => {
    const { proposed, producer } = setup();
    producer.lead(2, logTip);
    vi.advanceTimersByTime(opts.intervalMs * 50);
    expect(proposed).toEqual([]);
  });

  it('nothing as a follower, even with a full pool', () => {
    const { pool, proposed, producer } = setup();
    pool.fill(8);
    producer.maybeCut(true);
    vi.advanceTimersByTime(opts.intervalMs * 5);
    expect(proposed).toEqual([]);
  });
});

describe('BlockProducer pipelines', () => {
  it('keeps at most maxInflight blocks proposed and unapplied', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(20);
    producer.maybeCut(true);
    producer.maybeCut(true);
    producer.maybeCut(true);
    vi.advanceTimersByTime(opts.intervalMs * 10);
    expect(proposed).toHaveLength(opts.maxInflight);
    expect(producer.inflight).toBe(opts.maxInflight);
  });

  it('cuts the next block when one in flight is applied and a full block waits', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(20);
    producer.maybeCut(true);
    producer.maybeCut(true);
    producer.onApplied(6);
    expect(proposed.map((b) => b.header.height)).toEqual([6, 7, 8]);
    expect(producer.inflight).toBe(2);
  });

  it('extends the log tip, not the applied tip, and chains each block on the last proposed', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(8);
    producer.maybeCut(true);
    producer.maybeCut(true);
    const [first, second] = proposed as [Block, Block];
    expect(first.header).toMatchObject({ height: 6, parentHash: logTip.hash, term: 2, chainId: CHAIN_ID });
    // The state root is the applied state's, which lags behind the log.
    expect(first.header).toMatchObject({ stateHeight: 3, stateRoot: appliedRoot });
    expect(second.header).toMatchObject({ height: 7, parentHash: first.hash, stateHeight: 3 });
  });

  it('cuts no block while the clock is behind its parent: a stale time would stall consent time', () => {
    const { pool, proposed, producer, clockBehind } = setup();
    producer.lead(2, { ...logTip, time: Date.now() + 2_000 });
    pool.fill(4);
    producer.maybeCut(true);
    expect(proposed).toEqual([]);
    expect(clockBehind).toEqual({ held: 1, stepAside: [] });
  });

  it('cuts once the clock has passed its parent again, never before the parent time', () => {
    const { pool, proposed, producer } = setup();
    const parent = { ...logTip, time: Date.now() + 2_000 };
    producer.lead(2, parent);
    pool.fill(4);
    producer.maybeCut(true);
    vi.advanceTimersByTime(2_000);
    producer.maybeCut(true);
    expect(proposed[0]?.header.time).toBe(parent.time);
  });

  it('under timeAdvances, waits for the millisecond after its parent’s rather than cut a refused block', () => {
    const { pool, proposed, producer, clockBehind } = setup({ features: { timeAdvances: 1 } });
    const parent = { ...logTip, time: Date.now() };
    producer.lead(2, parent);
    pool.fill(4);
    producer.maybeCut(true);
    expect(proposed).toEqual([]);
    expect(clockBehind.held).toBe(0);
    vi.advanceTimersByTime(1);
    producer.maybeCut(true);
    expect(proposed[0]?.header.time).toBe(parent.time + 1);
  });

  it('steps aside when its clock is behind the chain by more than maxClockSkewMs', () => {
    const { pool, proposed, producer, clockBehind } = setup();
    producer.lead(2, { ...logTip, time: Date.now() + 60_000 });
    pool.fill(4);
    producer.maybeCut(true);
    expect(proposed).toEqual([]);
    expect(clockBehind.stepAside).toEqual([60_000]);
  });

  it('steps aside once its clock has stalled for more than maxClockSkewMs while it leads', () => {
    const stalledAt = Date.now();
    let mono = 0;
    const { pool, proposed, producer, clockBehind } = setup({ now: () => stalledAt, monotonic: () => mono });
    producer.lead(2, { ...logTip, time: stalledAt - 1_000 });
    pool.fill(4);
    mono = opts.maxClockSkewMs;
    producer.maybeCut(false);
    expect(clockBehind.stepAside).toEqual([]);
    mono += 1;
    producer.maybeCut(false);
    expect(proposed).toEqual([]);
    expect(clockBehind.stepAside).toEqual([opts.maxClockSkewMs + 1]);
  });
});

describe('BlockProducer returns txs to the pool', () => {
  it('of every unapplied block on follow(), and stops cutting', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(12);
    producer.maybeCut(true);
    producer.maybeCut(true);
    producer.onApplied(6);
    // Block 6 applied; 7 and 8 in flight.
    producer.follow();
    expect(producer.leading).toBe(false);
    expect(producer.inflight).toBe(0);
    expect(pool.requeued.map((txs) => txs.map((t) => t.body.nonce))).toEqual([
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    vi.advanceTimersByTime(opts.intervalMs * 10);
    expect(proposed).toHaveLength(3);
  });

  it('when Raft refuses the proposal, keeping nothing in flight', () => {
    const { pool, producer } = setup({ propose: () => ({ ok: false, code: 'not_leader', leader: null }) });
    producer.lead(2, logTip);
    pool.fill(4);
    producer.maybeCut(true);
    expect(producer.inflight).toBe(0);
    expect(pool.requeued).toHaveLength(1);
    expect(pool.size).toBe(4);
  });

  it('when a block of ours is rejected, then extends the tip it is given', () => {
    const { pool, proposed, producer } = setup();
    producer.lead(2, logTip);
    pool.fill(8);
    producer.maybeCut(true);
    producer.maybeCut(true);
    const applied = { height: 5, hash: new Uint8Array(32).fill(8), time: logTip.time };
    producer.onRejected(applied);
    expect(pool.requeued).toHaveLength(2);
    producer.maybeCut(true);
    expect(proposed[2]?.header).toMatchObject({ height: 6, parentHash: applied.hash });
  });
});
