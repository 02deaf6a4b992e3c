/**
 * The node's searchable encrypted index (docs/records.md): stores the blind-index tokens of record
 * versions (set by the version's author or its patient, after the anchor), the patient's index key
 * wrapped for readers (set by the patient), and answers signed searches "which of this patient's
 * versions hold all these tokens" with only the versions the consent contract lets the reader read
 * at the current state, exactly as a blob read is checked (not erased, canAccess read). It never
 * sees a code: tokens are HMACs under a key the node does not hold.
 */
import { toHex } from '../../protocol/chain/encoding.js';
import { KeyCache } from '../../protocol/chain/keys.js';
import * as C from '../../protocol/records/consent-calls.js';
import { RecordError } from '../../protocol/records/errors.js';
import {
  decodeIndexRequest,
  type INDEX_KINDS,
  type IndexRequest,
  verifyIndexRequest,
} from '../../protocol/records/index-request.js';
import type { PurposeName } from '../../protocol/records/request.js';
import { ROLE_CODE } from '../../vm/consent/abi.js';
import type { AppliedBlock } from '../blocks/applier.js';
import type { Logger } from '../log.js';
import { NonceCache } from './nonces.js';
import { SearchIndexStore } from './search-index.js';

/** Options of the index. */
export interface SearchIndexOptions {
  /** Versions a search answers at most (and postings read per token). */
  readonly maxResults: number;
  /** Signed requests are accepted within this many ms of the node's clock. */
  readonly requestWindowMs: number;
}

export const defaultSearchIndexOptions: SearchIndexOptions = { maxResults: 256, requestWindowMs: 60_000 };

/** What the index needs from the node. */
export interface SearchIndexDeps {
  readonly chainId: string;
  /** Directory of its LevelDB. */
  readonly dir: string;
  /** Runs a consent contract query on applied state. */
  query(method: string, args: readonly Uint8Array[]): Uint8Array;
  readonly log?: Logger;
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

  constructor(
    readonly options: SearchIndexOptions,
    private readonly deps: SearchIndexDeps,
  ) {
    this.#nonces = new NonceCache(options.requestWindowMs);
  }

  async start(): Promise<void> {
    this.store = await SearchIndexStore.open(this.deps.dir);
  }

  async stop(): Promise<void> {
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
  async putTokens(bytes: Uint8Array): Promise<{ recordId: string; version: number; tokens: number }> {
    const q = this.#check(bytes, 'tokens');
    const info = this.#version(q.recordId, q.version);
    if (info === null) throw new RecordError('unknown_record', 'no such record version (anchor it first)');
    if (info.erasedAt > 0) throw new RecordError('erased', 'the record was erased');
    const me = C.actorId(q.signer);
    if (!sameBytes(me, info.author) && !sameBytes(me, info.patient))
      throw new IndexError(NOT_AUTHOR, "only the version's author or patient sets its tokens");
    const distinct = [...new Map(q.tokens.map((t) => [toHex(t), t])).values()];
    await this.store.putTokens(info.patient, q.recordId, q.version, distinct);
    return { recordId: toHex(q.recordId), version: q.version, tokens: distinct.length };
  }

  /** PUT /v1/index/keys: the signer's (a patient's) index key wrapped for readers. */
  async putKeys(bytes: Uint8Array): Promise<{ patient: string; keys: number }> {
    const q = this.#check(bytes, 'keys');
    const patient = C.actorId(q.signer);
    const a = C.decodeActorInfo(this.deps.query(...call(C.actorInfoCall(patient))));
    if (a === null || a.role !== ROLE_CODE.patient || a.suspended)
      throw new IndexError(NOT_PATIENT, 'only a registered patient publishes an index key');
    await this.store.putKeys(patient, q.keys);
    return { patient: toHex(patient), keys: q.keys.length };
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
      if (info === null || info.erasedAt > 0 || !sameBytes(info.patient, q.patient)) continue;
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
