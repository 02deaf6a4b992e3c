/**
 * Runs the compiled consent contract through the VM runtime with the model's interface, so tests,
 * benchmarks and the node can drive it with {@link ConsentOp}s. Pure: state is a `StateView`
 * handed in; no I/O.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { encodeInt, unpackFields } from '../abi.js';
import type { StateView } from '../journal.js';
import { callContract, deployNamedContract, queryContract } from '../runtime.js';
import {
  decodeAttestation,
  decodeDecision,
  decodePage,
  decodeValue,
  encodeCanAccess,
  encodeOp,
  raw,
} from './abi.js';
import type { AccessTarget } from './access.js';
import type { VersionAttestations } from './attest-ops.js';
import type { ConsentOp, TxContext } from './ops.js';
import type { Action, Purpose, RequestStatus, Time } from './types.js';

/** Gas for one call: far above what any consent call needs (the VM still meters it). */
export const CONSENT_GAS_LIMIT = 50_000_000;

/** What a call gave: the model's result shape, plus the VM's gas. */
export type ContractOutcome =
  | { readonly ok: true; readonly value: number; readonly gasUsed: number; readonly events: number }
  | { readonly ok: false; readonly error: string; readonly gasUsed: number };

/** The consent contract deployed under a name in a state, driven with model-shaped calls. */
export class ConsentContract {
  private height = 1;

  /**
   * Deploys `code` as `name` into `state` and initialises it with the governance public key (hex).
   * Throws if the deploy or init fails (a broken build, not a rule outcome).
   */
  constructor(
    readonly state: StateView,
    code: Uint8Array,
    governanceKey: string,
    readonly name = 'consent',
  ) {
    const d = deployNamedContract(state, name, code);
    if (!d.ok) throw new Error(`deploy failed: ${d.error}`);
    const r = this.call({ caller: governanceKey, now: 0, governance: true }, 'init', [raw(governanceKey)]);
    if (!r.ok) throw new Error(`init failed: ${r.error}`);
  }

  private call(ctx: TxContext, method: string, args: Uint8Array[]): ContractOutcome {
    const r = callContract(this.state, {
      contract: this.name,
      method,
      args,
      caller: hexToBytes(ctx.caller),
      height: this.height++,
      time: ctx.now,
      gasLimit: CONSENT_GAS_LIMIT,
    });
    if (r.status === 'ok') {
      return { ok: true, value: decodeValue(r.returnData), gasUsed: r.gasUsed, events: r.events.length };
    }
    return { ok: false, error: r.error ?? 'reverted', gasUsed: r.gasUsed };
  }

  private query(method: string, args: Uint8Array[]): Uint8Array {
    const r = queryContract(this.state, {
      contract: this.name,
      method,
      args,
      caller: new Uint8Array(32),
      height: this.height,
      time: 0,
      gasLimit: CONSENT_GAS_LIMIT,
    });
    if (r.status !== 'ok') throw new Error(`query ${method} reverted: ${r.error}`);
    return r.returnData;
  }

  /** Runs an operation as a transaction signed by `ctx.caller` at block time `ctx.now`. */
  apply(ctx: TxContext, op: ConsentOp): ContractOutcome {
    const c = encodeOp(op);
    return this.call(ctx, c.method, c.args);
  }

  /** The canAccess query. */
  canAccess(
    actor: string,
    patient: string,
    target: AccessTarget,
    action: Action,
    purpose: Purpose,
    at: Time,
  ) {
    const c = encodeCanAccess(actor, patient, target, action, purpose, at);
    return decodeDecision(this.query(c.method, c.args));
  }

  /** The data key of a version wrapped for `reader` (hex), or undefined. */
  wrappedKey(recordId: string, version: number, reader: string): string | undefined {
    const k = this.query('wrappedKey', [raw(recordId), encodeInt(version), raw(reader)]);
    return k.length === 0 ? undefined : bytesToHex(k);
  }

  /**
   * Grant `id` as stored (the Grant struct of consent.ehr, in field order: patient, grantor, gkind,
   * grantee, actions, purposes, skind, scope, start, end, xcats, xrecs, granted, revoked), or
   * undefined if there is no such grant.
   */
  grantInfo(id: number): Uint8Array[] | undefined {
    const b = this.query('grantInfo', [encodeInt(id)]);
    return b.length === 0 ? undefined : unpackFields(b);
  }

  /**
   * Request `id` as stored (the Request struct of consent.ehr, in field order: patient, requester,
   * the terms, reason, requested, expires, status, answered, by, grant, note), or undefined.
   */
  requestInfo(id: number): Uint8Array[] | undefined {
    const b = this.query('requestInfo', [encodeInt(id)]);
    return b.length === 0 ? undefined : unpackFields(b);
  }

  /** The request an approval made grant `id` from, or 0. */
  grantRequest(id: number): number {
    return decodeValue(this.query('grantRequest', [encodeInt(id)]));
  }

  /** Where request `id` stands at `at`, or undefined if there is no such request. */
  requestStatus(id: number, at: Time): RequestStatus | undefined {
    const b = this.query('requestStatus', [encodeInt(id), encodeInt(at)]);
    return b.length === 0 ? undefined : (new TextDecoder().decode(b) as RequestStatus);
  }

  /** Ids of the patient's requests open at `at`, oldest first (every page of the inbox). */
  openRequests(patient: string, at: Time): number[] {
    return this.pages((from) => this.query('openRequests', [raw(patient), encodeInt(from), encodeInt(at)]));
  }

  /** Ids of every request `requester` made, oldest first (every page). */
  requestsBy(requester: string): number[] {
    return this.pages((from) => this.query('requestsBy', [raw(requester), encodeInt(from)]));
  }

  /** Follows a paged list query (pack(next, pack(ids))) from 0 to its end. */
  private pages(page: (from: number) => Uint8Array): number[] {
    const ids: number[] = [];
    for (let from = 0; from >= 0; ) {
      const p = decodePage(page(from));
      ids.push(...p.ids);
      from = p.next;
    }
    return ids;
  }

  /** A version's attestations and status as the model gives them, or undefined if no such version. */
  versionAttestations(recordId: string, version: number): VersionAttestations | undefined {
    const info = this.query('versionInfo', [raw(recordId), encodeInt(version)]);
    if (info.length === 0) return undefined;
    const status = new TextDecoder().decode(unpackFields(info)[7]);
    const list = this.query('attestationsOf', [raw(recordId), encodeInt(version)]);
    return {
      attestations: unpackFields(list).map(decodeAttestation),
      status: status === 'final' ? 'final' : 'pending',
    };
  }

  /** Would `patient` be includable in an export by `custodian` recorded at `at`? */
  researchConsent(custodian: string, patient: string, at: Time): boolean {
    return decodeValue(this.query('researchConsent', [raw(custodian), raw(patient), encodeInt(at)])) === 1;
  }

  /** The patient's audit trail, oldest first: [op, at, by, patient, subject, purpose, detail, via]. */
  auditTrail(patient: string): Uint8Array[][] {
    const n = decodeValue(this.query('trailLength', [raw(patient)]));
    const out: Uint8Array[][] = [];
    for (let i = 0; i < n; i++)
      out.push(unpackFields(this.query('trailEntry', [raw(patient), encodeInt(i)])));
    return out;
  }
}
