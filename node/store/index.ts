/** LevelDB persistence: the Raft log, blocks, tx index, receipts, world state, meta and snapshots. */
export * from './chain-store.js';
export * from './codec.js';
export * from './db.js';
export * from './errors.js';
export * from './raft-log.js';
export * from './reads.js';
export * from './snapshot.js';
