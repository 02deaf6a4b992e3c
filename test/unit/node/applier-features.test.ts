/**
 * The applier and the feature switches in state (node/blocks/applier.ts): a switch scheduled in
 * state binds the rules from its height; a scheduled feature this code does not know stops the
 * applier after the block before its height, and a new applier on that store starts stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Entry, EntryType } from '../../../consensus/types.js';
import { Applier } from '../../../node/blocks/applier.js';
import type { ChainTip } from '../../../node/blocks/rules.js';
import { Verifier } from '../../../node/blocks/verify.js';
import type { ContractCall } from '../../../node/state/executor.js';
import { scheduleFeature } from '../../../node/state/features.js';
import { createExecutor } from '../../../node/state/registry.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { encodeBlock } from '../../../protocol/chain/block.js';
import type { UpgradeRequired } from '../../../protocol/chain/features.js';
import type { Block } from '../../../protocol/chain/types.js';
import { tempDir } from '../store/helpers.js';
import { genesisTip, log, makeBlock, makeTx, testSigner } from './fixtures.js';

const u = (s: string) => new TextEncoder().encode(s);
const proposer = testSigner(50).publicKey;

/** A system contract standing in for governance: `kv.put(name, height)` schedules the feature. */
const scheduler = createExecutor({
  contracts: {
    kv: {
      system: true,
      call: (c: ContractCall) => {
        scheduleFeature(
          c.storage,
          new TextDecoder().decode(c.args[0]),
          Number(new TextDecoder().decode(c.args[1])),
        );
        return { ok: true, gasUsed: 1 };
      },
      query: () => ({ ok: false, error: 'unknown_method' }),
    },
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function applierOver(store: ChainStore, tip: ChainTip, stops: UpgradeRequired[], rejected: string[]) {
  return new Applier(
    { chainId: 'ehr-test' },
    {
      executor: scheduler,
      sink: store,
      sigs: new Verifier({ mode: 'sync' }),
      isValidator: (pk) => Buffer.from(pk).equals(Buffer.from(proposer)),
      hooks: {
        onApplied: () => undefined,
        onRejected: (_, code) => rejected.push(code),
        onDivergence: () => undefined,
        onUpgradeRequired: (x) => stops.push(x),
      },
      log,
      tip,
    },
  );
}

let index = 1;
const entryOf = (b: Block): Entry => ({
  index: index++,
  term: 1,
  type: EntryType.Normal,
  data: encodeBlock(b),
});

/** The block after `tip` at `dt` ms after it, scheduling `name` at `at` (nonce `n`). */
const next = (tip: ChainTip, store: ChainStore, n: number, name: string, at: number, dt = 1000): Block =>
  makeBlock(
    {
      height: tip.height + 1,
      parentHash: tip.hash,
      time: tip.time + dt,
      stateHeight: tip.height,
      stateRoot: store.stateRoot(),
    },
    [makeTx(1, n, { args: [u(name), u(String(at))] })],
  );

async function setup() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  cleanups.push(() => store.close());
  const stops: UpgradeRequired[] = [];
  const rejected: string[] = [];
  return { store, stops, rejected, applier: applierOver(store, genesisTip, stops, rejected) };
}

describe('feature switches scheduled in state', () => {
  it('a known one binds the rules from its height: a block in its parent millisecond is refused', async () => {
    const { store, applier, rejected } = await setup();
    await applier.apply([entryOf(next(applier.tip, store, 0, 'timeAdvances', 3))]);
    expect(applier.features).toEqual({ timeAdvances: 3 });
    await applier.apply([entryOf(next(applier.tip, store, 1, 'x', 900, 0))]);
    expect(rejected).toEqual([]);
    await applier.apply([entryOf(next(applier.tip, store, 2, 'y', 900, 0))]);
    expect(rejected).toEqual(['bad_time']);
    expect(store.latestHeight()).toBe(2);
  });

  it('an unknown one stops the applier after the block before its height, once', async () => {
    const { store, applier, stops } = await setup();
    await applier.apply([entryOf(next(applier.tip, store, 0, 'futureRule', 3))]);
    expect(applier.upgradeRequired).toBeNull();
    await applier.apply([entryOf(next(applier.tip, store, 1, 'x', 900))]);
    expect(stops).toEqual([{ name: 'futureRule', height: 3 }]);
    await expect(applier.apply([entryOf(next(applier.tip, store, 2, 'y', 900))])).rejects.toThrow(
      'upgrade required: feature futureRule activates at height 3',
    );
    expect(store.latestHeight()).toBe(2);
    expect(stops).toHaveLength(1);
  });

  it('a new applier on a store stopped that way starts stopped', async () => {
    const { store, applier, stops, rejected } = await setup();
    await applier.apply([entryOf(next(applier.tip, store, 0, 'futureRule', 2))]);
    expect(stops).toHaveLength(1);
    const again = applierOver(store, applier.tip, [], rejected);
    expect(again.upgradeRequired).toEqual({ name: 'futureRule', height: 2 });
  });
});
