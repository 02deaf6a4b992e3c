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

/** An entry with its place in the journal. */
export type Journaled<T> = T & { readonly seq: number };

/** A served read with its place in the journal. */
export type JournaledRead = Journaled<ServedRead>;

/** How a journal's entries are stored. */
export interface EntryCodec<T> {
  encode(entry: T): Uint8Array;
  decode(bytes: Uint8Array): T;
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

/** A write-ahead journal of entries (served reads, answered consults) keyed by sequence number. */
export class EntryJournal<T> {
  #next = 1;

  constructor(
    private readonly level: JournalLevel,
    private readonly codec: EntryCodec<T>,
  ) {}

  /** Everything still journaled, oldest first; sets the next sequence number after it. */
  async load(): Promise<Journaled<T>[]> {
    const out: Journaled<T>[] = [];
    for await (const [k, v] of this.level.iterator()) {
      const seq = Number(new DataView(k.buffer, k.byteOffset, k.byteLength).getBigUint64(0));
      out.push({ ...this.codec.decode(v), seq });
      this.#next = Math.max(this.#next, seq + 1);
    }
    return out;
  }

  /** Journals an entry; resolves once it is written. */
  async append(entry: T): Promise<Journaled<T>> {
    const seq = this.#next++;
    await this.level.put(u64(seq), this.codec.encode(entry));
    return { ...entry, seq };
  }

  /** Drops entries that are recorded on chain (or can never be). */
  async remove(reads: readonly Journaled<T>[]): Promise<void> {
    if (reads.length === 0) return;
    await this.level.batch(reads.map((r) => ({ type: 'del' as const, key: u64(r.seq) })));
  }
}

/** The journal of served reads. */
export class ReadJournal extends EntryJournal<ServedRead> {
  constructor(level: JournalLevel) {
    super(level, { encode: encodeServedRead, decode: decodeServedRead });
  }
}
