/**
 * The TypeScript client: builds, signs and submits transactions over HTTP and waits for receipts.
 * Signing happens here, on the client; the node only ever sees signed bytes.
 */

import type { BatchItemResult, BlockView, QueryResult, StatusView, TxView } from '../protocol/api.js';
import { toHex } from '../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed, type Signer } from '../protocol/chain/keys.js';
import { encodeSignedTx, signTx } from '../protocol/chain/tx.js';
import { encodeTxBatch } from '../protocol/chain/tx-batch.js';
import type { SignedTx } from '../protocol/chain/types.js';
import { type FollowItem, type FollowOptions, followActor } from './follow.js';

/** A refusal from the node: the HTTP status and the node's stable error code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before retrying, when the node said so (503). */
    readonly retryAfter: number | null = null,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export interface CallOptions {
  readonly gasLimit?: number;
  /** Use this nonce instead of the account's next one. */
  readonly nonce?: number;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

export interface ClientOptions {
  /**
   * Times a submission refused with 503 (mempool full, node overloaded: nothing was admitted, so
   * resending is safe) is sent again, after the node's Retry-After capped at `maxBackoffMs`, or a
   * back-off from 100 ms doubling. Default 6; 0 turns retrying off.
   */
  readonly busyRetries?: number;
  /** Longest wait between two tries. Default 1,000 ms. */
  readonly maxBackoffMs?: number;
}

/** Talks to one node's HTTP API. */
export class EhrClient {
  constructor(
    readonly baseUrl: string,
    // Called through a closure: a browser's fetch throws when called as a method of another object.
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly options: ClientOptions = {},
  ) {}

  /**
   * Runs a request that takes work in, sending it again after a 503 as `options` allow; with `codes`,
   * only a 503 with one of those codes is retried (the rest surface at once). Only for requests a
   * 503 proves were not acted on.
   */
  async whenBusy<T>(send: () => Promise<T>, codes?: readonly string[]): Promise<T> {
    const retries = this.options.busyRetries ?? 6;
    const cap = this.options.maxBackoffMs ?? 1_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 503 || attempt >= retries) throw err;
        if (codes !== undefined && !codes.includes(err.code)) throw err;
        const wait = Math.min(cap, err.retryAfter !== null ? err.retryAfter * 1000 : 100 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async #json<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await this.fetchImpl(new URL(path, this.baseUrl), init);
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_response', `not JSON: ${text.slice(0, 80)}`);
    }
    if (!res.ok) {
      const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
      const retry = res.headers.get('retry-after');
      throw new ApiError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? res.statusText,
        retry === null ? null : Number(retry),
      );
    }
    return body as T;
  }

  status(): Promise<StatusView> {
    return this.#json('/v1/status');
  }

  /** The next nonce a sender must use (its committed nonce). */
  async nextNonce(sender: Uint8Array): Promise<number> {
    const r = await this.#json<{ nonce: number }>(`/v1/accounts/${toHex(sender)}`);
    return r.nonce;
  }

  /**
   * Submits a signed tx; resolves with its hash once the node admitted it (202). A 503 is retried
   * (see ClientOptions); any other refusal throws ApiError with the node's code.
   */
  async submit(tx: SignedTx): Promise<string> {
    // Our encoders return ArrayBuffer-backed arrays, which fetch takes as a body in Node and browsers.
    const body = encodeSignedTx(tx) as Uint8Array<ArrayBuffer>;
    const r = await this.whenBusy(() =>
      this.#json<{ hash: string }>('/v1/tx', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
      }),
    );
    return r.hash;
  }

  /**
   * Submits up to 1,000 signed txs in one request (`POST /v1/txs`); each is admitted or refused on
   * its own, in order. Throws ApiError for a refused request (503 when the mempool took none).
   */
  async submitBatch(txs: readonly SignedTx[]): Promise<BatchItemResult[]> {
    const body = encodeTxBatch(txs.map(encodeSignedTx)) as Uint8Array<ArrayBuffer>;
    const r = await this.whenBusy(() =>
      this.#json<{ results: BatchItemResult[] }>('/v1/txs', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
      }),
    );
    return r.results;
  }

  async getTx(hash: string): Promise<TxView | null> {
    try {
      return await this.#json<TxView>(`/v1/tx/${hash}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Polls until the tx is committed; rejects with a timeout error otherwise. */
  async waitForReceipt(hash: string, opts: WaitOptions = {}): Promise<TxView> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let wait = opts.pollMs ?? 50;
    for (;;) {
      const tx = await this.getTx(hash);
      if (tx !== null && tx.status === 'committed') return tx;
      if (Date.now() > deadline) throw new ApiError(408, 'timeout', `tx ${hash} not committed in time`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 500);
    }
  }

  getBlock(height: number): Promise<BlockView> {
    return this.#json(`/v1/blocks/${height}`);
  }

  getBlocks(from: number, limit = 20): Promise<{ head: number; blocks: BlockView[] }> {
    return this.#json(`/v1/blocks?from=${from}&limit=${limit}`);
  }

  /**
   * One actor's notifications (docs/notify.md) as they happen, resuming after `lastEventId` and
   * reconnecting with the last id seen; ends when `signal` aborts.
   */
  followActor(actorId: string, opts: FollowOptions = {}): AsyncGenerator<FollowItem> {
    return followActor(this.baseUrl, this.fetchImpl, actorId, opts);
  }

  query(contract: string, method: string, args: readonly Uint8Array[] = []): Promise<QueryResult> {
    const q = args.length === 0 ? '' : `?args=${args.map(toHex).join(',')}`;
    return this.#json(`/v1/query/${encodeURIComponent(contract)}/${encodeURIComponent(method)}${q}`);
  }
}

/** One actor's key and nonce sequence: signs calls with consecutive nonces. */
export class Account {
  readonly publicKey: Uint8Array;
  readonly #signer: Signer;
  #nonce: number | null = null;

  constructor(
    seed: Uint8Array,
    readonly chainId: string,
  ) {
    this.publicKey = publicKeyFromSeed(seed);
    this.#signer = createSigner(seed);
  }

  /** Learns the next nonce from the node (call once before signing, or after a refusal). */
  async sync(client: EhrClient): Promise<void> {
    this.#nonce = await client.nextNonce(this.publicKey);
  }

  /** Signs a call with the next nonce; does not submit it. */
  sign(contract: string, method: string, args: readonly Uint8Array[], opts: CallOptions = {}): SignedTx {
    const nonce = opts.nonce ?? this.#nonce;
    if (nonce === null) throw new Error('Account.sign: call sync() first or pass a nonce');
    if (opts.nonce === undefined) this.#nonce = nonce + 1;
    return signTx(
      {
        chainId: this.chainId,
        sender: this.publicKey,
        nonce,
        gasLimit: opts.gasLimit ?? 1_000_000,
        contract,
        method,
        args,
      },
      this.#signer,
    );
  }

  /** Signs, submits and waits for the receipt. */
  async call(
    client: EhrClient,
    contract: string,
    method: string,
    args: readonly Uint8Array[],
    opts: CallOptions & WaitOptions = {},
  ): Promise<TxView> {
    if (this.#nonce === null && opts.nonce === undefined) await this.sync(client);
    const hash = await client.submit(this.sign(contract, method, args, opts));
    return client.waitForReceipt(hash, opts);
  }
}
