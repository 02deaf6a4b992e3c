/** Read paths of the chain store: blocks by height, hash and range; receipts; tx locations. */
import type { BlockLimits } from '../../protocol/chain/block.js';
import { decodeBlock } from '../../protocol/chain/block.js';
import type { Block, Receipt } from '../../protocol/chain/types.js';
import { decodeReceipts, Reader, readU64Key, u64Key } from './codec.js';
import type { Db } from './db.js';
import { BlockKey, readRange, taggedBytes, taggedU64 } from './db.js';
import { StoreError, StoreErrorCode } from './errors.js';

/** Where a tx landed. */
export interface TxLocation {
  readonly height: number;
  readonly index: number;
  readonly receipt: Receipt;
}

function decode(bytes: Uint8Array, limits: BlockLimits): Block {
  try {
    return decodeBlock(bytes, limits);
  } catch (e) {
    throw new StoreError(StoreErrorCode.Corrupt, `stored block does not decode: ${String(e)}`);
  }
}

/** The block at `height`, or undefined. */
export async function block(db: Db, limits: BlockLimits, height: number): Promise<Block | undefined> {
  if (!Number.isSafeInteger(height) || height < 1) return undefined;
  const b = await db.blocks.get(taggedU64(BlockKey.ByHeight, height));
  return b === undefined ? undefined : decode(b, limits);
}

/** The block whose header hash is `hash`, or undefined. */
export async function blockByHash(db: Db, limits: BlockLimits, hash: Uint8Array): Promise<Block | undefined> {
  const h = await db.blocks.get(taggedBytes(BlockKey.ByHash, hash));
  return h === undefined ? undefined : block(db, limits, readU64Key(h));
}

/** Up to `limit` stored blocks from height `from` upwards, in order. */
export async function blocks(db: Db, limits: BlockLimits, from: number, limit: number): Promise<Block[]> {
  if (!(limit > 0)) return [];
  const rows = await readRange(db.blocks, {
    gte: taggedU64(BlockKey.ByHeight, Math.max(0, Math.floor(from))),
    lt: new Uint8Array([BlockKey.ByHeight + 1]),
    limit: Math.floor(limit),
  });
  return rows.map(([, v]) => decode(v, limits));
}

/** All receipts of block `height`, or undefined. */
export async function receipts(db: Db, height: number): Promise<Receipt[] | undefined> {
  if (!Number.isSafeInteger(height) || height < 1) return undefined;
  const b = await db.receipts.get(u64Key(height));
  return b === undefined ? undefined : decodeReceipts(b);
}

/** Where tx `hash` was executed, with its receipt; undefined if never executed. */
export async function tx(db: Db, hash: Uint8Array): Promise<TxLocation | undefined> {
  const loc = await db.txs.get(hash);
  if (loc === undefined) return undefined;
  const r = new Reader(loc);
  const height = r.u64();
  const index = r.u32();
  const receipt = (await receipts(db, height))?.[index];
  if (receipt === undefined)
    throw new StoreError(StoreErrorCode.Corrupt, 'tx index points at a missing receipt');
  return { height, index, receipt };
}
