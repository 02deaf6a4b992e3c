/**
 * The node's searchable encrypted index (docs/records.md): stores the blind-index tokens of record
 * versions (set by the version's author or its patient, after the anchor), the patient's index key
 * wrapped for readers (set by the patient), and answers signed searches "which of this patient's
 * versions hold all these tokens" with only the versions the consent contract lets the reader read
 * at the current state, exactly as a blob read is checked (not erased, canAccess read). It never
 * sees a code: tokens are HMACs under a key the node does not hold.
 */
import { bytesEqual, toHex } from '../../protocol/chain/encoding.js';
import { KeyCache } from '../../protocol/chain/keys.js';
import * as C from '../../protocol/records/consent-calls.js';
import { RecordError } from '../../protocol/records/errors.js';
import {
  decodeIndexRequest,
  INDEX_KINDS,
  type IndexKeysRequest,
  type IndexRequest,
  type IndexTokensRequest,
  MAX_INDEX_REQUEST_BYTES,
  verifyIndexRequest,
} from '../../protocol/records/index-request.js';
import type { PurposeName } from '../../protocol/records/request.js';
import { ROLE_CODE } from '../../vm/consent/abi.js';
import type { AppliedBlock } from '../blocks/applier.js';
import type { Logger } from '../log.js';
import type { P2PHost } from '../p2p/host.js';
import { RequestRefusal } from '../p2p/request.js';
import { NonceCache } from './nonces.js';
import { SearchIndexStore } from './search-index.js';

/** Options of the index. */
export interface SearchIndexOptions {
  /** Versions a search answers at most (and postings read per token). */
  readonly maxResults: number;
  /** Signed requests are accepted within this many ms of the node's clock. */
  readonly requestWindowMs: number;
  /** Time allowed for pushing a request to one other validator. */
  readonly pushTimeoutMs: number;
  /** How long a replica waits for its state to reach a pushed version's anchor. */
  readonly replicaWaitMs: number;
}

export const defaultSearchIndexOptions: SearchIndexOptions = {
  maxResults: 256,
  requestWindowMs: 60_000,
  pushTimeoutMs: 5_000,
  replicaWaitMs: 3_000,
};

/** What the index needs from the node. */
export interface SearchIndexDeps {
  readonly chainId: string;
  /** Directory of its LevelDB. */
  readonly dir: string;
  /** Runs a consent contract query on applied state. */
  query(method: string, args: readonly Uint8Array[]): Uint8Array;
  readonly log?: Logger;
  /** The p2p host (pushes to other validators); absent: no replication. */
  readonly host?: Pick<P2PHost, 'handleRequest' | 'unhandleRequest' | 'request'>;
  /** Peer ids of the other validators. */
  validatorPeers?(): string[];
  now?(): number;
}

/** One search hit. */
export interface SearchHit {
  readonly recordId: string;
  readonly version: number;
  readonly cid: string;
}

/** The answer to a search. */
export interface SearchResult {
  readonly patient: string;
  readonly results: SearchHit[];
  /** A posting list was cut at maxResults: there may be more. */
  readonly truncated: boolean;
}

/** Who may set a version's tokens: its author or its patient. */
const NOT_AUTHOR = 'not_author';
/** Who may set the wrapped index keys: the patient. */
const NOT_PATIENT = 'not_patient';

/** An index refusal: a RecordError code, or not_author / not_patient (403). */
export class IndexError extends Error {
  override readonly name = 'IndexError';
  constructor(
    readonly code: typeof NOT_AUTHOR | typeof NOT_PATIENT,
    message: string,
  ) {
    super(message);
  }
}

/** The searchable index of one node. */
export class SearchIndex {
  store!: SearchIndexStore;
  readonly #nonces: NonceCache;
  readonly #keys = new KeyCache(10_000);
  readonly #erasing = new Set<Promise<unknown>>();
  readonly #push: string;

  constructor(
    readonly options: SearchIndexOptions,
    private readonly deps: SearchIndexDeps,
  ) {
    this.#nonces = new NonceCache(options.requestWindowMs);
    this.#push = `/ehrchain/${deps.chainId}/index-push/1.0.0`;
  }

  async start(): Promise<void> {
    this.store = await SearchIndexStore.open(this.deps.dir);
    await this.deps.host?.handleRequest(this.#push, (b) => this.#onPush(b), {
      maxRequestBytes: MAX_INDEX_REQUEST_BYTES,
      timeoutMs: this.options.pushTimeoutMs + this.options.replicaWaitMs,
    });
  }

  async stop(): Promise<void> {
    await this.deps.host?.unhandleRequest(this.#push).catch(() => undefined);
    await Promise.allSettled([...this.#erasing]);
    await this.store?.close();
  }

  #now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  #check<K extends keyof typeof INDEX_KINDS>(bytes: Uint8Array, kind: K): Extract<IndexRequest, { kind: K }> {
    const q = decodeIndexRequest(bytes, kind);
    const now = this.#now();
    verifyIndexRequest(q, this.deps.chainId, now, this.options.requestWindowMs, this.#keys);
    if (!this.#nonces.check(q.signer, q.nonce, q.time, now))
      throw new RecordError('replayed_request', 'request nonce already used');
    return q;
  }

  #version(recordId: Uint8Array, version: number): C.VersionInfo | null {
    return C.decodeVersionInfo(this.deps.query(...call(C.versionInfoCall(recordId, version))));
  }

  /** PUT /v1/index/tokens: the tokens of an anchored version, from its author or patient. */
  async putTokens(
    bytes: Uint8Array,
  ): Promise<{ recordId: string; version: number; tokens: number; replicas: number }> {
    const q = this.#check(bytes, 'tokens');
    const r = await this.#storeTokens(q);
    return { ...r, replicas: 1 + (await this.#replicate(bytes)) };
  }

  async #storeTokens(q: IndexTokensRequest): Promise<{ recordId: string; version: number; tokens: number }> {
    const info = this.#version(q.recordId, q.version);
    if (info === null) throw new RecordError('unknown_record', 'no such record version (anchor it first)');
    if (info.erasedAt > 0) throw new RecordError('erased', 'the record was erased');
    const me = C.actorId(q.signer);
    if (!bytesEqual(me, info.author) && !bytesEqual(me, info.patient))
      throw new IndexError(NOT_AUTHOR, "only the version's author or patient sets its tokens");
    const distinct = [...new Map(q.tokens.map((t) => [toHex(t), t])).values()];
    await this.store.putTokens(info.patient, q.recordId, q.version, distinct);
    return { recordId: toHex(q.recordId), version: q.version, tokens: distinct.length };
  }

  /** PUT /v1/index/keys: the signer's (a patient's) index key wrapped for readers. */
  async putKeys(bytes: Uint8Array): Promise<{ patient: string; keys: number; replicas: number }> {
    const q = this.#check(bytes, 'keys');
    const r = await this.#storeKeys(q);
    return { ...r, replicas: 1 + (await this.#replicate(bytes)) };
  }

  async #storeKeys(q: IndexKeysRequest): Promise<{ patient: string; keys: number }> {
    const patient = C.actorId(q.signer);
    const a = C.decodeActorInfo(this.deps.query(...call(C.actorInfoCall(patient))));
    if (a === null || a.role !== ROLE_CODE.patient || a.suspended)
      throw new IndexError(NOT_PATIENT, 'only a registered patient publishes an index key');
    await this.store.putKeys(patient, q.keys);
    return { patient: toHex(patient), keys: q.keys.length };
  }

  /** Pushes a signed keys / tokens request to every other validator; returns how many took it. */
  async #replicate(bytes: Uint8Array): Promise<number> {
    const host = this.deps.host;
    if (host === undefined) return 0;
    const peers = this.deps.validatorPeers?.() ?? [];
    const done = await Promise.all(
      peers.map((peer) =>
        host.request(peer, this.#push, bytes, { timeoutMs: this.options.pushTimeoutMs }).then(
          () => true,
          (err: unknown) => {
            this.deps.log?.warn({ err, peer }, 'index push to a validator failed');
            return false;
          },
        ),
      ),
    );
    return done.filter(Boolean).length;
  }

  /** A pushed request: the same checks (signature with a 10x window, no nonce; authority). */
  async #onPush(bytes: Uint8Array): Promise<Uint8Array> {
    try {
      const kind = bytes[4] === INDEX_KINDS.keys ? 'keys' : 'tokens';
      const q = decodeIndexRequest(bytes, kind);
      verifyIndexRequest(q, this.deps.chainId, this.#now(), 10 * this.options.requestWindowMs, this.#keys);
      if (q.kind === 'keys') await this.#storeKeys(q);
      else {
        // The origin applied the anchor; this replica may be a few blocks behind.
        const until = this.#now() + this.options.replicaWaitMs;
        while (this.#version(q.recordId, q.version) === null && this.#now() < until)
          await new Promise((r) => setTimeout(r, 50));
        await this.#storeTokens(q);
      }
      return new Uint8Array(0);
    } catch (err) {
      if (err instanceof RecordError || err instanceof IndexError) throw new RequestRefusal(err.code);
      throw new RequestRefusal('internal');
    }
  }

  /** GET /v1/index/keys/:patient/:reader: the wrapped index key, or not_found. */
  async getKey(patient: Uint8Array, reader: Uint8Array): Promise<Uint8Array> {
    const k = await this.store.getKey(patient, reader);
    if (k === undefined) throw new RecordError('not_found', 'no index key wrapped for this reader');
    return k;
  }

  /** POST /v1/search: the patient's versions holding every token that the reader may read now. */
  async search(bytes: Uint8Array): Promise<SearchResult> {
    const q = this.#check(bytes, 'search');
    const { postings, truncated } = await this.store.match(q.patient, q.tokens, this.options.maxResults);
    const reader = C.actorId(q.signer);
    const now = this.#now();
    const results: SearchHit[] = [];
    for (const p of postings) {
      const info = this.#version(p.recordId, p.version);
      if (info === null || info.erasedAt > 0 || !bytesEqual(info.patient, q.patient)) continue;
      if (!this.#allowed(reader, q.patient, p.recordId, p.version, q.purpose, now)) continue;
      results.push({ recordId: toHex(p.recordId), version: p.version, cid: info.cid });
    }
    results.sort((a, b) =>
      a.recordId === b.recordId ? a.version - b.version : a.recordId < b.recordId ? -1 : 1,
    );
    return { patient: toHex(q.patient), results, truncated };
  }

  /** Called for every applied block: an erased record's tokens are deleted here. */
  onApplied(a: AppliedBlock): void {
    for (const [i, tx] of a.block.txs.entries()) {
      const b = tx.body;
      if (b.contract !== 'consent' || b.method !== 'erase' || a.receipts[i]?.status !== 'ok') continue;
      const record = b.args[0];
      if (record === undefined || this.store === undefined) continue;
      const p = this.store
        .deleteRecord(record)
        .catch((err: unknown) =>
          this.deps.log?.error({ err }, 'deleting the tokens of an erased record failed'),
        );
      this.#erasing.add(p);
      void p.finally(() => this.#erasing.delete(p));
    }
  }

  #allowed(
    reader: Uint8Array,
    patient: Uint8Array,
    recordId: Uint8Array,
    version: number,
    purpose: PurposeName,
    now: number,
  ): boolean {
    const d = C.decodeDecision(
      this.deps.query(...call(C.canReadCall(reader, patient, recordId, version, purpose, now))),
    );
    return d.allowed;
  }
}

const call = (c: C.Call): [string, Uint8Array[]] => [c.method, c.args];
