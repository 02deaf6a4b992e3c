/**
 * The decoded-tx hand-over (node/blocks/tx-handover.ts): a block decoded with handed-over txs is the
 * block `decodeBlock` gives for the same bytes, whatever was handed over; a handed-over tx whose
 * bytes are not the block's is never used; and applying with or without a hand-over gives the same
 * receipts, stored blocks and state roots.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type Entry, EntryType } from '../../../consensus/types.js';
import { type AppliedBlock, Applier } from '../../../node/blocks/applier.js';
import { decodeBlockWith, TxHandOver } from '../../../node/blocks/tx-handover.js';
import { Verifier } from '../../../node/blocks/verify.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { decodeBlock, encodeBlock } from '../../../protocol/chain/block.js';
import type { Block, SignedTx } from '../../../protocol/chain/types.js';
import { genesisTip, log, makeBlock, makeTx, testSigner } from '../node/fixtures.js';
import { kvExecutor, tempDir } from '../store/helpers.js';

const u = (s: string) => new TextEncoder().encode(s);
const proposer = testSigner(50).publicKey;

/** `tx` with the same body and hash but other signature bytes: what a lying hand-over could hold. */
function forged(tx: SignedTx): SignedTx {
  const bytes = tx.bytes.slice();
  bytes[bytes.length - 1]! ^= 0x55;
  const signature = bytes.subarray(bytes.length - 64);
  return { body: tx.body, hash: tx.hash, signature, bytes };
}

/** The parts of a block that anything downstream reads, as plain data for deep equality. */
function view(b: Block) {
  return {
    header: b.header,
    hash: Buffer.from(b.hash).toString('hex'),
    signature: Buffer.from(b.signature).toString('hex'),
    txs: b.txs.map((t) => ({
      body: t.body,
      hash: Buffer.from(t.hash).toString('hex'),
      signature: Buffer.from(t.signature).toString('hex'),
      bytes: Buffer.from(t.bytes).toString('hex'),
    })),
  };
}

const pool = Array.from({ length: 12 }, (_, i) => makeTx(1 + (i % 4), Math.floor(i / 4)));
const others = Array.from({ length: 4 }, (_, i) => makeTx(9, i));

/** A block of some of the pool's txs, and a hand-over built from it in one of several ways. */
const arbCase = fc
  .record({
    picks: fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 0, maxLength: 12 }),
    kind: fc.constantFrom('exact', 'subsequence', 'shuffled', 'forged', 'foreign', 'mixed'),
    keep: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    seed: fc.integer(),
  })
  .map(({ picks, kind, keep, seed }) => {
    const txs = picks.map((i) => pool[i]!);
    let known: SignedTx[];
    if (kind === 'exact') known = txs;
    else if (kind === 'subsequence') known = txs.filter((_, i) => keep[i]);
    else if (kind === 'shuffled')
      known = [...txs].sort((a, b) => (a.hash[seed & 31]! - b.hash[seed & 31]!) | 0);
    else if (kind === 'forged') known = txs.map((t, i) => (keep[i] ? forged(t) : t));
    else if (kind === 'foreign') known = others;
    else known = txs.flatMap((t, i) => (keep[i] ? [t] : [others[i % others.length]!, forged(t)]));
    return { block: makeBlock({}, txs), known, kind };
  });

describe('decodeBlockWith', () => {
  it('gives the block decodeBlock gives for the same bytes, whatever was handed over', () => {
    fc.assert(
      fc.property(arbCase, ({ block, known }) => {
        const data = encodeBlock(block);
        const r = decodeBlockWith(data, known);
        expect(view(r.block)).toEqual(view(decodeBlock(data)));
      }),
    );
  });

  it('never uses a handed-over tx whose bytes are not the block bytes of its slot', () => {
    fc.assert(
      fc.property(arbCase, ({ block, known }) => {
        const r = decodeBlockWith(encodeBlock(block), known);
        for (const t of r.block.txs) {
          if (known.includes(t))
            expect(block.txs.some((b) => Buffer.from(b.bytes).equals(t.bytes))).toBe(true);
        }
        const forgedOnes = new Set(known.filter((k) => !pool.includes(k) && !others.includes(k)));
        expect(r.block.txs.some((t) => forgedOnes.has(t))).toBe(false);
      }),
    );
  });

  it('reuses every tx of an exact hand-over', () => {
    const block = makeBlock({}, pool);
    const r = decodeBlockWith(encodeBlock(block), pool);
    expect(r.reused).toBe(pool.length);
    for (const [i, t] of r.block.txs.entries()) expect(t).toBe(pool[i]);
  });

  it('throws what decodeBlock throws on bytes that are not a block', () => {
    const data = encodeBlock(makeBlock({}, pool.slice(0, 3)));
    for (const bad of [data.subarray(0, data.length - 5), Uint8Array.of(3, 1, 2), Uint8Array.of(9)]) {
      expect(() => decodeBlockWith(bad, pool)).toThrow(
        (() => {
          try {
            decodeBlock(bad);
          } catch (err) {
            return (err as Error).message;
          }
          return 'no error';
        })(),
      );
    }
  });
});

describe('TxHandOver', () => {
  it('hands txs over once, for the very array they were known under', () => {
    const h = new TxHandOver();
    const data = encodeBlock(makeBlock({}, pool.slice(0, 2)));
    h.know(data, pool.slice(0, 2));
    expect(h.take(data.slice())).toBeUndefined();
    expect(h.take(data)).toHaveLength(2);
    expect(h.take(data)).toBeUndefined();
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function node(handOver?: TxHandOver) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  cleanups.push(() => store.close());
  const applied: AppliedBlock[] = [];
  const rejected: string[] = [];
  const applier = new Applier(
    { chainId: 'ehr-test' },
    {
      executor: kvExecutor(),
      sink: store,
      sigs: new Verifier({ mode: 'sync' }),
      ...(handOver === undefined ? {} : { handOver }),
      isValidator: (pk) => Buffer.from(pk).equals(Buffer.from(proposer)),
      hooks: {
        onApplied: (a) => applied.push(a),
        onRejected: (_e, code) => rejected.push(code),
        onDivergence: () => undefined,
      },
      log,
      tip: genesisTip,
    },
  );
  return { store, applier, applied, rejected };
}

/** What a node's applying left behind: receipts, blocks as stored, roots, rejections. */
async function outcome(n: Awaited<ReturnType<typeof node>>) {
  const blocks: unknown[] = [];
  for (let h = 1; h <= n.store.latestHeight(); h++) {
    const b = await n.store.getBlock(h);
    blocks.push(b === undefined ? undefined : view(b));
  }
  return {
    receipts: n.applied.map((a) => a.receipts),
    roots: n.applied.map((a) => Buffer.from(a.root).toString('hex')),
    blocks,
    root: Buffer.from(n.store.stateRoot()).toString('hex'),
    rejected: n.rejected,
  };
}

describe('Applier with a hand-over', () => {
  it('leaves the same receipts, blocks and state as without, for exact, partial and forged hand-overs', async () => {
    const plain = await node();
    const exact = new TxHandOver();
    const withExact = await node(exact);
    const lying = new TxHandOver();
    const withLying = await node(lying);
    const nodes = [plain, withExact, withLying];
    let index = 1;
    for (let height = 1; height <= 4; height++) {
      const txs = [0, 1, 2].map((k) => makeTx(1 + k, height - 1, { args: [u(`k${height}.${k}`), u('v')] }));
      // Each node builds the block on its own tip and root: they are equal as long as the nodes agree.
      const tip = plain.applier.tip;
      const block = makeBlock(
        {
          height,
          parentHash: tip.hash,
          time: tip.time + 1000,
          stateHeight: height - 1,
          stateRoot: plain.store.stateRoot(),
        },
        txs,
      );
      const entry = (): Entry => ({ index, term: 1, type: EntryType.Normal, data: encodeBlock(block) });
      const es = [entry(), entry(), entry()];
      exact.know(es[1]!.data, height % 2 === 0 ? txs : txs.slice(1));
      lying.know(es[2]!.data, txs.map(forged));
      for (let i = 0; i < nodes.length; i++) await nodes[i]!.applier.apply([es[i]!]);
      index++;
    }
    const want = await outcome(plain);
    expect(want.rejected).toEqual([]);
    expect(want.receipts).toHaveLength(4);
    expect(await outcome(withExact)).toEqual(want);
    expect(await outcome(withLying)).toEqual(want);
    expect(exact.counts).toEqual({ blocks: 4, reused: 10, decoded: 2 });
    expect(lying.counts).toEqual({ blocks: 4, reused: 0, decoded: 12 });
  });
});
