/** What follows an applied block (node/blocks/fanout.ts), each consumer a recording fake. */
import { describe, expect, it } from 'vitest';
import type { AppliedBlock } from '../../../node/blocks/applier.js';
import { AppliedFanout, CommitLatency } from '../../../node/blocks/fanout.js';
import { createNodeEvents } from '../../../node/events.js';
import { NodeMetrics } from '../../../node/metrics.js';
import type { NodeEvent } from '../../../protocol/api.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import type { Receipt, SignedTx } from '../../../protocol/chain/types.js';
import { counterValue, gaugeValue, makeBlock, makeTx } from './fixtures.js';

function receipt(tx: SignedTx, index: number, status: Receipt['status'], events: string[] = []): Receipt {
  return {
    txHash: tx.hash,
    height: 7,
    index,
    status,
    ...(status === 'reverted' ? { error: 'unauthorised' } : {}),
    gasUsed: 1,
    returnData: new Uint8Array(0),
    events: events.map((name) => ({ name, data: [] })),
  };
}

function setup() {
  const calls: string[] = [];
  const metrics = new NodeMetrics();
  const events = createNodeEvents();
  const latency = new CommitLatency();
  let clock = 0;
  let validatorChanges = 0;
  const fanout = new AppliedFanout({
    mempool: { onCommitted: (txs) => calls.push(`mempool:${txs.length}`), size: 3 },
    producer: { onApplied: (h) => calls.push(`producer:${h}`) },
    records: { onApplied: (a) => calls.push(`records:${a.block.header.height}`) },
    metrics,
    events,
    latency,
    commitIndex: () => 42,
    onValidatorsChanged: () => validatorChanges++,
    now: () => clock,
  });
  return {
    calls,
    metrics,
    events,
    latency,
    fanout,
    setClock: (t: number) => {
      clock = t;
    },
    validatorChanges: () => validatorChanges,
  };
}

const txs = [makeTx(1, 0), makeTx(2, 0), makeTx(3, 0)];
const applied: AppliedBlock = {
  block: makeBlock({ height: 7, stateHeight: 5 }, txs),
  receipts: [
    receipt(txs[0]!, 0, 'ok', ['validator_added']),
    receipt(txs[1]!, 1, 'reverted', ['validator_removed']),
    receipt(txs[2]!, 2, 'ok'),
  ],
  root: new Uint8Array(32),
};

describe('AppliedFanout', () => {
  it('tells the mempool, the producer and the records service, in that order', () => {
    const f = setup();
    f.fanout.onApplied(applied);
    expect(f.calls).toEqual(['mempool:3', 'producer:7', 'records:7']);
  });

  it('counts committed txs by status and sets height, mempool and commit index', async () => {
    const f = setup();
    f.fanout.onApplied(applied);
    expect(await counterValue(f.metrics.txCommitted, { status: 'ok' })).toBe(2);
    expect(await counterValue(f.metrics.txCommitted, { status: 'reverted' })).toBe(1);
    expect(await gaugeValue(f.metrics.blockHeight)).toBe(7);
    expect(await gaugeValue(f.metrics.mempoolTxs)).toBe(3);
    expect(await gaugeValue(f.metrics.raftCommitIndex)).toBe(42);
  });

  it('observes commit latency only for txs admitted on this node, once each', async () => {
    const f = setup();
    f.latency.admitted(txs[1]!, 1000);
    f.setClock(1250);
    f.fanout.onApplied(applied);
    const count = async () =>
      (await f.metrics.commitLatency.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value;
    const sum = async () =>
      (await f.metrics.commitLatency.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value;
    expect(await count()).toBe(1);
    expect(await sum()).toBeCloseTo(0.25);
    expect(f.latency.committed(txs[1]!, 2000)).toBeUndefined();
  });

  it('signals a validator-set change only for a tx that succeeded', () => {
    const f = setup();
    f.fanout.onApplied(applied);
    expect(f.validatorChanges()).toBe(1);
  });

  it('feeds the event stream a block and its receipts when someone listens', () => {
    const f = setup();
    const seen: NodeEvent[] = [];
    f.events.on('event', (e) => seen.push(e));
    f.fanout.onApplied(applied);
    expect(seen.map((e) => e.type)).toEqual(['block', 'receipts']);
    expect(seen[1]).toEqual({
      type: 'receipts',
      height: 7,
      receipts: [
        { hash: toHex(txs[0]!.hash), status: 'ok' },
        { hash: toHex(txs[1]!.hash), status: 'reverted', error: 'unauthorised' },
        { hash: toHex(txs[2]!.hash), status: 'ok' },
      ],
    });
  });
});
