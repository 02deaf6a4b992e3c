/** The mempool: bounded, fair, nonce-ordered pending txs for the block builder. */
export * from './buckets.js';
export * from './mempool.js';
export * from './options.js';
