/**
 * Load for multi-node tests: pre-signed kv `put` txs across a few senders, submitted to random nodes
 * over HTTP with bounded concurrency and a time bound, retrying elsewhere when a node is down or full.
 */
import { createHash } from 'node:crypto';
import type { TxView } from '../../protocol/api.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../protocol/chain/keys.js';
import { signTx } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import type { TestNode } from './network.js';
import { sleep } from './network.js';

/** A deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic 32-byte seed for a label. */
export function seedOf(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`ehrchain-net-test/${label}`).digest());
}

export interface PreparedTx {
  readonly tx: SignedTx;
  readonly hash: string;
  readonly sender: number;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface PresignOptions {
  readonly chainId: string;
  readonly txs: number;
  readonly senders: number;
  /** Distinguishes the senders (and keys) of one batch from another's. */
  readonly label: string;
  /** First nonce of every sender (default 0: fresh senders). */
  readonly firstNonce?: number;
}

/** Signs `txs` kv puts, round-robin over `senders` fresh accounts, in nonce order per sender. */
export function presign(o: PresignOptions): PreparedTx[] {
  const signers = Array.from({ length: o.senders }, (_, i) => {
    const seed = seedOf(`${o.label}/sender-${i}`);
    return { signer: createSigner(seed), pk: publicKeyFromSeed(seed) };
  });
  const enc = new TextEncoder();
  const out: PreparedTx[] = [];
  for (let i = 0; i < o.txs; i++) {
    const s = i % o.senders;
    const nonce = (o.firstNonce ?? 0) + Math.floor(i / o.senders);
    const key = enc.encode(`${o.label}/k${i}`);
    const value = enc.encode(`v${i}-${o.label}`);
    const who = signers[s];
    if (who === undefined) throw new Error('no signer');
    const tx = signTx(
      {
        chainId: o.chainId,
        sender: who.pk,
        nonce,
        gasLimit: 100_000,
        contract: 'kv',
        method: 'put',
        args: [key, value],
      },
      who.signer,
    );
    out.push({ tx, hash: toHex(tx.hash), sender: s, key, value });
  }
  return out;
}

export interface SubmitOptions {
  /** The nodes to pick from, asked afresh for every tx (so killed nodes drop out). */
  readonly targets: () => readonly TestNode[];
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly seed?: number;
  /** Attempts per tx across nodes (connection failures, 503). Default 8. */
  readonly attempts?: number;
  /** Called after each tx is settled (for progress-driven faults). */
  readonly onSettled?: (done: number) => void;
}

export interface LoadResult {
  /** Hashes a node answered 202 for (or 409 duplicate/nonce_stale on a retry: it got in earlier). */
  readonly accepted: Set<string>;
  /** Hash -> name of the node that admitted it. */
  readonly acceptedBy: Map<string, string>;
  /** Hash -> error code of a final refusal. */
  readonly refused: Map<string, string>;
  /** Hashes never settled before the time bound or attempts ran out. */
  readonly unsent: string[];
  /** Connection-level failures seen (a node down). */
  readonly connectionErrors: number;
}

type Outcome = { kind: 'ok' } | { kind: 'refused'; status: number; code: string } | { kind: 'down' };

async function post(url: string, body: Uint8Array): Promise<Outcome> {
  try {
    const res = await fetch(`${url}/v1/tx`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status === 202) return { kind: 'ok' };
    let code = 'http_error';
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
    } catch {
      // not JSON
    }
    return { kind: 'refused', status: res.status, code };
  } catch {
    return { kind: 'down' };
  }
}

/** Submits `txs` in order (bounded concurrency) to random targets; resolves when all settle or time runs out. */
export async function submitAll(txs: readonly PreparedTx[], o: SubmitOptions): Promise<LoadResult> {
  const rand = rng(o.seed ?? 1);
  const deadline = Date.now() + o.timeoutMs;
  const attempts = o.attempts ?? 20;
  const accepted = new Set<string>();
  const acceptedBy = new Map<string, string>();
  const refused = new Map<string, string>();
  const unsent: string[] = [];
  let connectionErrors = 0;
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const p = txs[i];
      if (p === undefined) return;
      let settled = false;
      let retried = false;
      for (let a = 0; a < attempts && !settled && Date.now() < deadline; a++) {
        const targets = o.targets();
        const t = targets[Math.floor(rand() * targets.length)];
        if (t === undefined) {
          await sleep(100);
          continue;
        }
        const r = await post(t.url, p.tx.bytes);
        if (r.kind === 'ok') {
          accepted.add(p.hash);
          acceptedBy.set(p.hash, t.name);
          settled = true;
        } else if (r.kind === 'down' || r.status === 503) {
          if (r.kind === 'down') connectionErrors++;
          retried = true;
          await sleep(50 + a * 50);
        } else if (retried && (r.code === 'duplicate' || r.code === 'nonce_stale')) {
          accepted.add(p.hash);
          acceptedBy.set(p.hash, t.name);
          settled = true;
        } else {
          refused.set(p.hash, r.code);
          settled = true;
        }
      }
      if (!settled) unsent.push(p.hash);
      o.onSettled?.(++done);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { accepted, acceptedBy, refused, unsent, connectionErrors };
}

/** The committed view of a tx on one node, or null when that node does not hold it committed. */
export async function committedTx(n: TestNode, hash: string): Promise<TxView | null> {
  const tx = await n.client.getTx(hash);
  return tx !== null && tx.status === 'committed' ? tx : null;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * The txs that must commit although `lost` nodes died: per sender in nonce order, every tx admitted
 * by a node that stayed up, until the first one only a lost node admitted and that did not commit
 * anyway (its successors wait on a nonce gap forever: allowed, 202 means admitted, not committed).
 */
export function mustCommit(
  txs: readonly PreparedTx[],
  r: LoadResult,
  lost: ReadonlySet<string>,
  committed: ReadonlySet<string>,
): string[] {
  const bySender = new Map<number, PreparedTx[]>();
  for (const t of txs) bySender.set(t.sender, [...(bySender.get(t.sender) ?? []), t]);
  const out: string[] = [];
  for (const list of bySender.values()) {
    for (const t of list) {
      const by = r.acceptedBy.get(t.hash);
      if (!committed.has(t.hash) && (by === undefined || lost.has(by))) break;
      out.push(t.hash);
    }
  }
  return out;
}
