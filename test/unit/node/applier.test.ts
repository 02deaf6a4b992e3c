/**
 * The applier (node/blocks/applier.ts) over a real ChainStore in a temp dir: a committed block that
 * breaks a rule is skipped with its code and leaves state as it was; a block naming a state root
 * other than the one this node computed is a divergence, reported once, after which nothing applies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Entry, EntryType } from '../../../consensus/types.js';
import { type AppliedBlock, Applier } from '../../../node/blocks/applier.js';
import type { ChainTip } from '../../../node/blocks/rules.js';
import { Verifier } from '../../../node/blocks/verify.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { encodeBlock } from '../../../protocol/chain/block.js';
import type { Block } from '../../../protocol/chain/types.js';
import { kvExecutor, tempDir } from '../store/helpers.js';
import { genesisTip, log, makeBlock, makeTx, testSigner } from './fixtures.js';

const u = (s: string) => new TextEncoder().encode(s);
const proposer = testSigner(50).publicKey;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  cleanups.push(() => store.close());
  const sigs = new Verifier({ mode: 'sync' });
  const applied: AppliedBlock[] = [];
  const rejected: { index: number; code: string }[] = [];
  const divergences: string[] = [];
  const applier = new Applier(
    { chainId: 'ehr-test' },
    {
      executor: kvExecutor(),
      sink: store,
      sigs,
      isValidator: (pk) => Buffer.from(pk).equals(Buffer.from(proposer)),
      hooks: {
        onApplied: (a) => applied.push(a),
        onRejected: (entry, code) => rejected.push({ index: entry.index, code }),
        onDivergence: (message) => divergences.push(message),
      },
      log,
      tip: genesisTip,
    },
  );
  return { store, applier, applied, rejected, divergences };
}

let nextIndex = 1;
const entryOf = (b: Block | Uint8Array, term = 1): Entry => ({
  index: nextIndex++,
  term,
  type: EntryType.Normal,
  data: b instanceof Uint8Array ? b : encodeBlock(b),
});

/** The block after `tip` carrying kv puts, naming `root` as the state after `stateHeight`. */
function next(tip: ChainTip, stateHeight: number, root: Uint8Array, nonce: number): Block {
  return makeBlock(
    { height: tip.height + 1, parentHash: tip.hash, time: tip.time + 1000, stateHeight, stateRoot: root },
    [makeTx(1, nonce, { args: [u(`k${nonce}`), u('v')] })],
  );
}

describe('Applier divergence', () => {
  it('is reported once when a block names a state root this node did not compute, and stops applying', async () => {
    const { store, applier, applied, divergences } = await setup();
    await applier.apply([entryOf(next(applier.tip, 0, store.stateRoot(), 0))]);
    expect(applied).toHaveLength(1);
    const rootAfter1 = store.stateRoot();

    const wrong = new Uint8Array(32).fill(0xee);
    await expect(applier.apply([entryOf(next(applier.tip, 1, wrong, 1))])).rejects.toThrow(
      /state divergence/,
    );
    expect(divergences).toHaveLength(1);
    expect(divergences[0]).toMatch(/block 2 says the state root after 1 is ee+, this node computed/);
    expect(applier.divergence).toBe(divergences[0]);

    // A correct block 2 is refused too: a diverged node applies nothing more.
    await expect(applier.apply([entryOf(next(applier.tip, 1, rootAfter1, 1))])).rejects.toThrow(
      /state divergence/,
    );
    expect(divergences).toHaveLength(1);
    expect(applied).toHaveLength(1);
    expect(store.latestHeight()).toBe(1);
    expect(store.stateRoot()).toEqual(rootAfter1);
  });

  it('is not reported for a root that matches, whatever the lag of its state height', async () => {
    const { store, applier, applied, divergences } = await setup();
    const genesisRoot = store.stateRoot();
    await applier.apply([entryOf(next(applier.tip, 0, genesisRoot, 0))]);
    // Block 2 pipelined behind block 1: it still names the genesis state.
    await applier.apply([entryOf(next(applier.tip, 0, genesisRoot, 1))]);
    expect(applied.map((a) => a.block.header.height)).toEqual([1, 2]);
    expect(divergences).toEqual([]);
  });
});

describe('Applier rejection', () => {
  it('skips a block with a bad proposer signature, with its code, leaving state unchanged', async () => {
    const { store, applier, applied, rejected } = await setup();
    const root = store.stateRoot();
    const good = next(applier.tip, 0, root, 0);
    const signature = good.signature.slice();
    signature[0]! ^= 1;
    const bad = entryOf({ ...good, signature });
    await applier.apply([bad]);
    expect(rejected).toEqual([{ index: bad.index, code: 'bad_signature' }]);
    expect(applied).toEqual([]);
    expect(store.latestHeight()).toBe(0);
    expect(store.stateRoot()).toEqual(root);
    expect(applier.tip).toEqual(genesisTip);

    // The same block, correctly signed, applies at the same height afterwards.
    await applier.apply([entryOf(good)]);
    expect(store.latestHeight()).toBe(1);
  });

  it('skips an entry that is not a block as bad_encoding', async () => {
    const { store, applier, rejected } = await setup();
    const e = entryOf(new Uint8Array([1, 2, 3]));
    await applier.apply([e]);
    expect(rejected).toEqual([{ index: e.index, code: 'bad_encoding' }]);
    expect(store.latestHeight()).toBe(0);
  });

  it("skips Raft's empty no-op entries without a word", async () => {
    const { applier, applied, rejected } = await setup();
    await applier.apply([entryOf(new Uint8Array(0))]);
    expect(applied).toEqual([]);
    expect(rejected).toEqual([]);
  });
});
