/**
 * The searchable-index client (docs/records.md, "Searchable encrypted index"): a patient publishes
 * its index key wrapped for readers; an author (or the patient) uploads the blind-index tokens of a
 * version it anchored; a reader holding the index key searches one patient's records by terms,
 * sending tokens only. Codes and the index key never leave this process.
 */
import { fromHex, toHex } from '../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed, type Signer } from '../protocol/chain/keys.js';
import { type IndexTerm, indexKeyId, tokenOf, tokensOf } from '../protocol/records/blind-index.js';
import { bytesToBase64url } from '../protocol/records/bytes.js';
import { actorId } from '../protocol/records/consent-calls.js';
import { unwrapKey, wrapKey } from '../protocol/records/envelope.js';
import {
  signIndexKeysRequest,
  signIndexTokensRequest,
  signSearchRequest,
} from '../protocol/records/index-request.js';
import type { PurposeName } from '../protocol/records/request.js';
import { ApiError, type EhrClient } from './client.js';

/** One search hit: a record version the reader may read. */
export interface SearchHit {
  readonly recordId: string;
  readonly version: number;
  readonly cid: string;
}

/** What a search answers. */
export interface SearchAnswer {
  readonly patient: string;
  readonly results: SearchHit[];
  readonly truncated: boolean;
}

/** One actor's index client over one node. */
export class IndexClient {
  readonly signer: Signer;
  readonly publicKey: Uint8Array;
  readonly id: Uint8Array;

  constructor(
    readonly client: EhrClient,
    private readonly seed: Uint8Array,
    readonly chainId: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.signer = createSigner(seed);
    this.publicKey = publicKeyFromSeed(seed);
    this.id = actorId(this.publicKey);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchImpl(new URL(path, this.client.baseUrl), {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => null)) as
      | (T & { error?: { code: string; message: string } })
      | null;
    if (!res.ok || json === null)
      throw new ApiError(
        res.status,
        json?.error?.code ?? 'http_error',
        json?.error?.message ?? res.statusText,
      );
    return json;
  }

  /**
   * Patient: wraps `indexKey` for each reader (ed25519 public keys) and publishes the wraps;
   * answers how many were stored and on how many validators.
   */
  async publishKey(
    indexKey: Uint8Array,
    readerKeys: readonly Uint8Array[],
  ): Promise<{ keys: number; replicas: number }> {
    const id = indexKeyId(this.id);
    const keys = readerKeys.map((k) => ({ reader: actorId(k), wrapped: wrapKey(indexKey, k, id, 1) }));
    const request = signIndexKeysRequest({ chainId: this.chainId, keys }, this.signer);
    const r = await this.#send<{ keys: number; replicas: number }>('PUT', '/v1/index/keys', {
      request: bytesToBase64url(request),
    });
    return { keys: r.keys, replicas: r.replicas };
  }

  /** The index key of `patient` (actor id) wrapped for this actor, unwrapped. */
  async indexKey(patient: Uint8Array): Promise<Uint8Array> {
    const r = await this.#send<{ wrappedKey: string }>(
      'GET',
      `/v1/index/keys/${toHex(patient)}/${toHex(this.id)}`,
    );
    return unwrapKey(fromHex(r.wrappedKey), this.seed, indexKeyId(patient), 1);
  }

  /**
   * Author or patient: derives and uploads the tokens of an anchored version of `resource`;
   * answers how many distinct tokens were stored and on how many validators.
   */
  async putTokens(
    indexKey: Uint8Array,
    recordId: Uint8Array,
    version: number,
    resource: unknown,
  ): Promise<{ tokens: number; replicas: number }> {
    const request = signIndexTokensRequest(
      { chainId: this.chainId, recordId, version, tokens: tokensOf(indexKey, resource) },
      this.signer,
    );
    const r = await this.#send<{ tokens: number; replicas: number }>('PUT', '/v1/index/tokens', {
      request: bytesToBase64url(request),
    });
    return { tokens: r.tokens, replicas: r.replicas };
  }

  /** Reader: the patient's versions holding every term that this actor may read for `purpose`. */
  async search(
    indexKey: Uint8Array,
    patient: Uint8Array,
    terms: readonly IndexTerm[],
    purpose: PurposeName = 'TREAT',
  ): Promise<SearchAnswer> {
    const tokens = terms.map((t) => tokenOf(indexKey, t));
    const request = signSearchRequest({ chainId: this.chainId, patient, purpose, tokens }, this.signer);
    return this.#send<SearchAnswer>('POST', '/v1/search', {
      request: bytesToBase64url(request),
    });
  }
}
