/** The crypto provider of a browser: @noble (see platform.ts, which a browser bundle swaps for this). */
export { nobleCrypto as platformCrypto } from './noble.js';
