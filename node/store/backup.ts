/**
 * Backups of the chain's LevelDB: every key and value of every sublevel (Raft log and hard state,
 * blocks, tx index, receipts, state, meta, snapshots), read through ONE iterator over the root
 * database. A LevelDB iterator reads from the implicit snapshot taken when it is created, so the
 * backup is consistent (one instant, at a batch boundary: every block with its state and meta)
 * while the node keeps writing. Blobs and the actor-event index are not included (docs/operations.md).
 *
 * Format (integers big-endian):
 *   magic "EHRBACKUP" | version u8 = 1
 *   records: u32 keyLen (< 0xffffffff) | key | u32 valueLen | value      (keys ascending)
 *   end:     u32 0xffffffff | u64 count | u32 len | summary JSON (BackupSummary) | sha256 (32 bytes)
 * The sha256 covers every byte before it.
 */
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Level } from 'level';
import { readU64Key } from './codec.js';
import { StoreError, StoreErrorCode } from './errors.js';

const MAGIC = new TextEncoder().encode('EHRBACKUP');
const VERSION = 1;
const END = 0xffffffff;

/** What a backup says about itself (in its trailer). */
export interface BackupSummary {
  readonly entries: number;
  /** Height and Raft applied index of the chain in the backup, and its state root (hex). */
  readonly height: number;
  readonly appliedIndex: number;
  readonly stateRoot: string;
  readonly createdAt: string;
}

/** A root database read as raw bytes (sublevel prefixes included). */
export type RawLevel = Level<Uint8Array, Uint8Array>;

const enc = new TextEncoder();
const META_HEIGHT = enc.encode('!meta!height');
const META_APPLIED = enc.encode('!meta!applied');
const META_ROOT = enc.encode('!meta!root');

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** Writes a backup of `level` to `out` (one iterator: one consistent instant); returns its summary. */
export async function writeBackup(
  level: RawLevel,
  out: Writable,
  now: Date = new Date(),
): Promise<BackupSummary> {
  const hash = createHash('sha256');
  const write = async (b: Uint8Array) => {
    hash.update(b);
    if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  await write(MAGIC);
  await write(new Uint8Array([VERSION]));
  let entries = 0;
  let height = 0;
  let appliedIndex = 0;
  let stateRoot = '';
  const it = level.iterator({ keyEncoding: 'view', valueEncoding: 'view' });
  try {
    for (;;) {
      const chunk = await it.nextv(1000);
      if (chunk.length === 0) break;
      for (const [k, v] of chunk) {
        if (same(k, META_HEIGHT)) height = readU64Key(v);
        else if (same(k, META_APPLIED)) appliedIndex = readU64Key(v);
        else if (same(k, META_ROOT)) stateRoot = Buffer.from(v).toString('hex');
        await write(u32(k.length));
        await write(k);
        await write(u32(v.length));
        await write(v);
        entries++;
      }
    }
  } finally {
    await it.close();
  }
  const summary: BackupSummary = { entries, height, appliedIndex, stateRoot, createdAt: now.toISOString() };
  const json = enc.encode(JSON.stringify(summary));
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(entries));
  await write(u32(END));
  await write(count);
  await write(u32(json.length));
  await write(json);
  const digest = hash.digest();
  await new Promise<void>((resolve, reject) => out.write(digest, (err) => (err ? reject(err) : resolve())));
  return summary;
}

function bad(msg: string): StoreError {
  return new StoreError(StoreErrorCode.Corrupt, `not a usable backup: ${msg}`);
}

/** Reads a backup file sequentially, in large chunks. */
class FileReader {
  #buf = new Uint8Array(0);
  #at = 0;
  #pos = 0;
  readonly hash = createHash('sha256');
  constructor(
    private readonly fh: import('node:fs/promises').FileHandle,
    private readonly size: number,
  ) {}

  /** Bytes read so far. */
  get offset(): number {
    return this.#pos - (this.#buf.length - this.#at);
  }

  async take(n: number, hashed = true): Promise<Uint8Array> {
    if (this.#buf.length - this.#at < n) {
      const rest = this.#buf.subarray(this.#at);
      const want = Math.max(n - rest.length, 1 << 20);
      const next = new Uint8Array(rest.length + Math.min(want, this.size - this.#pos));
      next.set(rest);
      const { bytesRead } = await this.fh.read(next, rest.length, next.length - rest.length, this.#pos);
      this.#pos += bytesRead;
      this.#buf = next.subarray(0, rest.length + bytesRead);
      this.#at = 0;
      if (this.#buf.length < n) throw bad('truncated');
    }
    const out = this.#buf.slice(this.#at, this.#at + n);
    this.#at += n;
    if (hashed) this.hash.update(out);
    return out;
  }

  async u32(): Promise<number> {
    const b = await this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }
}

/**
 * Reads the backup at `file`, checking its framing and sha256; `onEntries` receives the entries in
 * runs (pass nothing to only verify). Returns the summary. Throws StoreError `corrupt` if the file
 * is not a whole, intact backup.
 */
export async function readBackup(
  file: string,
  onEntries?: (run: [Uint8Array, Uint8Array][]) => Promise<void>,
): Promise<BackupSummary> {
  const fh = await openFile(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const r = new FileReader(fh, size);
    if (!same(await r.take(MAGIC.length), MAGIC)) throw bad('bad magic');
    const version = (await r.take(1))[0];
    if (version !== VERSION) throw bad(`unknown version ${version}`);
    let run: [Uint8Array, Uint8Array][] = [];
    let n = 0;
    for (;;) {
      const kl = await r.u32();
      if (kl === END) break;
      const k = await r.take(kl);
      const v = await r.take(await r.u32());
      n++;
      run.push([k, v]);
      if (run.length >= 1000) {
        await onEntries?.(run);
        run = [];
      }
    }
    if (run.length > 0) await onEntries?.(run);
    const c = await r.take(8);
    const count = Number(new DataView(c.buffer, c.byteOffset, 8).getBigUint64(0));
    const summary = JSON.parse(new TextDecoder().decode(await r.take(await r.u32()))) as BackupSummary;
    const digest = r.hash.digest();
    const stored = await r.take(32, false);
    if (!same(digest, stored)) throw bad('checksum mismatch');
    if (r.offset !== size) throw bad('bytes after the end');
    if (count !== n || summary.entries !== n) throw bad(`${n} entries, trailer says ${count}`);
    return summary;
  } finally {
    await fh.close();
  }
}

/**
 * Restores the backup at `file` into a new LevelDB at `dir` (which must hold none): verifies the
 * whole file first, then writes its entries in batches. Returns the summary.
 */
export async function restoreBackup(file: string, dir: string): Promise<BackupSummary> {
  await readBackup(file);
  const level: RawLevel = new Level<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    errorIfExists: true,
  });
  await level.open();
  try {
    let last: [Uint8Array, Uint8Array] | undefined;
    const summary = await readBackup(file, async (run) => {
      await level.batch(run.map(([key, value]) => ({ type: 'put' as const, key, value })));
      last = run[run.length - 1];
    });
    // One synced write makes LevelDB fsync its log, and with it every batch before.
    if (last !== undefined) await level.put(last[0], last[1], { sync: true });
    return summary;
  } finally {
    await level.close();
  }
}
