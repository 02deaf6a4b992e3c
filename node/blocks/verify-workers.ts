/**
 * A pool of worker_threads that verify ed25519 signatures over 32-byte messages (tx and header
 * hashes) in batches. Each job travels as 128 bytes (public key | message | signature) in one
 * transferred buffer per batch, so the per-message cost of postMessage is amortised. Callers with
 * many signatures at once pack them themselves (`verifyPacked`: one promise per batch, no object
 * per signature); whatever is queued in one turn of the event loop, packed batches and single
 * jobs, goes out together, split evenly over the workers. A worker
 * verifies with libsodium (sodium-native, loaded from the path it is given) when it loads, else
 * with node:crypto and its own bounded cache of public KeyObjects (node/blocks/ed25519.ts).
 */
import { Worker } from 'node:worker_threads';
import { KeyCache, verifySignature } from '../../protocol/chain/keys.js';
import type { Ed25519Backend } from './ed25519.js';

// Plain CommonJS so it runs from `eval` without a TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map();
let sodium = null;
if (workerData.sodiumPath !== null) {
  try { sodium = require(workerData.sodiumPath).crypto_sign_verify_detached; } catch { sodium = null; }
}
parentPort.postMessage({ backend: sodium === null ? 'node' : 'sodium' });
function keyOf(pub) {
  const k = pub.toString('latin1');
  let key = cache.get(k);
  if (key === undefined) {
    key = crypto.createPublicKey({ key: Buffer.concat([SPKI, pub]), format: 'der', type: 'spki' });
    cache.set(k, key);
    if (cache.size > workerData.keyCacheSize) cache.delete(cache.keys().next().value);
  }
  return key;
}
parentPort.on('message', (msg) => {
  const b = Buffer.from(msg.buf);
  const n = b.length / 128;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 128;
    try {
      out[i] = (sodium !== null
        ? sodium(b.subarray(o + 64, o + 128), b.subarray(o + 32, o + 64), b.subarray(o, o + 32))
        : crypto.verify(null, b.subarray(o + 32, o + 64), keyOf(b.subarray(o, o + 32)), b.subarray(o + 64, o + 128))) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id: msg.id, out }, [out.buffer]);
});
`;

/** One signature to check: a 32-byte public key, a 32-byte message, a 64-byte signature. */
export interface SignatureJob {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** A caller's jobs in the queue: `n` from job `start` on, answered with their verdict bytes. */
interface Queued {
  readonly start: number;
  readonly n: number;
  readonly done: (out: Uint8Array) => void;
}

/** The fewest jobs a flush puts in a message of its own when it splits over the workers. */
const MIN_PART_JOBS = 8;

/** Bytes of one packed job: public key (32) | message (32) | signature (64). */
export const JOB_BYTES = 128;

/** The results of one packed batch, filled as its parts come back from the workers. */
interface Group {
  readonly out: Uint8Array;
  remaining: number;
  readonly done: (out: Uint8Array) => void;
}

/** One message out to a worker: `n` jobs of a group, from job `offset` on. */
interface Part {
  readonly slot: Slot;
  readonly group: Group;
  readonly offset: number;
  /** The part's packed jobs, kept to verify here if its worker dies. */
  readonly jobs: Uint8Array;
}

interface Slot {
  readonly worker: Worker;
  inflight: number;
  dead: boolean;
}

/** Options of the worker pool. */
export interface VerifyPoolOptions {
  /** Number of worker threads (usually the number of cores). */
  readonly workers: number;
  /** Max jobs sent to a worker in one message. */
  readonly maxBatch: number;
  /** Max cached KeyObjects per worker (node:crypto only). */
  readonly keyCacheSize: number;
  /** sodium-native's resolved path, or null for node:crypto (node/blocks/ed25519.ts). */
  readonly sodiumPath: string | null;
}

/** Batching worker pool for 32-byte-message ed25519 verification. */
export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, Part>();
  private readonly fallbackKeys = new KeyCache(1_000);
  // Jobs queued in this turn of the event loop, packed, and who asked for them: they go out
  // together, so concurrent callers share messages to the workers.
  private queue: Queued[] = [];
  private queuedJobs = new Uint8Array(0);
  private queuedCount = 0;
  private scheduled = false;
  private nextId = 1;
  private closed = false;
  /** What each worker reported it verifies with, once started. */
  readonly backends: Ed25519Backend[] = [];

  constructor(
    private readonly options: VerifyPoolOptions,
    private readonly verifyHereWith: ((job: SignatureJob) => boolean) | null = null,
  ) {
    for (let i = 0; i < Math.max(1, options.workers); i++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { keyCacheSize: options.keyCacheSize, sodiumPath: options.sodiumPath },
      });
      worker.unref();
      const slot: Slot = { worker, inflight: 0, dead: false };
      worker.on('message', (m: { id: number; out: Uint8Array } | { backend: Ed25519Backend }) => {
        if ('backend' in m) this.backends.push(m.backend);
        else this.onResult(m);
      });
      worker.on('error', () => this.onWorkerDeath(slot));
      worker.on('exit', () => this.onWorkerDeath(slot));
      this.slots.push(slot);
    }
  }

  /** Verifies one signature; resolves false on any malformed input. */
  verify(job: SignatureJob): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('verify pool closed'));
    if (job.publicKey.length !== 32 || job.message.length !== 32 || job.signature.length !== 64) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      packJob(this.reserve(1), this.queuedCount, job);
      this.enqueue(1, (out) => resolve(out[0] === 1));
    });
  }

  /**
   * Verifies `n` packed jobs (`JOB_BYTES` each: public key | message | signature, all sizes right)
   * with one promise for the lot rather than one per signature. Resolves to one byte per job, 1
   * where the signature holds. `jobs` is copied: the caller may reuse it once this returns.
   */
  verifyPacked(jobs: Uint8Array, n: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('verify pool closed'));
    if (n === 0) return Promise.resolve(new Uint8Array(0));
    return new Promise((done) => {
      this.reserve(n).set(jobs.subarray(0, n * JOB_BYTES), this.queuedCount * JOB_BYTES);
      this.enqueue(n, done);
    });
  }

  /** The queue's buffer with room for `n` more jobs. */
  private reserve(n: number): Uint8Array {
    const need = (this.queuedCount + n) * JOB_BYTES;
    if (need > this.queuedJobs.length) {
      // Grows from one turn's usual few jobs, doubling: a fresh 32 KiB buffer per flush (256 jobs,
      // as it once started) cost more than the flush's postMessage (allocation and the GC it
      // brings on), with one-tx requests flushing a job or three at a time.
      const grown = new Uint8Array(Math.max(need, this.queuedJobs.length * 2, 8 * JOB_BYTES));
      grown.set(this.queuedJobs.subarray(0, this.queuedCount * JOB_BYTES));
      this.queuedJobs = grown;
    }
    return this.queuedJobs;
  }

  private enqueue(n: number, done: (out: Uint8Array) => void): void {
    this.queue.push({ start: this.queuedCount, n, done });
    this.queuedCount += n;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    const jobs = this.queuedJobs.subarray(0, this.queuedCount * JOB_BYTES);
    const n = this.queuedCount;
    this.queue = [];
    // The buffer is reused next turn: each part sent is a copy (dispatch), so nothing keeps a view.
    this.queuedCount = 0;
    if (n === 0) return;
    this.dispatch(jobs, n, (out) => {
      for (const q of queue) q.done(out.subarray(q.start, q.start + q.n));
    });
  }

  private dispatch(jobs: Uint8Array, n: number, done: (out: Uint8Array) => void): void {
    const group: Group = { out: new Uint8Array(n), remaining: 0, done };
    const alive = this.slots.filter((s) => !s.dead);
    if (alive.length === 0) {
      this.verifyPartHere(group, 0, jobs);
      done(group.out);
      return;
    }
    // Split evenly over the workers, least loaded first, in batches of at most maxBatch, but no
    // part under MIN_PART_JOBS: a message to a worker and its answer cost the main thread more than
    // a few verifications take (one-tx requests flush one to three jobs a turn).
    const per = Math.min(this.options.maxBatch, Math.max(MIN_PART_JOBS, Math.ceil(n / alive.length)));
    group.remaining = Math.ceil(n / per);
    for (let start = 0; start < n; start += per) {
      const count = Math.min(per, n - start);
      // A copy of its own: the queue's buffer is reused, and a view would clone its whole buffer.
      // Kept here to verify on this thread if the worker dies, so it is cloned, not transferred
      // (for a few KiB, cloning measured no dearer than transferring).
      const part = jobs.slice(start * JOB_BYTES, (start + count) * JOB_BYTES);
      let slot = alive[0]!;
      for (const s of alive) if (s.inflight < slot.inflight) slot = s;
      const id = this.nextId++;
      slot.inflight += count;
      this.waiting.set(id, { slot, group, offset: start, jobs: part });
      slot.worker.postMessage({ id, buf: part.buffer });
    }
  }

  private onResult(m: { id: number; out: Uint8Array }): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    w.slot.inflight -= m.out.length;
    w.group.out.set(m.out, w.offset);
    if (--w.group.remaining === 0) w.group.done(w.group.out);
  }

  /** Verifies a part's jobs on this thread into its group's results. */
  private verifyPartHere(group: Group, offset: number, jobs: Uint8Array): void {
    for (let i = 0; i * JOB_BYTES < jobs.length; i++) {
      const o = i * JOB_BYTES;
      const job = {
        publicKey: jobs.subarray(o, o + 32),
        message: jobs.subarray(o + 32, o + 64),
        signature: jobs.subarray(o + 64, o + JOB_BYTES),
      };
      group.out[offset + i] = this.verifyHere(job) ? 1 : 0;
    }
  }

  private verifyHere(job: SignatureJob): boolean {
    if (this.verifyHereWith !== null) return this.verifyHereWith(job);
    return verifySignature(job.message, job.signature, job.publicKey, this.fallbackKeys);
  }

  private onWorkerDeath(slot: Slot): void {
    if (slot.dead || this.closed) return;
    // A crashed worker's batches are verified here, so a crash never turns a valid tx invalid.
    slot.dead = true;
    for (const [id, w] of this.waiting) {
      if (w.slot !== slot) continue;
      this.waiting.delete(id);
      this.verifyPartHere(w.group, w.offset, w.jobs);
      if (--w.group.remaining === 0) w.group.done(w.group.out);
    }
  }

  /** Terminates the workers; outstanding jobs resolve false. */
  async close(): Promise<void> {
    this.closed = true;
    // Results still out stay 0 (false); each group is answered once.
    const groups = new Set<Group>();
    for (const w of this.waiting.values()) groups.add(w.group);
    this.waiting.clear();
    for (const g of groups) g.done(g.out);
    for (const q of this.queue) q.done(new Uint8Array(q.n));
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** Writes `job` as packed job `i` of `jobs` (sizes already checked). */
export function packJob(jobs: Uint8Array, i: number, job: SignatureJob): void {
  const o = i * JOB_BYTES;
  jobs.set(job.publicKey, o);
  jobs.set(job.message, o + 32);
  jobs.set(job.signature, o + 64);
}
