/**
 * Noise's per-frame AEAD, CPU per frame: seal then open one frame of 100 B, 600 B, 4 KB and 64 KB
 * with libsodium (node/p2p/noise-crypto.ts) and with @chainsafe/libp2p-noise's default crypto
 * (AssemblyScript under 1,200 bytes, a node:crypto cipher object per call above), in one run.
 * Opening writes into the ciphertext's own bytes, as noise does.
 * Run: node --import tsx test/perf/noise.bench.ts (ROUNDS=n, BUDGET_MS=ms). Prints figures; never fails.
 */
import type { ICryptoInterface } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import { noiseCrypto } from '../../node/p2p/noise-crypto.js';
import { measure, type PerfCase, printResults } from './cases/harness.js';

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const nonce = new Uint8Array(12);
const ad = new Uint8Array(0);
const SIZES = [100, 600, 4096, 65519] as const;
const label = (n: number): string => (n < 1024 ? `${n} B` : `${Math.round(n / 1024)} KB`);

function frameCase(name: string, c: ICryptoInterface, size: number): PerfCase {
  const plaintext = Uint8Array.from({ length: size }, (_, i) => i & 255);
  const ops = Math.max(200, Math.floor(2_000_000 / size));
  return {
    name: `noise: seal + open ${label(size)}, ${name}`,
    ops,
    run: () => {
      for (let i = 0; i < ops; i++) {
        const sealed = c.chaCha20Poly1305Encrypt(plaintext, nonce, ad, key).subarray();
        c.chaCha20Poly1305Decrypt(sealed, nonce, ad, key, sealed.subarray(0, sealed.byteLength - 16));
      }
    },
  };
}

const sodium = noiseCrypto();
const cases: PerfCase[] = [];
for (const size of SIZES) {
  if (sodium.backend === 'sodium') cases.push(frameCase('libsodium', sodium.crypto, size));
  cases.push(frameCase('default', defaultCrypto, size));
}
const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 10_000);
printResults(await measure(cases, { rounds, budgetMs }));
