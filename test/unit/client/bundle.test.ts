/**
 * The client library bundles for a browser unchanged: esbuild with `platform: 'browser'` and the
 * portal's swaps builds EhrClient, RecordsClient, ConsentClient and the key file format with no
 * node: import and no Buffer, and the bundle signs a tx the same as node:crypto does.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../node/root.js';
import { browserSwaps } from '../../../portal/build.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';

const ENTRY = `
export { EhrClient, Account } from './client/client.js';
export { RecordsClient } from './client/records.js';
export { ConsentClient } from './client/consent.js';
export { encodeKeyFile, decodeKeyFile, generateKeyPair } from './client/keyfile-format.js';
export { signTx } from './protocol/chain/tx.js';
export { platformCrypto } from './protocol/crypto/platform.js';
`;

describe('the client in a browser bundle', () => {
  it('builds for platform browser with no node: module and no Buffer', async () => {
    const out = await build({
      stdin: { contents: ENTRY, resolveDir: fromRoot(), loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      plugins: [browserSwaps],
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith('node:'))).toEqual([]);
    expect(inputs.some((p) => p.endsWith('protocol/chain/keys.browser.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('protocol/chain/keys.ts'))).toBe(false);
    expect(inputs.some((p) => p.endsWith('protocol/crypto/native.ts'))).toBe(false);
    const text = out.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/\bBuffer\.(from|alloc|concat)\b/);
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:/);
    // The browser bundle signs the published tx vector to the same bytes as the server does.
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as {
      platformCrypto: { name: string; sign(m: Uint8Array, s: Uint8Array): Uint8Array };
    };
    const v = JSON.parse(readFileSync(fromRoot('docs', 'vectors', 'tx.json'), 'utf8')) as {
      senderSeed: string;
      txs: { hash: string; signature: string }[];
    };
    const t = v.txs[0]!;
    expect(mod.platformCrypto.name).toBe('noble');
    expect(toHex(mod.platformCrypto.sign(fromHex(t.hash), fromHex(v.senderSeed)))).toBe(t.signature);
  });
});
