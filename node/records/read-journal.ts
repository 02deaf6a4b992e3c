/**
 * The write-ahead journal of served reads: a read is written here before its blob leaves the node,
 * and removed once the `recordReads` transaction that records it is applied. A node that restarts
 * resubmits what is left, so a crash loses no read from the patient's accounting of disclosures
 * (HIPAA 164.528). A crash between a batch's commit and its removal records that batch twice:
 * over-reporting a disclosure is the safe side.
 *
 * Entries live in the blob store's LevelDB (`reads` sublevel), keyed by a u64 sequence number.
 * Writes are not fsynced: they survive a killed process (the OS holds them), not a power loss.
 */

import { ByteReader, concatBytes, u64 } from '../../protocol/records/bytes.js';
import type { ServedRead } from '../../protocol/records/consent-calls.js';
import { PURPOSES, type PurposeName } from '../../protocol/records/request.js';

/** Where journal entries are kept: a byte-keyed sublevel. */
export interface JournalLevel {
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  batch(ops: { type: 'del'; key: Uint8Array }[]): Promise<void>;
  iterator(): AsyncIterable<[Uint8Array, Uint8Array]>;
}

/** A served read with its place in the journal. */
export interface JournaledRead extends ServedRead {
  readonly seq: number;
}

const PURPOSE_BY_BIT = new Map(Object.entries(PURPOSES).map(([k, v]) => [v, k as PurposeName]));

/** Encodes a read: reader, patient, record (each u16 length + bytes), version u64, at u64, purpose u8. */
export function encodeServedRead(r: ServedRead): Uint8Array {
  const v = (b: Uint8Array) => concatBytes(new Uint8Array([b.length >> 8, b.length & 0xff]), b);
  return concatBytes(
    v(r.reader),
    v(r.patient),
    v(r.recordId),
    u64(r.version),
    u64(r.at),
    new Uint8Array([PURPOSES[r.purpose]]),
  );
}

export function decodeServedRead(b: Uint8Array): ServedRead {
  const r = new ByteReader(b, 'journal entry');
  const reader = r.var(255, 'reader').slice();
  const patient = r.var(255, 'patient').slice();
  const recordId = r.var(255, 'recordId').slice();
  const version = r.u64('version');
  const at = r.u64('at');
  const purpose = PURPOSE_BY_BIT.get(r.u8('purpose') as (typeof PURPOSES)[PurposeName]);
  r.end();
  if (purpose === undefined) throw new RangeError('journal entry has an unknown purpose');
  return { reader, patient, recordId, version, at, purpose };
}

export class ReadJournal {
  #next = 1;

  constructor(private readonly level: JournalLevel) {}

  /** Everything still journaled, oldest first; sets the next sequence number after it. */
  async load(): Promise<JournaledRead[]> {
    const out: JournaledRead[] = [];
    for await (const [k, v] of this.level.iterator()) {
      const seq = Number(new DataView(k.buffer, k.byteOffset, k.byteLength).getBigUint64(0));
      out.push({ ...decodeServedRead(v), seq });
      this.#next = Math.max(this.#next, seq + 1);
    }
    return out;
  }

  /** Journals a read; resolves once it is written. */
  async append(read: ServedRead): Promise<JournaledRead> {
    const seq = this.#next++;
    await this.level.put(u64(seq), encodeServedRead(read));
    return { ...read, seq };
  }

  /** Drops reads that are recorded on chain (or can never be). */
  async remove(reads: readonly JournaledRead[]): Promise<void> {
    if (reads.length === 0) return;
    await this.level.batch(reads.map((r) => ({ type: 'del' as const, key: u64(r.seq) })));
  }
}
