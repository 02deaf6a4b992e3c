/**
 * The erased-blob sweep: every blob this node holds is checked against the chain's tombstones and
 * deleted (tombstone kept, DHT provider record withdrawn) when its record version was erased. Run
 * at start-up and after a state snapshot is installed, when erase transactions may have been
 * applied without this node's erase hook running (they were inside the snapshot). No CID -> record
 * index is needed: an envelope's clear header names its record and version (docs/records.md).
 */
import type { CID } from 'multiformats/cid';
import * as C from '../../protocol/records/consent-calls.js';
import { decodeEnvelope } from '../../protocol/records/envelope.js';
import type { Logger } from '../log.js';
import type { BlobStore } from './blob-store.js';

/** What the sweep needs. */
export interface SweepDeps {
  readonly blobs: BlobStore;
  /** A consent contract query on applied state. */
  query(method: string, args: readonly Uint8Array[]): Uint8Array;
  /** Withdraws this node as a DHT provider of `cid`. */
  unprovide(cid: CID): Promise<void>;
  now(): number;
  readonly log: Logger;
}

/** What one sweep found. */
export interface SweepResult {
  /** Blobs looked at. */
  readonly checked: number;
  /** Blobs deleted because their version was erased on chain. */
  readonly erased: number;
  /** Blobs kept that are not (yet) anchored, or whose bytes are not an envelope. */
  readonly unanchored: number;
}

/** Checks every held blob against the chain and deletes the erased ones. */
export async function sweepErasedBlobs(d: SweepDeps): Promise<SweepResult> {
  let checked = 0;
  let erased = 0;
  let unanchored = 0;
  for await (const cid of d.blobs.cids()) {
    checked++;
    const bytes = await d.blobs.get(cid);
    if (bytes === undefined) continue;
    let recordId: Uint8Array;
    let version: number;
    try {
      ({ recordId, version } = decodeEnvelope(bytes));
    } catch {
      unanchored++;
      continue;
    }
    const call = C.versionInfoCall(recordId, version);
    const info = C.decodeVersionInfo(d.query(call.method, call.args));
    // An upload precedes its anchor: a blob the chain does not know yet is kept.
    if (info === null || info.cid !== cid.toString()) {
      unanchored++;
      continue;
    }
    if (info.erasedAt === 0) continue;
    if (await d.blobs.erase(cid, d.now())) erased++;
    await d.unprovide(cid).catch((err: unknown) => d.log.debug({ err }, 'DHT unprovide failed'));
  }
  if (erased > 0) d.log.info({ checked, erased }, 'sweep: deleted blobs of records erased on chain');
  return { checked, erased, unanchored };
}
