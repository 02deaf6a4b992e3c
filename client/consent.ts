/**
 * The consent client: one typed method per consent operation (build with vm/consent/abi.ts, sign,
 * submit, wait for the receipt) and the request / attestation / trail queries. A refusal by the
 * contract is a {@link ConsentError} carrying the contract's reason code and a sentence for it;
 * refusals by the node (bad signature, mempool full, timeout) stay {@link ApiError}s.
 * Ids (actors, patients, records) are lowercase hex, as in the model (vm/consent/types.ts).
 */
import type { TxView } from '../protocol/api.js';
import { fromHex, toHex } from '../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../protocol/chain/keys.js';
import { platformCrypto } from '../protocol/crypto/platform.js';
import * as C from '../protocol/records/consent-calls.js';
import { encodeInt, unpackFields } from '../vm/abi.js';
import {
  decodeAttestation,
  decodeDecision,
  decodePage,
  decodeValue,
  encodeCanAccess,
  encodeOp,
} from '../vm/consent/abi.js';
import type { AccessTarget } from '../vm/consent/access.js';
import type { ConsentOp } from '../vm/consent/ops.js';
import type {
  Action,
  Attestation,
  AttestationKind,
  Grantee,
  Purpose,
  Role,
  Terms,
} from '../vm/consent/types.js';
import { Account, ApiError, type EhrClient } from './client.js';
import { reasonSentence } from './consent-reasons.js';
import {
  decodeGrant,
  decodeRequest,
  decodeTrailEntry,
  decodeVersionStatus,
  type GrantView,
  type RequestView,
  type TrailEntry,
} from './consent-views.js';

/** The consent contract refused: `code` is its reason code, `sentence` says it for people. */
export class ConsentError extends Error {
  override readonly name = 'ConsentError';
  readonly sentence: string;
  constructor(
    readonly code: string,
    /** The method that was refused. */
    readonly method: string,
    /** The refused tx's hash; null for a query. */
    readonly txHash: string | null = null,
  ) {
    const sentence = reasonSentence(code);
    super(`${method}: ${code}: ${sentence}`);
    this.sentence = sentence;
  }
}

/** A key to register: an ed25519 public key (bytes or hex). */
export type PublicKeyLike = Uint8Array | string;

/** What `register` needs. */
export interface RegisterActor {
  readonly publicKey: PublicKeyLike;
  readonly role: Role;
  /** sha256 (hex) of the actor's certificate; default: random (synthetic). */
  readonly certHash?: string;
  /** Licence expiry (ms); 0 or omitted: none. */
  readonly licenceExpiry?: number;
}

/** A version's facts, with its attestation status. */
export interface VersionView extends C.VersionInfo {
  /** Attestation kinds present (bit set of vm/consent/abi.ts ATTESTATION_BIT). */
  readonly kinds: number;
  /** `final` once the author's organisation's policy is met, `pending` before. */
  readonly status: string;
}

/** A request's state at a time: the stored request and `open` | `expired` | `approved` | ... */
export interface RequestState {
  readonly request: RequestView;
  readonly state: string;
}

/** The actor id (hex) of a public key (bytes or hex). */
export const actorIdOf = (key: PublicKeyLike): string =>
  toHex(C.actorId(typeof key === 'string' ? fromHex(key) : key));

/** One actor's consent client over one node. */
export class ConsentClient {
  readonly account: Account;
  readonly publicKey: Uint8Array;
  /** This actor's id (hex). */
  readonly id: string;

  constructor(
    readonly client: EhrClient,
    seed: Uint8Array,
    readonly chainId: string,
    private readonly opts: { timeoutMs?: number; gasLimit?: number } = {},
  ) {
    this.account = new Account(seed, chainId);
    this.publicKey = publicKeyFromSeed(seed);
    this.id = actorIdOf(this.publicKey);
  }

  /** Runs an operation signed by this actor; the int it returns (0 for none), or ConsentError. */
  async run(op: ConsentOp): Promise<number> {
    return decodeValue(fromHex((await this.#send(op)).receipt?.returnData ?? ''));
  }

  async #send(op: ConsentOp): Promise<TxView> {
    const c = encodeOp(op);
    const call = () =>
      this.account.call(this.client, 'consent', c.method, c.args, {
        timeoutMs: this.opts.timeoutMs ?? 30_000,
        ...(this.opts.gasLimit === undefined ? {} : { gasLimit: this.opts.gasLimit }),
      });
    let tx: TxView;
    try {
      tx = await call();
    } catch (err) {
      // The node refused or lost the tx, so our nonce guess may be wrong: ask again. A stale nonce
      // (the same key signed elsewhere, e.g. a records client) means nothing was admitted: resend once.
      await this.account.sync(this.client).catch(() => undefined);
      if (!(err instanceof ApiError && err.code === 'nonce_stale')) throw err;
      tx = await call();
    }
    if (tx.receipt?.status !== 'ok')
      throw new ConsentError(tx.receipt?.error ?? 'reverted', c.method, tx.hash);
    return tx;
  }

  async #query(method: string, args: Uint8Array[]): Promise<Uint8Array> {
    const r = await this.client.query('consent', method, args);
    if (r.status !== 'ok' || r.value === null) throw new ConsentError(r.error ?? 'reverted', method);
    return fromHex(r.value);
  }

  // ---- Admin ----

  /** Admin: registers an actor in the admin's organisation; returns its actor id. */
  async register(a: RegisterActor): Promise<string> {
    const key = typeof a.publicKey === 'string' ? a.publicKey : toHex(a.publicKey);
    await this.run({
      op: 'registerActor',
      publicKey: key,
      role: a.role,
      certHash: a.certHash ?? toHex(platformCrypto.randomBytes(32)),
      licenceExpiry: a.licenceExpiry ?? 0,
    });
    return actorIdOf(key);
  }

  /** Admin: suspends an actor of the admin's organisation. */
  async suspend(actor: string): Promise<void> {
    await this.run({ op: 'suspendActor', actor });
  }

  /** Admin: reinstates a suspended actor. */
  async reinstate(actor: string): Promise<void> {
    await this.run({ op: 'reinstateActor', actor });
  }

  /** Admin: records a renewed licence (new certificate hash, new expiry; 0: none). */
  async renewLicence(actor: string, licenceExpiry: number, certHash?: string): Promise<void> {
    await this.run({
      op: 'updateLicence',
      actor,
      certHash: certHash ?? toHex(platformCrypto.randomBytes(32)),
      licenceExpiry,
    });
  }

  /** Admin: links a guardian to a patient. */
  async linkGuardian(guardian: string, patient: string): Promise<void> {
    await this.run({ op: 'linkGuardian', guardian, patient });
  }

  /** Admin: unlinks a guardian from a patient. */
  async unlinkGuardian(guardian: string, patient: string): Promise<void> {
    await this.run({ op: 'unlinkGuardian', guardian, patient });
  }

  // ---- Patient / guardian ----

  /** Patient or guardian: grants `terms` to `grantee` (patient: default this actor); the grant id. */
  grant(grantee: Grantee, terms: Terms, patient: string = this.id): Promise<number> {
    return this.run({ op: 'grant', patient, grantee, ...terms });
  }

  /** Patient or guardian: revokes a grant. */
  async revoke(grantId: number): Promise<void> {
    await this.run({ op: 'revoke', grantId });
  }

  /** Patient or guardian: approves a request as asked, or with `terms` (no wider); the grant id. */
  approve(requestId: number, terms?: Terms): Promise<number> {
    return this.run(
      terms === undefined ? { op: 'approveRequest', requestId } : { op: 'approveRequest', requestId, terms },
    );
  }

  /** Patient or guardian: denies a request, with a reason code (e.g. `not-needed`). */
  async deny(requestId: number, reason: string): Promise<void> {
    await this.run({ op: 'denyRequest', requestId, reason });
  }

  // ---- Requester (doctor, insurer, researcher) ----

  /**
   * Asks `patient` for a grant with `terms`, for `reason` (a code); `expiresAt` 0 (default): in 7
   * days. Returns the request id.
   */
  request(patient: string, terms: Terms, reason: string, expiresAt = 0): Promise<number> {
    return this.run({ op: 'requestAccess', patient, ...terms, reason, expiresAt });
  }

  /** The requester: withdraws their own open request. */
  async withdraw(requestId: number): Promise<void> {
    await this.run({ op: 'withdrawRequest', requestId });
  }

  // ---- Attestations and emergencies ----

  /** Attests a record version (patient-confirmed, admin-validated or co-signed). */
  async attest(recordId: string, version: number, kind: AttestationKind): Promise<void> {
    await this.run({ op: 'attest', recordId, version, kind });
  }

  /** Doctor: break-the-glass request (read, ETREAT) for `durationMs` from the co-signature; its id. */
  emergencyRequest(patient: string, reason: string, durationMs: number): Promise<number> {
    return this.run({ op: 'requestEmergency', patient, reason, durationMs });
  }

  /** Another doctor or an admin of the requester's organisation: co-signs within one hour. */
  emergencyCosign(emergencyId: number): Promise<number> {
    return this.run({ op: 'cosignEmergency', emergencyId });
  }

  // ---- Queries ----

  /** Every request to `patient` open at `at` (default now), oldest first, following the pages. */
  async openRequests(patient: string, at = Date.now()): Promise<number[]> {
    return this.#pages((from) => [fromHex(patient), encodeInt(from), encodeInt(at)], 'openRequests');
  }

  /** Every request `requester` made, oldest first, following the pages. */
  async requestsBy(requester: string): Promise<number[]> {
    return this.#pages((from) => [fromHex(requester), encodeInt(from)], 'requestsBy');
  }

  async #pages(args: (from: number) => Uint8Array[], method: string): Promise<number[]> {
    const ids: number[] = [];
    for (let from = 0; from >= 0; ) {
      const page = decodePage(await this.#query(method, args(from)));
      ids.push(...page.ids);
      from = page.next;
    }
    return ids;
  }

  /** A registered actor (role code, organisation, licence, suspended), or null if unknown. */
  async actor(id: string): Promise<C.ActorInfo | null> {
    const c = C.actorInfoCall(fromHex(id));
    return C.decodeActorInfo(await this.#query(c.method, c.args));
  }

  /** A request as stored, or null if there is none. */
  async requestInfo(requestId: number): Promise<RequestView | null> {
    return decodeRequest(requestId, await this.#query('requestInfo', [encodeInt(requestId)]));
  }

  /** A request and where it stands at `at` (default now), or null if there is none. */
  async requestState(requestId: number, at = Date.now()): Promise<RequestState | null> {
    const request = await this.requestInfo(requestId);
    if (request === null) return null;
    const s = await this.#query('requestStatus', [encodeInt(requestId), encodeInt(at)]);
    return { request, state: new TextDecoder().decode(s) };
  }

  /** A grant as stored (terms, grantee, when granted and revoked), or null if there is none. */
  async grantInfo(grantId: number): Promise<GrantView | null> {
    return decodeGrant(grantId, await this.#query('grantInfo', [encodeInt(grantId)]));
  }

  /** The request a grant approved, or null if it was granted directly. */
  async grantRequest(grantId: number): Promise<number | null> {
    const id = decodeValue(await this.#query('grantRequest', [encodeInt(grantId)]));
    return id === 0 ? null : id;
  }

  /** A version's attestations, in the order given. */
  async attestations(recordId: string, version: number): Promise<Attestation[]> {
    const data = await this.#query('attestationsOf', [fromHex(recordId), encodeInt(version)]);
    return data.length === 0 ? [] : unpackFields(data).map(decodeAttestation);
  }

  /** A version's facts and attestation status, or null if there is no such version. */
  async versionInfo(recordId: string, version: number): Promise<VersionView | null> {
    const data = await this.#query('versionInfo', [fromHex(recordId), encodeInt(version)]);
    const info = C.decodeVersionInfo(data);
    const st = decodeVersionStatus(data);
    return info === null || st === null ? null : { ...info, ...st };
  }

  /** Entries `from`.. of a patient's audit trail (at most `max`), oldest first. */
  async trail(patient: string, from = 0, max = 1_000): Promise<TrailEntry[]> {
    const id = fromHex(patient);
    const n = decodeValue(await this.#query('trailLength', [id]));
    const out: TrailEntry[] = [];
    for (let i = Math.max(0, from); i < n && out.length < max; i++)
      out.push(decodeTrailEntry(i, await this.#query('trailEntry', [id, encodeInt(i)])));
    return out;
  }

  /** May `actor` do `action` on `target` of `patient` for `purpose` at `at` (default now)? */
  async canAccess(
    actor: string,
    patient: string,
    target: AccessTarget,
    action: Action,
    purpose: Purpose,
    at = Date.now(),
  ): Promise<{ allowed: boolean; reason: string }> {
    const c = encodeCanAccess(actor, patient, target, action, purpose, at);
    return decodeDecision(await this.#query(c.method, c.args));
  }
}
