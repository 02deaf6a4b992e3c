/** The blob store (real LevelDB in a temp dir): CID check, size limit, quota, erasure tombstones; the nonce cache. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../node/records/blob-store.js';
import { NonceCache } from '../../../node/records/nonces.js';
import { cidOf } from '../../../protocol/records/cid.js';

const rand = (n: number) => new Uint8Array(randomBytes(n));

describe('BlobStore', () => {
  let dir: string;
  let store: BlobStore;
  const alice = rand(32);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-blobs-'));
    store = await BlobStore.open(dir, { maxBlobBytes: 1000, quotaBytes: 1500 });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores by CID once, refuses bytes that do not hash to the CID', async () => {
    const b = rand(500);
    const cid = cidOf(b);
    expect(await store.put(cid, b, alice, 1)).toBe(true);
    expect(await store.put(cid, b, alice, 2)).toBe(false);
    expect(await store.get(cid)).toEqual(b);
    expect(await store.usage(alice)).toBe(500);
    await expect(store.put(cidOf(rand(10)), b, alice, 1)).rejects.toMatchObject({ code: 'hash_mismatch' });
  });

  it('enforces the size limit and the per-uploader quota', async () => {
    const big = rand(1001);
    await expect(store.put(cidOf(big), big, alice, 1)).rejects.toMatchObject({ code: 'too_large' });
    const a = rand(900);
    const b = rand(700);
    await store.put(cidOf(a), a, alice, 1);
    await expect(store.put(cidOf(b), b, alice, 1)).rejects.toMatchObject({ code: 'quota_exceeded' });
    expect(await store.put(cidOf(b), b, rand(32), 1)).toBe(true);
  });

  it('erasure deletes, gives the quota back, and refuses the blob thereafter', async () => {
    const b = rand(800);
    const cid = cidOf(b);
    await store.put(cid, b, alice, 1);
    expect(await store.erase(cid, 5)).toBe(true);
    expect(await store.get(cid)).toBeUndefined();
    expect(await store.usage(alice)).toBe(0);
    expect(await store.isErased(cid)).toBe(true);
    await expect(store.put(cid, b, alice, 6)).rejects.toMatchObject({ code: 'erased' });
  });
});

describe('NonceCache', () => {
  it('refuses a nonce seen within the window, forgets it after', () => {
    const c = new NonceCache(1000);
    const k = rand(32);
    const n = rand(16);
    expect(c.check(k, n, 0, 0)).toBe(true);
    expect(c.check(k, n, 0, 500)).toBe(false);
    expect(c.check(rand(32), n, 0, 500)).toBe(true);
    expect(c.check(k, rand(16), 3000, 3000)).toBe(true);
    expect(c.size).toBe(1);
  });
});
