/**
 * The erased-blob sweep against a naive chain (a map of versionInfo answers), on a real BlobStore:
 * a node that installed a snapshot holds blobs whose records were erased meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../node/log.js';
import { BlobStore } from '../../../node/records/blob-store.js';
import { sweepErasedBlobs } from '../../../node/records/sweep.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { cidOf } from '../../../protocol/records/cid.js';
import { newDataKey, sealEnvelope } from '../../../protocol/records/envelope.js';
import { decodeInt, packFields } from '../../../vm/abi.js';

const rand = (n: number) => new Uint8Array(randomBytes(n));
const enc = new TextEncoder();
const uploader = rand(32);

interface Row {
  readonly name: string;
  /** What the chain says of the blob's record version. */
  readonly chain: 'erased' | 'live' | 'unanchored' | 'other-cid' | 'not-an-envelope';
  readonly kept: boolean;
}

const rows: readonly Row[] = [
  { name: 'erased on chain', chain: 'erased', kept: false },
  { name: 'anchored and live', chain: 'live', kept: true },
  { name: 'uploaded, not anchored yet', chain: 'unanchored', kept: true },
  { name: 'another CID anchored for that version', chain: 'other-cid', kept: true },
  { name: 'bytes that are not an envelope', chain: 'not-an-envelope', kept: true },
];

describe('sweepErasedBlobs', () => {
  let dir: string;
  let blobs: BlobStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-sweep-'));
    blobs = await BlobStore.open(dir);
  });
  afterEach(async () => {
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes exactly the blobs of erased versions, keeps tombstones, withdraws their providers', async () => {
    const chain = new Map<string, Uint8Array>();
    const cids = new Map<string, CID>();
    for (const row of rows) {
      const record = rand(32);
      const bytes =
        row.chain === 'not-an-envelope' ? rand(100) : sealEnvelope(enc.encode('{}'), newDataKey(), record, 1);
      const cid = cidOf(bytes);
      await blobs.put(cid, bytes, uploader, 1);
      cids.set(row.name, cid);
      const anchored = row.chain === 'other-cid' ? cidOf(rand(10)).toString() : cid.toString();
      const info = packFields([rand(32), enc.encode(anchored), enc.encode('lab'), rand(32), 1, 0]);
      const erased = packFields([rand(32), enc.encode(anchored), enc.encode('lab'), rand(32), 1, 7]);
      if (row.chain === 'live' || row.chain === 'other-cid') chain.set(`${toHex(record)}/1`, info);
      if (row.chain === 'erased') chain.set(`${toHex(record)}/1`, erased);
    }
    const withdrawn: string[] = [];
    const r = await sweepErasedBlobs({
      blobs,
      query: (method, args) => {
        expect(method).toBe('versionInfo');
        return chain.get(`${toHex(args[0]!)}/${decodeInt(args[1]!)}`) ?? new Uint8Array(0);
      },
      unprovide: async (cid) => {
        withdrawn.push(cid.toString());
      },
      now: () => 9,
      log: silentLogger(),
    });
    expect(r).toEqual({ checked: 5, erased: 1, unanchored: 3 });
    for (const row of rows) {
      const cid = cids.get(row.name)!;
      expect(await blobs.has(cid), row.name).toBe(row.kept);
      expect(await blobs.isErased(cid), row.name).toBe(!row.kept);
    }
    expect(withdrawn).toEqual([cids.get('erased on chain')!.toString()]);
    expect(await blobs.usage(uploader)).toBeGreaterThan(0);
  });

  it('finds nothing to do on a second run', async () => {
    const record = rand(32);
    const bytes = sealEnvelope(enc.encode('{}'), newDataKey(), record, 1);
    await blobs.put(cidOf(bytes), bytes, uploader, 1);
    const erased = packFields([
      rand(32),
      enc.encode(cidOf(bytes).toString()),
      enc.encode('lab'),
      rand(32),
      1,
      7,
    ]);
    const deps = {
      blobs,
      query: () => erased,
      unprovide: async () => undefined,
      now: () => 9,
      log: silentLogger(),
    };
    expect((await sweepErasedBlobs(deps)).erased).toBe(1);
    expect(await sweepErasedBlobs(deps)).toEqual({ checked: 0, erased: 0, unanchored: 0 });
  });
});
