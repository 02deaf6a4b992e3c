/**
 * The records client: encrypts FHIR records on the client, stores the ciphertext through a node,
 * anchors versions on chain with the data key wrapped for each reader, and reads them back through
 * any node (which finds the blob in the DHT and serves it only if consent allows). Keys never leave
 * this process; nothing here logs record content.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CID } from 'multiformats/cid';
import type { TxView } from '../protocol/api.js';
import { bytesEqual, fromHex, toHex } from '../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed, type Signer } from '../protocol/chain/keys.js';
import { platformCrypto } from '../protocol/crypto/platform.js';
import type { CryptoProvider } from '../protocol/crypto/provider.js';
import { utf8 } from '../protocol/records/bytes.js';
import { checkCid, sha256Of } from '../protocol/records/cid.js';
import * as C from '../protocol/records/consent-calls.js';
import {
  decodeEnvelope,
  newDataKey,
  openEnvelope,
  sealEnvelope,
  unwrapKey,
  wrapKey,
} from '../protocol/records/envelope.js';
import { RecordError } from '../protocol/records/errors.js';
import { parseFhir, validateFhir } from '../protocol/records/fhir.js';
import {
  type PurposeName,
  requestToHeader,
  signReadRequest,
  signUploadRequest,
} from '../protocol/records/request.js';
import { decodeInt } from '../vm/abi.js';
import { encodeOp } from '../vm/consent/abi.js';
import type { ConsentOp } from '../vm/consent/ops.js';
import { Account, ApiError, type EhrClient } from './client.js';
import { IndexClient } from './index-tokens.js';

/** What `put` needs. */
export interface PutRecord {
  /** The patient's ed25519 public key (the patient always gets a wrapped key). */
  readonly patientKey: Uint8Array;
  /** A FHIR R4 resource or Bundle (parsed JSON). */
  readonly resource: unknown;
  /** Consent category code (lab, imaging, ...). */
  readonly category: string;
  /** Omit for a new record; give it to anchor the next version. */
  readonly recordId?: Uint8Array;
  /** Other readers' public keys (the author is added unless `includeSelf` is false). */
  readonly readerKeys?: readonly Uint8Array[];
  readonly includeSelf?: boolean;
  /** The patient's index key: when given, the version's blind-index tokens are uploaded too. */
  readonly indexKey?: Uint8Array;
}

/** A stored version. */
export interface PutResult {
  readonly recordId: string;
  readonly version: number;
  readonly cid: string;
  readonly replicas: number;
  /** With `indexKey`: the version's distinct tokens and the validators holding them. */
  readonly index?: { readonly tokens: number; readonly replicas: number };
}

/**
 * The version was stored and anchored but its tokens were not uploaded: `put` holds what was
 * stored; `IndexClient.putTokens` for that version may be sent again (it replaces, idempotent).
 */
export class IndexTokensError extends Error {
  override readonly name = 'IndexTokensError';
  constructor(
    readonly put: PutResult,
    cause: unknown,
  ) {
    super(`version ${put.version} of ${put.recordId} is anchored but its index tokens were not stored`, {
      cause,
    });
  }
}

/** A record read back and decrypted. */
export interface GotRecord {
  readonly resource: Resource;
  readonly version: number;
  readonly cid: string;
  /** Where the serving node got the blob: local, dht:<peer>, validator:<peer>. */
  readonly source: string;
}

/** One version in a record's history. */
export interface HistoryEntry extends C.VersionInfo {
  readonly version: number;
  /** Actor ids (hex) the version's key is wrapped for (empty once erased). */
  readonly readers: string[];
}

type GrantArgs = Omit<Extract<ConsentOp, { op: 'grant' }>, 'op' | 'patient'>;

/** One actor's records client over one node. */
export class RecordsClient {
  readonly account: Account;
  readonly signer: Signer;
  readonly publicKey: Uint8Array;
  readonly id: Uint8Array;

  constructor(
    readonly client: EhrClient,
    private readonly seed: Uint8Array,
    readonly chainId: string,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    /** Random record ids come from here (node:crypto on a server, @noble in a browser). */
    private readonly crypto: CryptoProvider = platformCrypto,
  ) {
    this.account = new Account(seed, chainId);
    this.signer = createSigner(seed);
    this.publicKey = publicKeyFromSeed(seed);
    this.id = C.actorId(this.publicKey);
  }

  async #query(call: C.Call): Promise<Uint8Array> {
    const r = await this.client.query('consent', call.method, call.args);
    if (r.status !== 'ok') throw new RecordError('tx_reverted', `query ${call.method} reverted`, r.error);
    return fromHex(r.returnData);
  }

  async #call(call: { method: string; args: Uint8Array[] }): Promise<TxView> {
    const tx = await this.account.call(this.client, 'consent', call.method, call.args, { timeoutMs: 30_000 });
    if (tx.receipt?.status !== 'ok') {
      const code = tx.receipt?.error ?? 'reverted';
      throw new RecordError('tx_reverted', `${call.method} reverted: ${code}`, code);
    }
    return tx;
  }

  /** The head version of a record (0 if none). */
  async head(recordId: Uint8Array): Promise<number> {
    return decodeInt(await this.#query(C.recordHeadCall(recordId)));
  }

  /** Validates, encrypts, uploads and anchors a record version (author: a doctor with write access). */
  async put(p: PutRecord): Promise<PutResult> {
    const resource = validateFhir(p.resource);
    const recordId = p.recordId ?? this.crypto.randomBytes(32);
    const previous = p.recordId === undefined ? 0 : await this.head(recordId);
    const version = previous + 1;
    const dataKey = newDataKey();
    const blob = sealEnvelope(utf8(JSON.stringify(resource)), dataKey, recordId, version);
    const readers: Uint8Array[] = [];
    for (const k of [
      p.patientKey,
      ...(p.includeSelf === false ? [] : [this.publicKey]),
      ...(p.readerKeys ?? []),
    ])
      if (!readers.some((r) => bytesEqual(r, k))) readers.push(k);
    const keys = readers.map((k) => ({
      reader: toHex(C.actorId(k)),
      key: toHex(wrapKey(dataKey, k, recordId, version)),
    }));
    dataKey.fill(0);
    const stored = await this.upload(blob);
    const op = encodeOp({
      op: 'anchor',
      patient: toHex(C.actorId(p.patientKey)),
      recordId: toHex(recordId),
      previous,
      cid: stored.cid,
      category: p.category,
      keys,
    });
    const tx = await this.#call(op);
    const result: PutResult = {
      recordId: toHex(recordId),
      version: decodeInt(fromHex(tx.receipt!.returnData)),
      cid: stored.cid,
      replicas: stored.replicas,
    };
    if (p.indexKey === undefined) return result;
    // Tokens after the anchor: the node checks the signer is the anchored version's author.
    const index = new IndexClient(this.client, this.seed, this.chainId, this.fetchImpl);
    try {
      return { ...result, index: await index.putTokens(p.indexKey, recordId, result.version, resource) };
    } catch (err) {
      throw new IndexTokensError(result, err);
    }
  }

  /** Uploads a blob (PUT /v1/blobs) with a signed upload request. */
  async upload(blob: Uint8Array): Promise<{ cid: string; replicas: number }> {
    const req = signUploadRequest(
      { chainId: this.chainId, blobHash: sha256Of(blob), size: blob.length },
      this.signer,
    );
    // A node shedding load refuses before it reads the request: sending the same one again is safe.
    return this.client.whenBusy(async () => {
      const res = await this.fetchImpl(new URL('/v1/blobs', this.client.baseUrl), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'x-ehr-request': requestToHeader(req) },
        body: blob as Uint8Array<ArrayBuffer>,
      });
      const body = (await res.json()) as {
        cid: string;
        replicas: number;
        error?: { code: string; message: string };
      };
      if (!res.ok)
        throw new ApiError(
          res.status,
          body.error?.code ?? 'http_error',
          body.error?.message ?? res.statusText,
        );
      return body;
    }, ['overloaded']);
  }

  /**
   * Fetches a version's ciphertext with a signed read request (no decryption). `request` replaces
   * the freshly signed one (tests); `info` saves the versionInfo query when the caller has it.
   */
  async fetchBlob(
    recordId: Uint8Array,
    version: number,
    opts: { purpose?: PurposeName; request?: Uint8Array; info?: C.VersionInfo } = {},
  ): Promise<{ bytes: Uint8Array; cid: string; source: string }> {
    const info = opts.info ?? (await this.version(recordId, version));
    const cid = CID.parse(info.cid);
    const req =
      opts.request ??
      signReadRequest(
        {
          chainId: this.chainId,
          patient: info.patient,
          recordId,
          version,
          purpose: opts.purpose ?? 'TREAT',
          cid: cid.bytes,
        },
        this.signer,
      );
    const res = await this.fetchImpl(new URL(`/v1/blobs/${info.cid}`, this.client.baseUrl), {
      headers: { 'x-ehr-request': requestToHeader(req) },
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as {
        error?: { code: string; message: string };
      } | null;
      throw new ApiError(
        res.status,
        body?.error?.code ?? 'http_error',
        body?.error?.message ?? res.statusText,
      );
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    checkCid(cid, bytes);
    return { bytes, cid: info.cid, source: res.headers.get('x-ehr-source') ?? '' };
  }

  /** A version's facts from the chain; unknown_record or erased otherwise. */
  async version(recordId: Uint8Array, version: number): Promise<C.VersionInfo> {
    const info = C.decodeVersionInfo(await this.#query(C.versionInfoCall(recordId, version)));
    if (info === null) throw new RecordError('unknown_record', 'no such record version');
    if (info.erasedAt > 0) throw new RecordError('erased', 'the record was erased');
    return info;
  }

  /** The data key of a version, unwrapped with this actor's key. */
  async dataKey(recordId: Uint8Array, version: number): Promise<Uint8Array> {
    const wrapped = await this.#query(C.wrappedKeyCall(recordId, version, this.id));
    if (wrapped.length === 0) throw new RecordError('no_key', 'no key is wrapped for this reader');
    return unwrapKey(wrapped, this.seed, recordId, version);
  }

  /** Opens a version's ciphertext with `dataKey` and re-validates the FHIR content. */
  static open(bytes: Uint8Array, dataKey: Uint8Array, recordId: Uint8Array, version: number): Resource {
    const env = decodeEnvelope(bytes);
    if (!bytesEqual(env.recordId, recordId) || env.version !== version)
      throw new RecordError('decrypt_failed', 'the blob is of another record or version');
    return parseFhir(openEnvelope(env, dataKey));
  }

  /** Reads a version (default: the head): fetch, check the hash, unwrap, decrypt, re-validate. */
  async get(
    recordId: Uint8Array,
    opts: { version?: number; purpose?: PurposeName } = {},
  ): Promise<GotRecord> {
    const version = opts.version ?? (await this.head(recordId));
    if (version < 1) throw new RecordError('unknown_record', 'no such record');
    const blob = await this.fetchBlob(recordId, version, { purpose: opts.purpose ?? 'TREAT' });
    const key = await this.dataKey(recordId, version);
    return {
      resource: RecordsClient.open(blob.bytes, key, recordId, version),
      version,
      cid: blob.cid,
      source: blob.source,
    };
  }

  /** Every version of a record as the chain holds it. */
  async history(recordId: Uint8Array): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (let v = 1; ; v++) {
      const info = C.decodeVersionInfo(await this.#query(C.versionInfoCall(recordId, v)));
      if (info === null) break;
      const readers = C.decodeReaders(await this.#query(C.readersOfCall(recordId, v))).map(toHex);
      out.push({ ...info, version: v, readers });
    }
    return out;
  }

  /**
   * Patient: grants consent on chain, then wraps the head version's data key of each record in
   * `share` for the grantee (`granteeKey`), so the grantee can decrypt what exists already.
   */
  async grant(
    g: GrantArgs,
    share: { granteeKey: Uint8Array; records: readonly Uint8Array[] } | null = null,
  ): Promise<number> {
    const tx = await this.#call(encodeOp({ op: 'grant', patient: toHex(this.id), ...g }));
    const grantId = decodeInt(fromHex(tx.receipt!.returnData));
    for (const r of share?.records ?? []) await this.shareKey(r, await this.head(r), share!.granteeKey);
    return grantId;
  }

  /** Patient: wraps an existing version's data key for one more reader (on chain). */
  async shareKey(recordId: Uint8Array, version: number, readerKey: Uint8Array): Promise<void> {
    const key = await this.dataKey(recordId, version);
    const wrapped = wrapKey(key, readerKey, recordId, version);
    key.fill(0);
    await this.#call(C.shareKeyCall(recordId, version, C.actorId(readerKey), wrapped));
  }

  /** Patient: revokes a grant (newer versions then get keys the grantee never receives). */
  async revoke(grantId: number): Promise<void> {
    await this.#call(encodeOp({ op: 'revoke', grantId }));
  }

  /** Patient: erases a record (wrapped keys deleted on chain; every node deletes the blobs). */
  async erase(recordId: Uint8Array): Promise<void> {
    await this.#call(C.eraseCall(recordId));
  }
}
