/** The last block in the Raft log (node/blocks/log-tip.ts): what a new leader's first block extends. */
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../../consensus/confchange.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import { type Entry, EntryType } from '../../../consensus/types.js';
import { findLogTip } from '../../../node/blocks/log-tip.js';
import type { ChainTip } from '../../../node/blocks/rules.js';
import { encodeBlock } from '../../../protocol/chain/block.js';
import type { Block } from '../../../protocol/chain/types.js';
import { genesisTip, makeBlock, makeTx } from './fixtures.js';

const tipOf = (b: Block): ChainTip => ({ height: b.header.height, hash: b.hash, time: b.header.time });
const after = (tip: ChainTip, nonce: number): Block =>
  makeBlock({ height: tip.height + 1, parentHash: tip.hash, time: tip.time + 1 }, [makeTx(1, nonce)]);

const b1 = after(genesisTip, 0);
const b2 = after(tipOf(b1), 1);
const b3 = after(tipOf(b2), 2);

function storageOf(data: Uint8Array[], types: Partial<Record<number, EntryType>> = {}): MemoryStorage {
  const s = new MemoryStorage({ voters: ['a'] });
  s.append(
    data.map((d, i): Entry => ({ index: i + 1, term: 1, type: types[i + 1] ?? EntryType.Normal, data: d })),
  );
  return s;
}

describe('findLogTip', () => {
  it('is the applied tip when nothing follows the applied index', () => {
    const s = storageOf([new Uint8Array(0), encodeBlock(b1)]);
    expect(findLogTip(s, 2, tipOf(b1))).toEqual({ tip: tipOf(b1), inFlight: [] });
  });

  it('extends the applied tip over the unapplied blocks, listing their txs as in flight', () => {
    const s = storageOf([encodeBlock(b1), encodeBlock(b2), encodeBlock(b3)]);
    const t = findLogTip(s, 1, tipOf(b1));
    expect(t.tip).toEqual(tipOf(b3));
    expect(t.inFlight).toEqual([b2.txs, b3.txs]);
  });

  it('skips no-ops, conf changes, entries that are not blocks and blocks that do not extend the tip', () => {
    const stray = after({ ...tipOf(b3), height: 7 }, 9);
    const s = storageOf(
      [
        encodeBlock(b1),
        new Uint8Array(0),
        encodeBlock(b2),
        encodeConfChange({ type: 'addLearner', node: 'x' }),
        new Uint8Array([9, 9, 9]),
        encodeBlock(stray),
        encodeBlock(b3),
      ],
      { 4: EntryType.ConfChange },
    );
    const t = findLogTip(s, 1, tipOf(b1));
    expect(t.tip).toEqual(tipOf(b3));
    expect(t.inFlight).toEqual([b2.txs, b3.txs]);
  });

  it('starts from the first entry held when the log is compacted past the applied index', () => {
    const s = storageOf([encodeBlock(b1), encodeBlock(b2), encodeBlock(b3)]);
    s.createSnapshot(2, { voters: ['a'], learners: [] }, new Uint8Array(0));
    s.compact(2);
    // Applied up to b2 by a snapshot restore; the applied index lags at 1.
    const t = findLogTip(s, 1, tipOf(b2));
    expect(t.tip).toEqual(tipOf(b3));
    expect(t.inFlight).toEqual([b3.txs]);
  });
});
