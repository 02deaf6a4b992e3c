/**
 * Byte encodings of what the store keeps that node/chain does not define: Raft entries, hard and
 * conf state, snapshot meta, receipts, and big-endian keys. Storage-only (never hashed or signed),
 * but fixed-layout so a reopened store decodes exactly what it wrote.
 */
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from '../../consensus/types.js';
import type { ContractEvent, Receipt } from '../chain/types.js';
import { StoreError, StoreErrorCode } from './errors.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

/** Appends fixed-width integers and length-prefixed bytes. */
export class Writer {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private pos = 0;

  private need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.need(1);
    this.buf[this.pos++] = v;
    return this;
  }
  u32(v: number): this {
    this.need(4);
    this.dv.setUint32(this.pos, v, false);
    this.pos += 4;
    return this;
  }
  /** An unsigned integer below 2^53, as 8 bytes big-endian. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.need(8);
    this.dv.setUint32(this.pos, Math.floor(v / 2 ** 32), false);
    this.dv.setUint32(this.pos + 4, v >>> 0, false);
    this.pos += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.need(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  bytes(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }
  str(s: string): this {
    return this.bytes(utf8.encode(s));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads what `Writer` wrote; throws StoreError 'corrupt' on truncation. */
export class Reader {
  private readonly dv: DataView;
  private readonly buf: Uint8Array;
  private pos = 0;
  constructor(buf: Uint8Array) {
    // A plain view even of a Buffer, so that slice() below copies (Buffer#slice does not).
    this.buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new StoreError(StoreErrorCode.Corrupt, 'truncated record');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, false);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.dv.getUint32(this.pos, false) * 2 ** 32 + this.dv.getUint32(this.pos + 4, false);
    this.pos += 8;
    if (!Number.isSafeInteger(v)) throw new StoreError(StoreErrorCode.Corrupt, 'u64 above 2^53');
    return v;
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
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
  /** Throws unless every byte was read. */
  end(): void {
    if (!this.done) throw new StoreError(StoreErrorCode.Corrupt, 'trailing bytes');
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
