/**
 * The client library bundles for a browser unchanged: esbuild with `platform: 'browser'` and the
 * portal's swaps builds EhrClient, RecordsClient, ConsentClient and the key file format with no
 * node: import, and, run with no Buffer defined (as in a browser), it signs a tx to the published
 * bytes and its hex helpers agree with Buffer's.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../node/root.js';
import { browserSwaps } from '../../../portal/build.js';

const ENTRY = `
export { EhrClient, Account } from './client/client.js';
export { RecordsClient } from './client/records.js';
export { ConsentClient } from './client/consent.js';
export { encodeKeyFile, decodeKeyFile, generateKeyPair } from './client/keyfile-format.js';
export { signTx } from './protocol/chain/tx.js';
export { platformCrypto } from './protocol/crypto/platform.js';
export { toHex, fromHex } from './protocol/chain/encoding.js';
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
    // Run the bundle as a browser would, with no Buffer: it signs the published tx vector to the
    // same bytes as the server, and its pure hex agrees with Buffer's.
    const v = JSON.parse(readFileSync(fromRoot('docs', 'vectors', 'tx.json'), 'utf8')) as {
      senderSeed: string;
      txs: { hash: string; signature: string }[];
    };
    const t = v.txs[0]!;
    const url = `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`;
    const samples = fc.sample(fc.uint8Array({ maxLength: 64 }), 200);
    const expected = samples.map((b) => Buffer.from(b).toString('hex'));
    const g = globalThis as { Buffer?: typeof Buffer };
    const saved = g.Buffer;
    let got: { name: string; signature: string; hex: string[]; back: Uint8Array[] };
    try {
      delete g.Buffer;
      const mod = (await import(url)) as {
        platformCrypto: { name: string; sign(m: Uint8Array, s: Uint8Array): Uint8Array };
        toHex(b: Uint8Array): string;
        fromHex(s: string): Uint8Array;
      };
      got = {
        name: mod.platformCrypto.name,
        signature: mod.toHex(mod.platformCrypto.sign(mod.fromHex(t.hash), mod.fromHex(v.senderSeed))),
        hex: samples.map((b) => mod.toHex(b)),
        back: expected.map((h) => mod.fromHex(h.toUpperCase())),
      };
    } finally {
      g.Buffer = saved;
    }
    expect(got.name).toBe('noble');
    expect(got.signature).toBe(t.signature);
    expect(got.hex).toEqual(expected);
    expect(got.back).toEqual(samples);
  });
});
