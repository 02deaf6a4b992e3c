/** World state, state root, and the executor interface with its kv and noop executors. */
export * from './executor.js';
export * from './journal.js';
export * from './keys.js';
export * from './kv.js';
export * from './lthash.js';
export * from './noop.js';
export * from './registry.js';
export * from './view.js';
export * from './world.js';
