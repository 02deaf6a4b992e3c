/**
 * The store's cheap self-consistency checks on open (see integrity.ts for why they are needed):
 * the latest block is stored and is the block meta names, the stored root of the latest height is
 * the root in meta, and (with `countBlocks`) every block from base to height is there. LevelDB drops
 * a damaged log silently from the damage on, so a torn store can open "fine" and only these say so.
 */
import { bytesEqual } from '../state/keys.js';
import { readU64Key } from './codec.js';
import type { Db } from './db.js';
import { BlockKey, taggedU64 } from './db.js';
import { corruptError } from './integrity.js';

/** What meta says the store holds. */
export interface StoredTip {
  readonly height: number;
  readonly base: number;
  readonly root: Uint8Array;
  readonly lastHash: Uint8Array;
}

/** Throws StoreError `corrupt` when the blocks on disk do not match meta. */
export async function checkStoredTip(
  dir: string,
  db: Db,
  tip: StoredTip,
  countBlocks: boolean,
): Promise<void> {
  const { height, base } = tip;
  const root = await db.blocks.get(taggedU64(BlockKey.Root, height));
  if (root !== undefined && !bytesEqual(root, tip.root)) {
    throw corruptError(dir, `the stored root of height ${height} is not the root in meta`);
  }
  if (height === 0 || height < base) return;
  const hashKey = new Uint8Array(1 + tip.lastHash.length);
  hashKey[0] = BlockKey.ByHash;
  hashKey.set(tip.lastHash, 1);
  const [block, at] = await Promise.all([
    db.blocks.get(taggedU64(BlockKey.ByHeight, height)),
    db.blocks.get(hashKey),
  ]);
  if (block === undefined || at === undefined || readU64Key(at) !== height) {
    throw corruptError(dir, `block ${height}, the latest applied, is missing or not indexed`);
  }
  if (!countBlocks) return;
  let n = 0;
  const it = db.blocks.keys({
    gte: taggedU64(BlockKey.ByHeight, base),
    lte: taggedU64(BlockKey.ByHeight, height),
  });
  try {
    for (;;) {
      const ks = await it.nextv(1000);
      if (ks.length === 0) break;
      n += ks.length;
    }
  } finally {
    await it.close();
  }
  if (n !== height - base + 1) {
    throw corruptError(dir, `${height - base + 1 - n} of the blocks ${base}..${height} are missing`);
  }
}
