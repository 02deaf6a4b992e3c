/**
 * The crypto provider of this platform: node:crypto here. A browser bundle resolves this file to
 * `platform.browser.ts` instead (portal/build.ts `browserSwaps`), so client code imports only this.
 */
export { nativeCrypto as platformCrypto } from './native.js';
