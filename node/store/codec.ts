/**
 * Byte encodings of what the store keeps that protocol/chain does not define: Raft entries, hard and
 * conf state, snapshot meta, receipts, and big-endian keys. Storage-only (never hashed or signed),
 * but fixed-layout so a reopened store decodes exactly what it wrote.
 */
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from '../../consensus/types.js';
import type { ByteFault } from '../../protocol/bytes/fault.js';
import { BinaryReader } from '../../protocol/bytes/reader.js';
import { BinaryWriter } from '../../protocol/bytes/writer.js';
import type { ContractEvent, Receipt } from '../../protocol/chain/types.js';
import { StoreError, StoreErrorCode } from './errors.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

/** Turns a shared-core fault into the store's error: StoreError 'corrupt' on read, RangeError on write. */
function storeFault(f: ByteFault): Error {
  switch (f.kind) {
    case 'truncated':
      return new StoreError(StoreErrorCode.Corrupt, 'truncated record');
    case 'u64_range':
      return new StoreError(StoreErrorCode.Corrupt, 'u64 above 2^53');
    case 'trailing':
      return new StoreError(StoreErrorCode.Corrupt, 'trailing bytes');
    case 'bad_u64':
      return new RangeError(`u64 out of range: ${f.value}`);
    case 'too_large':
    case 'bad_size':
      return new RangeError(`${f.kind}: ${f.field}`); // not used by the store's layouts
  }
}

/** Appends fixed-width integers and length-prefixed bytes. */
export class Writer extends BinaryWriter {
  constructor() {
    super(storeFault);
  }
  str(s: string): this {
    return this.bytes(utf8.encode(s));
  }
}

/** Reads what `Writer` wrote; throws StoreError 'corrupt' on truncation. */
export class Reader extends BinaryReader {
  constructor(buf: Uint8Array) {
    // A plain view even of a Buffer, so that raw() below copies (Buffer#slice does not).
    super(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), storeFault);
  }
  /** A copy of the next `n` bytes. */
  raw(n: number): Uint8Array {
    return this.copy(n);
  }
  bytes(): Uint8Array {
    return this.raw(this.u32());
  }
  str(): string {
    try {
      return utf8d.decode(this.bytes());
    } catch {
      throw new StoreError(StoreErrorCode.Corrupt, 'invalid UTF-8');
    }
  }
  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** 8-byte big-endian key, so LevelDB iterates in numeric order. */
export function u64Key(n: number): Uint8Array {
  return new Writer().u64(n).finish();
}

/** Inverse of `u64Key`. */
export function readU64Key(k: Uint8Array): number {
  const r = new Reader(k);
  const v = r.u64();
  r.end();
  return v;
}

/** Entry value (its index is the key): type u8, term u64, data. */
export function encodeEntry(e: Entry): Uint8Array {
  return new Writer().u8(e.type).u64(e.term).bytes(e.data).finish();
}

export function decodeEntry(index: number, b: Uint8Array): Entry {
  const r = new Reader(b);
  const type = r.u8();
  if (type !== 0 && type !== 1) throw new StoreError(StoreErrorCode.Corrupt, 'bad entry type');
  const e: Entry = { type: type as EntryType, term: r.u64(), index, data: r.bytes() };
  r.end();
  return e;
}

export function encodeHardState(hs: HardState): Uint8Array {
  const w = new Writer().u64(hs.term).u64(hs.commit);
  return (hs.vote === null ? w.u8(0) : w.u8(1).str(hs.vote)).finish();
}

export function decodeHardState(b: Uint8Array): HardState {
  const r = new Reader(b);
  const term = r.u64();
  const commit = r.u64();
  const vote = r.u8() === 1 ? r.str() : null;
  r.end();
  return { term, vote, commit };
}

function writeConf(w: Writer, c: ConfState): Writer {
  w.u32(c.voters.length);
  for (const v of c.voters) w.str(v);
  w.u32(c.learners.length);
  for (const l of c.learners) w.str(l);
  return w;
}

function readConf(r: Reader): ConfState {
  const voters: string[] = [];
  for (let n = r.u32(); n > 0; n--) voters.push(r.str());
  const learners: string[] = [];
  for (let n = r.u32(); n > 0; n--) learners.push(r.str());
  return { voters, learners };
}

export function encodeConfState(c: ConfState): Uint8Array {
  return writeConf(new Writer(), c).finish();
}

export function decodeConfState(b: Uint8Array): ConfState {
  const r = new Reader(b);
  const c = readConf(r);
  r.end();
  return c;
}

export function encodeSnapshotMeta(m: SnapshotMeta): Uint8Array {
  return writeConf(new Writer().u64(m.index).u64(m.term), m.conf).finish();
}

export function decodeSnapshotMeta(b: Uint8Array): SnapshotMeta {
  const r = new Reader(b);
  const index = r.u64();
  const term = r.u64();
  const conf = readConf(r);
  r.end();
  return { index, term, conf };
}

function writeReceipt(w: Writer, rc: Receipt): void {
  w.bytes(rc.txHash)
    .u64(rc.height)
    .u32(rc.index)
    .u8(rc.status === 'ok' ? 0 : 1);
  if (rc.error === undefined) w.u8(0);
  else w.u8(1).str(rc.error);
  w.u64(rc.gasUsed).bytes(rc.returnData).u32(rc.events.length);
  for (const ev of rc.events) {
    w.str(ev.name).u32(ev.data.length);
    for (const d of ev.data) w.bytes(d);
  }
}

function readReceipt(r: Reader): Receipt {
  const txHash = r.bytes();
  const height = r.u64();
  const index = r.u32();
  const status = r.u8() === 0 ? 'ok' : 'reverted';
  const error = r.u8() === 1 ? r.str() : undefined;
  const gasUsed = r.u64();
  const returnData = r.bytes();
  const events: ContractEvent[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const name = r.str();
    const data: Uint8Array[] = [];
    for (let m = r.u32(); m > 0; m--) data.push(r.bytes());
    events.push({ name, data });
  }
  const base = { txHash, height, index, status, gasUsed, returnData, events } as const;
  return error === undefined ? base : { ...base, error };
}

/** All receipts of one block, in tx order, as one value. */
export function encodeReceipts(rs: readonly Receipt[]): Uint8Array {
  const w = new Writer().u32(rs.length);
  for (const rc of rs) writeReceipt(w, rc);
  return w.finish();
}

export function decodeReceipts(b: Uint8Array): Receipt[] {
  const r = new Reader(b);
  const out: Receipt[] = [];
  for (let n = r.u32(); n > 0; n--) out.push(readReceipt(r));
  r.end();
  return out;
}
