/**
 * consent-mix pre-generation in a load worker: walks the worker's plan (consent-plan.ts) and signs
 * every tx with the actor's next nonce after setup: registers by admins (fresh patients), grants and
 * revokes by patients (revokes target grants the setup created for them), approvals by patients (of
 * requests the setup made to them), requests by doctors, anchors by doctors (each
 * doctor's own records, `previous` = the version its earlier anchors made), and canAccess queries
 * (a GET path in the slab, kind OP_CAN_ACCESS) by doctors about their own patient.
 */

import { createSigner, type Signer } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import { encodeCanAccess, encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { ActorId } from '../../../vm/consent/types.js';
import {
  accountOf,
  actorSeed,
  type ConsentMix,
  type ConsentShape,
  granteeOf,
  OP_ANCHOR,
  OP_APPROVE,
  OP_CAN_ACCESS,
  OP_GRANT,
  OP_REGISTER,
  OP_REQUEST,
  OP_REVOKE,
  patientOfDoctor,
  recordIdOf,
  requestTargetOf,
  walkPlan,
} from './plan.js';

/** What a worker needs to sign its consent-mix txs (from the setup). */
export interface ConsentInit {
  readonly seed: string;
  readonly shape: ConsentShape;
  readonly mix: ConsentMix;
  /** Hex seeds of the genesis admins, one per hospital. */
  readonly genesisAdminSeeds: readonly string[];
  /** Next nonce of every admin (global index) after setup. */
  readonly adminNonces: readonly number[];
  /** Next nonce of every patient (global index) after setup. */
  readonly patientNonces: readonly number[];
  /** Grant ids each patient (global index, as string key) may revoke, in order. */
  readonly revocable: Readonly<Record<string, readonly number[]>>;
  /** Next nonce of every doctor (global index) after setup (its setup requests). */
  readonly doctorNonces: readonly number[];
  /** Request ids each patient (global index, as string key) may approve, in order. */
  readonly approvable: Readonly<Record<string, readonly number[]>>;
  /** Epoch ms the grants' periods are relative to. */
  readonly now: number;
}

export const HOUR = 3_600_000;

/** The setup's standing consent: a treating doctor may read and write all of a patient's records for a week. */
export function treatingGrant(patient: ActorId, doctor: ActorId, now: number): ConsentOp {
  return {
    op: 'grant',
    patient,
    grantee: { kind: 'actor', id: doctor },
    actions: ['read', 'write'],
    scope: { kind: 'all' },
    purposes: ['TREAT'],
    start: now - HOUR,
    end: now + 7 * 24 * HOUR,
    exceptions: [],
  };
}
/** A doctor's access request of the bench: read lab results for treatment for a day (expiry: 7 days). */
export function benchRequest(patient: ActorId, now: number): ConsentOp {
  return {
    op: 'requestAccess',
    patient,
    actions: ['read'],
    scope: { kind: 'categories', categories: ['lab'] },
    purposes: ['TREAT'],
    start: now - HOUR,
    end: now + 24 * HOUR,
    exceptions: [],
    reason: 'bench',
    expiresAt: 0,
  };
}
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The hex seed of admin `a` (global index): genesis admins from their key files, the rest derived. */
export function adminSeedOf(
  c: Pick<ConsentInit, 'seed' | 'shape' | 'genesisAdminSeeds'>,
  a: number,
): Uint8Array {
  const per = 1 + c.shape.extraAdmins;
  if (a % per === 0) return Buffer.from(c.genesisAdminSeeds[a / per] ?? '', 'hex');
  return actorSeed(c.seed, 'admin', a);
}

/** Lazily built signers and ids of a class. */
class Actors {
  readonly #cache = new Map<number, { signer: Signer; id: string; key: string }>();
  constructor(private readonly seedOf: (i: number) => Uint8Array) {}
  get(i: number) {
    let a = this.#cache.get(i);
    if (a === undefined) {
      const signer = createSigner(this.seedOf(i));
      const key = hex(signer.publicKey);
      a = { signer, key, id: actorIdOf(key) };
      this.#cache.set(i, a);
    }
    return a;
  }
}

/** One pre-generated entry. */
export interface ConsentEntry {
  readonly op: number;
  /** Global actor number (for sticking an actor to one node). */
  readonly account: number;
  /** Signed tx bytes, or the query's path for canAccess. */
  readonly bytes: Uint8Array;
  /** Tx hash (empty for a query). */
  readonly hash: Uint8Array | null;
}

/** Generates worker `w`'s first `txs` consent-mix entries. */
export function pregenerateConsent(
  c: ConsentInit,
  chainId: string,
  w: number,
  workers: number,
  txs: number,
  emit: (e: ConsentEntry) => void,
): void {
  const s = c.shape;
  const admins = new Actors((i) => adminSeedOf(c, i));
  const patients = new Actors((i) => actorSeed(c.seed, 'patient', i));
  const doctors = new Actors((i) => actorSeed(c.seed, 'doctor', i));
  const certHash = hex(actorSeed(c.seed, 'newPatient', -1));
  const sign = (signer: Signer, nonce: number, call: { method: string; args: Uint8Array[] }) =>
    signTx(
      {
        chainId,
        sender: signer.publicKey,
        nonce,
        gasLimit: 1_000_000,
        contract: 'consent',
        method: call.method,
        args: call.args,
      },
      signer,
    );
  walkPlan(s, c.mix, w, workers, txs, (p) => {
    if (p.op === OP_REGISTER) {
      const a = admins.get(p.actor);
      const fresh = createSigner(actorSeed(c.seed, 'newPatient', p.nth, p.actor));
      const call = encodeOp({
        op: 'registerActor',
        publicKey: hex(fresh.publicKey),
        role: 'patient',
        certHash,
        licenceExpiry: 0,
      });
      const tx = sign(a.signer, (c.adminNonces[p.actor] ?? 0) + p.seq, call);
      emit({ op: p.op, account: accountOf(s, p.op, p.actor), bytes: tx.bytes, hash: tx.hash });
      return;
    }
    if (p.op === OP_GRANT || p.op === OP_REVOKE || p.op === OP_APPROVE) {
      const pt = patients.get(p.actor);
      const nonce = (c.patientNonces[p.actor] ?? 0) + p.seq;
      let call: { method: string; args: Uint8Array[] };
      if (p.op === OP_GRANT) {
        call = encodeOp({
          op: 'grant',
          patient: pt.id,
          grantee: { kind: 'actor', id: doctors.get(granteeOf(s, p.actor, p.nth)).id },
          actions: ['read'],
          scope: { kind: 'categories', categories: ['lab'] },
          purposes: ['TREAT'],
          start: c.now - HOUR,
          end: c.now + 24 * HOUR,
          exceptions: [],
        });
      } else if (p.op === OP_APPROVE) {
        const id = c.approvable[String(p.actor)]?.[p.nth];
        if (id === undefined)
          throw new Error(`consent-mix: patient ${p.actor} has no request #${p.nth} to approve`);
        call = encodeOp({ op: 'approveRequest', requestId: id });
      } else {
        const id = c.revocable[String(p.actor)]?.[p.nth];
        if (id === undefined)
          throw new Error(`consent-mix: patient ${p.actor} has no grant #${p.nth} to revoke`);
        call = encodeOp({ op: 'revoke', grantId: id });
      }
      const tx = sign(pt.signer, nonce, call);
      emit({ op: p.op, account: accountOf(s, p.op, p.actor), bytes: tx.bytes, hash: tx.hash });
      return;
    }
    const doc = doctors.get(p.actor);
    const patient = patients.get(patientOfDoctor(s, p.actor));
    const account = accountOf(s, p.op, p.actor);
    if (p.op === OP_CAN_ACCESS) {
      const q = encodeCanAccess(
        doc.id,
        patient.id,
        { kind: 'category', category: 'lab' },
        'read',
        'TREAT',
        c.now,
      );
      const path = `/v1/query/consent/canAccess?args=${q.args.map(hex).join(',')}`;
      emit({ op: p.op, account, bytes: Buffer.from(path), hash: null });
      return;
    }
    // Doctors' nonces continue after their setup requests.
    const nonce = (c.doctorNonces[p.actor] ?? 0) + p.seq;
    if (p.op === OP_REQUEST) {
      const target = patients.get(requestTargetOf(s, p.actor, p.nth));
      const tx = sign(doc.signer, nonce, encodeOp(benchRequest(target.id, c.now)));
      emit({ op: OP_REQUEST, account, bytes: tx.bytes, hash: tx.hash });
      return;
    }
    // Anchor: record nth % R of this doctor; its head is the number of earlier anchors of it.
    const r = p.nth % s.recordsPerDoctor;
    const call = encodeOp({
      op: 'anchor',
      patient: patient.id,
      recordId: hex(recordIdOf(c.seed, p.actor, r)),
      previous: Math.floor(p.nth / s.recordsPerDoctor),
      cid: CID,
      category: 'lab',
      keys: [{ reader: patient.id, key: hex(actorSeed(c.seed, 'doctor', p.nth, p.actor)).slice(0, 96) }],
    });
    const tx = sign(doc.signer, nonce, call);
    emit({ op: OP_ANCHOR, account, bytes: tx.bytes, hash: tx.hash });
  });
}
