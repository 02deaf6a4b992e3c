/**
 * The node's records service: stores encrypted blobs, announces them in the DHT, replicates them
 * to other validators, and serves them only to signed read requests that the consent contract
 * allows at the current state; every served read is recorded on chain (ReadRecorder). A node that
 * does not hold a blob finds providers in the DHT and forwards the reader's signed request over
 * `/ehrchain/<c>/blob-fetch/1.0.0`, so the holder checks consent itself. Erasure: when an `erase`
 * transaction is applied, the blobs of every version are deleted here and refused from then on;
 * a sweep at start-up (and after a snapshot is installed) deletes what erasures missed (sweep.ts).
 */
import type { CID } from 'multiformats/cid';
import { bytesEqual } from '../../protocol/chain/encoding.js';
import { KeyCache, type Signer } from '../../protocol/chain/keys.js';
import { ByteReader, concatBytes, varBytes } from '../../protocol/records/bytes.js';
import { checkCid, cidOf, parseBlobCid, sha256Of } from '../../protocol/records/cid.js';
import * as C from '../../protocol/records/consent-calls.js';
import { RecordError } from '../../protocol/records/errors.js';
import {
  decodeRequest,
  type ReadRequest,
  type SignedRequest,
  type UploadRequest,
  verifyRequest,
} from '../../protocol/records/request.js';
import type { AppliedBlock } from '../blocks/applier.js';
import type { Logger } from '../log.js';
import { isP2PError } from '../p2p/errors.js';
import type { P2PHost } from '../p2p/host.js';
import type { DiskGuardOptions, DiskState } from '../store/health.js';
import { BlobStore, type BlobStoreOptions, defaultBlobStoreOptions } from './blob-store.js';
import { blobCidFromBytes } from './cid-bytes.js';
import { ConsultRecorder } from './consult-receipts.js';
import { fetchFromPeers } from './forward.js';
import { noopRecordMetrics, type RecordMetrics } from './metrics.js';
import { NonceCache } from './nonces.js';
import {
  createSubmitLane,
  defaultReadRecorderOptions,
  ReadRecorder,
  type ReadRecorderOptions,
} from './receipts.js';
import { denied, toRefusal } from './refusals.js';
import { type SweepResult, sweepErasedBlobs } from './sweep.js';

/** Options of the records service. */
export interface RecordServiceOptions {
  readonly blobs: BlobStoreOptions;
  /** Copies of each blob kept (this node included). */
  readonly replicas: number;
  /** Signed requests are accepted within this many ms of the node's clock. */
  readonly requestWindowMs: number;
  readonly dhtTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly receipts: ReadRecorderOptions;
}

export const defaultRecordServiceOptions: RecordServiceOptions = {
  blobs: defaultBlobStoreOptions,
  replicas: 2,
  requestWindowMs: 60_000,
  dhtTimeoutMs: 5_000,
  fetchTimeoutMs: 10_000,
  receipts: defaultReadRecorderOptions,
};

/** What the service needs from the node. */
export interface RecordServiceDeps {
  readonly chainId: string;
  /** Directory of the blob store. */
  readonly dir: string;
  readonly host: P2PHost;
  /** The node's key (signs recordReads). */
  readonly signer: Signer;
  /** Peer ids of the other validators. */
  validatorPeers(): string[];
  /** Runs a consent contract query on applied state; throws on a revert. */
  query(method: string, args: readonly Uint8Array[]): Uint8Array;
  nextNonce(): number;
  submit(bytes: Uint8Array): Promise<unknown>;
  /** Whether a tx is in the local mempool (read receipts dropped from it are resubmitted). */
  isPending?(txHash: Uint8Array): boolean;
  readonly log: Logger;
  readonly metrics?: RecordMetrics;
  now?(): number;
  /** How the blob store's full-disk probe samples (the chain store's `store.disk*` options). */
  readonly disk?: Partial<DiskGuardOptions>;
}

/** A blob and where it came from: `local`, `dht:<peer>` or `validator:<peer>`. */
export interface ServedBlob {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/** The result of an upload. */
export interface UploadResult {
  readonly cid: string;
  readonly size: number;
  /** Nodes holding the blob, this one included. */
  readonly replicas: number;
  /** Whether the DHT provide succeeded. */
  readonly provided: boolean;
}

/** The records service of one node. */
export class RecordService {
  blobs!: BlobStore;
  readonly recorder: ReadRecorder;
  /** Consults the node's decision service answered, recorded like reads (same options and key). */
  readonly consults: ConsultRecorder;
  readonly #nonces: NonceCache;
  readonly #keys = new KeyCache(10_000);
  readonly #push: string;
  readonly #fetch: string;
  readonly #erasing = new Set<Promise<unknown>>();
  readonly #metrics: RecordMetrics;

  constructor(
    readonly options: RecordServiceOptions,
    private readonly deps: RecordServiceDeps,
  ) {
    this.#nonces = new NonceCache(options.requestWindowMs);
    this.#push = `/ehrchain/${deps.chainId}/blob-push/1.0.0`;
    this.#fetch = `/ehrchain/${deps.chainId}/blob-fetch/1.0.0`;
    const lane = { ...deps, lane: createSubmitLane() };
    this.recorder = new ReadRecorder(options.receipts, lane, deps.log.child({ module: 'read-receipts' }));
    this.consults = new ConsultRecorder(
      options.receipts,
      lane,
      deps.log.child({ module: 'consult-receipts' }),
    );
    this.#metrics = deps.metrics ?? noopRecordMetrics;
    this.#metrics.watchReceipts(() => ({
      pending: this.recorder.unrecorded + this.consults.unrecorded,
      resubmitted: this.recorder.resubmitted + this.consults.resubmitted,
    }));
  }

  /** Runs `work` in the background; stop() waits for it. */
  #track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.deps.log.error({ err }, 'records background work failed'));
    this.#erasing.add(p);
    void p.finally(() => this.#erasing.delete(p));
  }

  /** Deletes the held blobs whose record version is erased on chain (see sweep.ts). */
  async sweepErased(): Promise<SweepResult> {
    const r = await sweepErasedBlobs({
      blobs: this.blobs,
      query: (m, a) => this.deps.query(m, a),
      unprovide: (cid) => this.deps.host.unprovide(cid),
      now: () => this.#now(),
      log: this.deps.log,
    });
    this.#metrics.swept(r.erased);
    return r;
  }

  /** Runs the sweep in the background (after a snapshot is installed). */
  sweepSoon(): void {
    this.#track(this.sweepErased());
  }

  #now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Opens the blob store and serves the p2p protocols (before or after the host starts). */
  async start(): Promise<void> {
    this.blobs = await BlobStore.open(this.deps.dir, this.options.blobs, this.deps.disk ?? {});
    this.blobs.onDiskState((s) => this.#onDiskState(s));
    await this.recorder.restore(this.blobs.reads);
    await this.consults.restore(this.blobs.consults);
    const max = this.options.blobs.maxBlobBytes;
    await this.deps.host.handleRequest(this.#push, (b, ctx) => this.#onPush(b, ctx.from), {
      maxRequestBytes: max + 1024,
      timeoutMs: this.options.fetchTimeoutMs,
    });
    await this.deps.host.handleRequest(this.#fetch, (b) => this.#onFetch(b), {
      maxRequestBytes: 1024,
      maxResponseBytes: max + 1024,
      timeoutMs: this.options.fetchTimeoutMs,
    });
    this.sweepSoon();
  }

  /** Whether the blob store refuses writes for lack of space (uploads answer 503 `disk_full`). */
  diskFull(): boolean {
    return this.blobs?.diskState().full === true;
  }

  #onDiskState(s: DiskState): void {
    this.#metrics.diskFull(s.full);
    if (s.full) {
      this.deps.log.error(
        { reason: s.reason, freeBytes: s.freeBytes, dir: this.deps.dir },
        'BLOB STORE DISK FULL: uploads refused (disk_full) until space is freed',
      );
      return;
    }
    this.deps.log.warn({ freeBytes: s.freeBytes }, 'blob store has room again: uploads taken');
    // An erasure refused meanwhile is done now.
    this.sweepSoon();
  }

  /** Flushes pending read receipts (waiting up to 2 s for them to commit), stops serving, closes the store. */
  async stop(): Promise<void> {
    await Promise.all([this.recorder.stop(2000), this.consults.stop(2000)]);
    await this.deps.host.unhandleRequest(this.#push).catch(() => undefined);
    await this.deps.host.unhandleRequest(this.#fetch).catch(() => undefined);
    await Promise.allSettled([...this.#erasing]);
    await this.blobs?.close();
  }

  /** Decodes and checks a signed request: chain, signature, window, replay. */
  #check<K extends SignedRequest['kind']>(bytes: Uint8Array, kind: K): Extract<SignedRequest, { kind: K }> {
    const q = decodeRequest(bytes);
    if (q.kind !== kind) throw new RecordError('bad_encoding', `expected a ${kind} request`);
    const now = this.#now();
    verifyRequest(q, this.deps.chainId, now, this.options.requestWindowMs, this.#keys);
    const signer = q.kind === 'read' ? q.reader : q.uploader;
    if (!this.#nonces.check(signer, q.nonce, q.time, now))
      throw new RecordError('replayed_request', 'request nonce already used');
    return q as Extract<SignedRequest, { kind: K }>;
  }

  #query(call: C.Call): Uint8Array {
    return this.deps.query(call.method, call.args);
  }

  /** An active (registered, not suspended) actor, or not_registered. */
  #checkUploader(q: UploadRequest): void {
    const a = C.decodeActorInfo(this.#query(C.actorInfoCall(C.actorId(q.uploader))));
    if (a === null || a.suspended) throw new RecordError('not_registered', 'uploader is not an active actor');
  }

  /** Stores a client's blob (PUT /v1/blobs), provides it, and replicates it. */
  async upload(requestBytes: Uint8Array, body: Uint8Array): Promise<UploadResult> {
    try {
      const r = await this.#upload(requestBytes, body);
      this.#metrics.upload('ok');
      return r;
    } catch (err) {
      this.#metrics.upload(err instanceof RecordError ? err.code : 'internal');
      throw err;
    }
  }

  async #upload(requestBytes: Uint8Array, body: Uint8Array): Promise<UploadResult> {
    const q = this.#check(requestBytes, 'upload');
    if (body.length > this.options.blobs.maxBlobBytes)
      throw new RecordError('too_large', `blob over ${this.options.blobs.maxBlobBytes} bytes`);
    if (q.size !== body.length || !bytesEqual(sha256Of(body), q.blobHash))
      throw new RecordError('hash_mismatch', 'the body is not the blob the request signs');
    this.#checkUploader(q);
    const cid = cidOf(body);
    await this.blobs.put(cid, body, q.uploader, this.#now());
    const [provided, copies] = await Promise.all([
      this.#provide(cid),
      this.#replicate(cid, requestBytes, body),
    ]);
    return { cid: cid.toString(), size: body.length, replicas: 1 + copies, provided };
  }

  async #provide(cid: CID): Promise<boolean> {
    try {
      await this.deps.host.provide(cid, { timeoutMs: this.options.dhtTimeoutMs });
      return true;
    } catch (err) {
      // Alone in the DHT (a single validator, or every peer down) is not a fault: the record is kept.
      if (isP2PError(err, 'no_peers'))
        this.deps.log.debug({ cid: cid.toString() }, 'DHT provide: no peers yet');
      else this.deps.log.warn({ err, cid: cid.toString() }, 'DHT provide failed');
      return false;
    }
  }

  /** Pushes the blob to replicas-1 other validators, closest first by sha256(peer || cid). */
  async #replicate(cid: CID, requestBytes: Uint8Array, body: Uint8Array): Promise<number> {
    const want = this.options.replicas - 1;
    if (want <= 0) return 0;
    const rank = (p: string) =>
      Buffer.from(sha256Of(concatBytes(new TextEncoder().encode(p), cid.bytes))).toString('hex');
    const peers = this.deps.validatorPeers().sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
    const frame = concatBytes(varBytes(requestBytes), body);
    let done = 0;
    for (const peer of peers) {
      if (done >= want) break;
      try {
        await this.deps.host.request(peer, this.#push, frame, { timeoutMs: this.options.fetchTimeoutMs });
        this.#metrics.push('sent', true);
        done++;
      } catch (err) {
        this.#metrics.push('sent', false);
        this.deps.log.warn({ err, peer, cid: cid.toString() }, 'blob replication to a peer failed');
      }
    }
    return done;
  }

  async #onPush(frame: Uint8Array, from: string): Promise<Uint8Array> {
    try {
      const r = new ByteReader(frame, 'push');
      const q = decodeRequest(r.var(1024, 'request'));
      const body = r.rest();
      if (q.kind !== 'upload') throw new RecordError('bad_encoding', 'push without an upload request');
      // Replicas check signature, chain and hash, not the nonce (the origin did) nor a tight window.
      verifyRequest(q, this.deps.chainId, this.#now(), 10 * this.options.requestWindowMs, this.#keys);
      if (q.size !== body.length || !bytesEqual(sha256Of(body), q.blobHash))
        throw new RecordError('hash_mismatch', 'pushed bytes are not the signed blob');
      this.#checkUploader(q);
      const cid = cidOf(body);
      await this.blobs.put(cid, body, q.uploader, this.#now());
      void this.#provide(cid);
      this.deps.log.debug({ cid: cid.toString(), from }, 'replica stored');
      this.#metrics.push('received', true);
      return new Uint8Array(0);
    } catch (err) {
      this.#metrics.push('received', false);
      throw toRefusal(err);
    }
  }

  /** Consent and chain checks of a read, at the current state. */
  #authorise(q: ReadRequest, cid: CID): void {
    const info = C.decodeVersionInfo(this.#query(C.versionInfoCall(q.recordId, q.version)));
    if (info === null || !bytesEqual(info.patient, q.patient))
      throw new RecordError('unknown_record', 'no such version of this patient');
    if (info.erasedAt > 0) {
      // A copy missed by the erase hook and the sweep goes now.
      this.#track(this.#eraseBlob(cid));
      throw new RecordError('erased', 'the record was erased');
    }
    if (info.cid !== cid.toString())
      throw new RecordError('cid_mismatch', 'not the CID anchored for this version');
    const call = C.canReadCall(C.actorId(q.reader), q.patient, q.recordId, q.version, q.purpose, this.#now());
    const d = C.decodeDecision(this.#query(call));
    if (!d.allowed) throw denied(d.reason);
  }

  /** The blob if held here and intact; the read is recorded. */
  async #serveLocal(q: ReadRequest, cid: CID): Promise<Uint8Array | undefined> {
    const bytes = await this.blobs.get(cid);
    if (bytes === undefined) return undefined;
    try {
      checkCid(cid, bytes);
    } catch {
      this.deps.log.error({ cid: cid.toString() }, 'stored blob does not match its CID: not served');
      return undefined;
    }
    // Journaled before the bytes leave: a crash after this never loses the disclosure.
    await this.recorder.add({
      reader: C.actorId(q.reader),
      patient: q.patient,
      recordId: q.recordId,
      version: q.version,
      purpose: q.purpose,
      at: this.#now(),
    });
    return bytes;
  }

  /** Serves GET /v1/blobs/:cid for a signed read request. */
  async read(requestBytes: Uint8Array, cidText: string): Promise<ServedBlob> {
    try {
      const r = await this.#read(requestBytes, cidText);
      this.#metrics.served('http', r.source.split(':')[0] ?? r.source);
      return r;
    } catch (err) {
      this.#metrics.refused('http', refusalReason(err));
      throw err;
    }
  }

  async #read(requestBytes: Uint8Array, cidText: string): Promise<ServedBlob> {
    const cid = parseBlobCid(cidText);
    const q = this.#check(requestBytes, 'read');
    if (!bytesEqual(q.cid, cid.bytes)) throw new RecordError('cid_mismatch', 'the request names another CID');
    this.#authorise(q, cid);
    const local = await this.#serveLocal(q, cid);
    if (local !== undefined) return { bytes: local, source: 'local' };
    return fetchFromPeers(
      { host: this.deps.host, protocol: this.#fetch, options: this.options, log: this.deps.log },
      this.deps.validatorPeers(),
      cid,
      requestBytes,
    );
  }

  async #onFetch(bytes: Uint8Array): Promise<Uint8Array> {
    try {
      const q = this.#check(bytes, 'read');
      const cid = blobCidFromBytes(q.cid);
      this.#authorise(q, cid);
      const b = await this.#serveLocal(q, cid);
      if (b === undefined) throw new RecordError('not_found', 'not held here');
      this.#metrics.served('peer', 'local');
      return b;
    } catch (err) {
      this.#metrics.refused('peer', refusalReason(err));
      throw toRefusal(err);
    }
  }

  /** Called for every applied block: erasures delete the record's blobs here; our read receipts settle. */
  onApplied(a: AppliedBlock): void {
    for (const [i, tx] of a.block.txs.entries()) {
      const b = tx.body;
      const receipt = a.receipts[i];
      if (
        (b.method === 'recordReads' || b.method === 'recordConsults') &&
        receipt !== undefined &&
        bytesEqual(b.sender, this.deps.signer.publicKey)
      )
        (b.method === 'recordReads' ? this.recorder : this.consults).onReceipt(
          tx.hash,
          receipt.status,
          receipt.error,
        );
      if (b.contract !== 'consent' || b.method !== 'erase' || a.receipts[i]?.status !== 'ok') continue;
      const record = b.args[0];
      if (record === undefined) continue;
      this.#track(this.eraseRecord(record));
    }
  }

  /** Deletes every version's blob of a record and keeps tombstones; returns how many were held. */
  async eraseRecord(record: Uint8Array): Promise<number> {
    let held = 0;
    for (let v = 1; ; v++) {
      const info = C.decodeVersionInfo(this.#query(C.versionInfoCall(record, v)));
      if (info === null) break;
      let cid: CID;
      try {
        cid = parseBlobCid(info.cid);
      } catch {
        continue;
      }
      if (await this.#eraseBlob(cid)) held++;
    }
    if (held > 0) this.deps.log.info({ blobs: held }, 'erased record: blobs deleted');
    return held;
  }

  /** Deletes one blob for good and withdraws this node as its DHT provider; true if it was held. */
  async #eraseBlob(cid: CID): Promise<boolean> {
    const held = await this.blobs.erase(cid, this.#now());
    if (held)
      await this.deps.host
        .unprovide(cid)
        .catch((err: unknown) => this.deps.log.debug({ err }, 'DHT unprovide failed'));
    return held;
  }
}

/** The metric label of a refused read: the consent reason of a denial, else the error code. */
function refusalReason(err: unknown): string {
  if (!(err instanceof RecordError)) return 'internal';
  return err.code === 'access_denied' ? (err.detail ?? err.code) : err.code;
}
