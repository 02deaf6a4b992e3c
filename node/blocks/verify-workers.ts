/**
 * A pool of worker_threads that verify ed25519 signatures over 32-byte messages (tx and header
 * hashes) in batches. Each job travels as 128 bytes (public key | message | signature) in one
 * transferred buffer per batch, so the per-message cost of postMessage is amortised. A worker
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

interface Pending {
  readonly job: SignatureJob;
  readonly resolve: (ok: boolean) => void;
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
  private readonly waiting = new Map<number, { batch: Pending[]; slot: Slot }>();
  private readonly fallbackKeys = new KeyCache(1_000);
  private queue: Pending[] = [];
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
      this.queue.push({ job, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    const alive = this.slots.filter((s) => !s.dead);
    if (alive.length === 0) {
      for (const p of queue) p.resolve(this.verifyHere(p.job));
      return;
    }
    // Split evenly over the workers, least loaded first, in batches of at most maxBatch.
    const per = Math.min(this.options.maxBatch, Math.max(1, Math.ceil(queue.length / alive.length)));
    for (let start = 0; start < queue.length; start += per) {
      const batch = queue.slice(start, start + per);
      const buf = new Uint8Array(batch.length * 128);
      batch.forEach((p, i) => {
        buf.set(p.job.publicKey, i * 128);
        buf.set(p.job.message, i * 128 + 32);
        buf.set(p.job.signature, i * 128 + 64);
      });
      let slot = alive[0]!;
      for (const s of alive) if (s.inflight < slot.inflight) slot = s;
      const id = this.nextId++;
      slot.inflight += batch.length;
      this.waiting.set(id, { batch, slot });
      slot.worker.postMessage({ id, buf: buf.buffer }, [buf.buffer]);
    }
  }

  private onResult(m: { id: number; out: Uint8Array }): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    w.slot.inflight -= w.batch.length;
    w.batch.forEach((p, i) => {
      p.resolve(m.out[i] === 1);
    });
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
      for (const p of w.batch) p.resolve(this.verifyHere(p.job));
    }
  }

  /** Terminates the workers; outstanding jobs resolve false. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) for (const p of w.batch) p.resolve(false);
    this.waiting.clear();
    for (const p of this.queue) p.resolve(false);
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
