/** Chain formats: types, canonical encoding, hashing, signing and verification of txs and blocks. */

export * from './block.js';
export * from './encoding.js';
export * from './errors.js';
export * from './hash.js';
export * from './keys.js';
export * from './merkle.js';
export * from './tx.js';
export type * from './types.js';
export * from './verify.js';
export * from './verify-workers.js';
