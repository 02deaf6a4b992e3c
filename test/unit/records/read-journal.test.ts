/**
 * Served reads survive a crash: they are journaled in the blob store's LevelDB before the blob is
 * served, resubmitted by the next run, and leave the journal only once recorded on chain.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../node/log.js';
import { BlobStore } from '../../../node/records/blob-store.js';
import { decodeServedRead, encodeServedRead } from '../../../node/records/read-journal.js';
import { ReadRecorder } from '../../../node/records/receipts.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { decodeSignedTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { unpackFields } from '../../../vm/abi.js';
import { fixed } from './vectors.js';

const read = (at: number) => ({
  reader: fixed('r'),
  patient: fixed('p'),
  recordId: fixed('x'),
  version: 2,
  purpose: 'ETREAT' as const,
  at,
});

function recorder(submit: (tx: SignedTx) => void) {
  return new ReadRecorder(
    { intervalMs: 60_000, maxBatch: 64, maxPending: 100, resubmitMs: 1000 },
    {
      chainId: 'c',
      signer: createSigner(fixed('node')),
      nextNonce: () => 0,
      submit: async (b) => submit(decodeSignedTx(b)),
    },
    silentLogger(),
  );
}

describe('read journal', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a served read', () => {
    const r = read(1_700_000_000_000);
    expect(decodeServedRead(encodeServedRead(r))).toEqual(r);
  });

  it('reads served before a crash are resubmitted by the next run and forgotten once recorded', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-journal-'));
    // Run 1: three reads are served; the node dies before any batch is admitted.
    let store = await BlobStore.open(dir);
    const first = recorder(() => {
      throw new Error('the node died before admitting the batch');
    });
    await first.restore(store.reads);
    for (let i = 0; i < 3; i++) await first.add(read(i));
    await store.close(); // no flush, no stop: as after SIGKILL, only the journal remains

    // Run 2: the journal is resubmitted.
    store = await BlobStore.open(dir);
    const sent: SignedTx[] = [];
    const second = recorder((tx) => sent.push(tx));
    expect(await second.restore(store.reads)).toBe(3);
    await second.flush();
    expect(sent).toHaveLength(1);
    expect(unpackFields(sent[0]!.body.args[0]!)).toHaveLength(3);
    // Still journaled until the receipt is applied...
    expect(await store.reads.load()).toHaveLength(3);
    second.onReceipt(sent[0]!.hash, 'ok', undefined);
    await new Promise((r) => setTimeout(r, 50));
    await store.close();

    // Run 3: nothing left to resubmit.
    store = await BlobStore.open(dir);
    expect(await store.reads.load()).toHaveLength(0);
    await store.close();
  });
});
