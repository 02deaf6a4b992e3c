/**
 * Child process for the crash test: commits blocks in a loop, the way the node does (persist the
 * Raft entries, then apply), printing each committed height. The parent SIGKILLs it at random
 * moments. Block h carries deterministic txs (kvTxs(state, 200, h)) in Raft entry 2h; entry 2h-1 is
 * an empty entry applied with markApplied, so a kill can also land between the two.
 * Usage: node --import tsx crash-child.ts <dir> <maxHeight>
 */
import type { Entry } from '../../../consensus/types.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { encodeBlock } from '../../../protocol/chain/block.js';
import { kvExecutor, kvTxs, prepareBlock } from '../../unit/store/helpers.js';

const [dir, maxArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: crash-child.ts <dir> [maxHeight]');
const max = Number(maxArg ?? 1_000_000);

const store = await ChainStore.open(dir);
const exec = kvExecutor();
// Re-apply what Raft committed but the state machine had not applied (entries above applied).
const raft = store.raft.storage;
while (store.latestHeight() < max) {
  const h = store.latestHeight() + 1;
  const p = prepareBlock(store, exec, kvTxs(store, 200, h));
  const empty: Entry = { index: 2 * h - 1, term: 1, type: 0, data: new Uint8Array(0) };
  const carrier: Entry = { index: 2 * h, term: 1, type: 0, data: encodeBlock(p.block) };
  if (raft.lastIndex() < 2 * h) {
    await store.raft.persist({
      entries: [empty, carrier],
      hardState: { term: 1, vote: 'self', commit: 2 * h },
    });
  }
  if (store.appliedIndex() < 2 * h - 1) await store.markApplied(2 * h - 1);
  await store.commitBlock({ ...p, appliedIndex: 2 * h });
  process.stdout.write(`${h}\n`);
}
await store.close();
