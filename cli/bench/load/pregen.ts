/**
 * Pre-generation: every key is derived and every tx signed and encoded before the clock starts, so
 * the timed loop only sends bytes. Txs are laid out in send order: tx k belongs to account
 * k % accounts with nonce floor(k / accounts), so consecutive sends spread over accounts.
 */
import { createHash } from 'node:crypto';
import { createSigner } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import { type ConsentInit, pregenerateConsent } from '../consent/pregen.js';
import { createWorkload } from './workloads.js';

/** Pre-built request bodies in one slab, with their tx hashes. */
export interface Pregen {
  readonly count: number;
  readonly bytes: Buffer;
  /** Start offsets, count + 1 entries. */
  readonly offsets: Uint32Array;
  /** 32 bytes per tx (ehrchain); empty for etcd. */
  readonly hashes: Buffer;
  /** consent-mix: the op of each entry (consent-plan.ts OP_*); a canAccess entry is a query path. */
  readonly kinds?: Uint8Array;
  /** consent-mix: the acting account of each entry (an actor sticks to one node). */
  readonly accounts?: Uint32Array;
}

/** Pregen parameters. */
export interface PregenInit {
  readonly mode: 'ehrchain' | 'etcd';
  readonly id: number;
  readonly seed: string;
  readonly chainId: string;
  readonly workload: string;
  readonly valueBytes: number;
  readonly accounts: number;
  readonly txs: number;
  /** consent-mix only: the setup's results and this run's world. */
  readonly consent?: ConsentInit;
  readonly workers?: number;
}

class Slab {
  buf = Buffer.allocUnsafe(1 << 20);
  used = 0;
  append(b: Uint8Array): void {
    if (this.used + b.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + b.length));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    this.buf.set(b, this.used);
    this.used += b.length;
  }
}

/** The account seed of `account` in worker `id` for a run seed. */
export function accountSeed(seed: string, id: number, account: number): Uint8Array {
  return createHash('sha256').update(`ehrchain-bench|${seed}|${id}|${account}`).digest();
}

/** Signs (ehrchain) or encodes (etcd) `txs` requests. */
export function pregenerate(p: PregenInit): Pregen {
  if (p.workload === 'consent-mix') return pregenConsent(p);
  const workload = createWorkload(p.workload, { valueBytes: p.valueBytes });
  const accounts = Math.max(1, Math.min(p.accounts, p.txs));
  const signers = Array.from({ length: accounts }, (_, a) => createSigner(accountSeed(p.seed, p.id, a)));
  const slab = new Slab();
  const offsets = new Uint32Array(p.txs + 1);
  const hashes = Buffer.alloc(p.mode === 'ehrchain' ? p.txs * 32 : 0);
  for (let k = 0; k < p.txs; k++) {
    const a = k % accounts;
    const seq = Math.floor(k / accounts);
    const call = workload.call(p.id, a, seq);
    if (p.mode === 'etcd') {
      // The same key and value bytes as the ehrchain call, as an etcd v3 JSON put.
      const key = Buffer.concat([Buffer.from(`b${p.seed.slice(0, 8)}/`), Buffer.from(call.args[0] ?? [])]);
      const value = Buffer.from(call.args[1] ?? []);
      const uniq = (call.args[0]?.length ?? 0) <= 1 ? Buffer.concat([key, Buffer.from(`${p.id}.${a}`)]) : key;
      slab.append(
        Buffer.from(JSON.stringify({ key: uniq.toString('base64'), value: value.toString('base64') })),
      );
    } else {
      const signer = signers[a];
      if (signer === undefined) throw new Error('no signer');
      const tx = signTx(
        {
          chainId: p.chainId,
          sender: signer.publicKey,
          nonce: seq,
          gasLimit: 100_000,
          contract: call.contract,
          method: call.method,
          args: call.args,
        },
        signer,
      );
      slab.append(tx.bytes);
      hashes.set(tx.hash, k * 32);
    }
    offsets[k + 1] = slab.used;
  }
  return { count: p.txs, bytes: slab.buf.subarray(0, slab.used), offsets, hashes };
}

function pregenConsent(p: PregenInit): Pregen {
  if (p.consent === undefined) throw new Error('consent-mix: no setup data for the worker');
  const slab = new Slab();
  const offsets = new Uint32Array(p.txs + 1);
  const hashes = Buffer.alloc(p.txs * 32);
  const kinds = new Uint8Array(p.txs);
  const accounts = new Uint32Array(p.txs);
  let k = 0;
  pregenerateConsent(p.consent, p.chainId, p.id, p.workers ?? 1, p.txs, (e) => {
    slab.append(e.bytes);
    if (e.hash !== null) hashes.set(e.hash, k * 32);
    kinds[k] = e.op;
    accounts[k] = e.account;
    offsets[++k] = slab.used;
  });
  return { count: p.txs, bytes: slab.buf.subarray(0, slab.used), offsets, hashes, kinds, accounts };
}
