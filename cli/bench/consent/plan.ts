/**
 * The consent-mix plan, pure and shared by the main thread (setup) and the load workers
 * (pre-generation): the mix, the actors (derived from the run seed), which worker owns which actor,
 * and the deterministic order of operations. Both sides compute the same plan, so the setup knows
 * how many grants each patient will revoke before any tx is signed.
 *
 *   hospitals  one per validator (genesis: `hospital-<i>`, first admin `keys/admin-hospital-<i>.json`)
 *   admins     per hospital: the genesis admin plus `extraAdmins` registered in setup
 *   doctors    per hospital, each anchoring its own records for one patient of its hospital
 *   patients   per hospital; each grants its doctors write access in setup, plus one grant (to its
 *              hospital) per revoke it will send during the run
 *   requests   with `request`/`approve` in the mix: doctors ask patients during the run; in setup,
 *              doctors make one request per approval a patient will send during the run
 *
 * The op of the k-th tx of a worker comes from a smooth weighted round-robin over the mix (the same
 * sequence in every worker); the j-th op of a class in worker w goes to the worker's own actors of
 * that class in turn. Actor i of a class belongs to worker i mod W, so every actor's nonces are in
 * one worker's hands.
 */
import { createHash } from 'node:crypto';

/** The operations of the mix; canAccess is a read-only query, the rest are txs. */
export const CONSENT_OPS = [
  'register',
  'grant',
  'revoke',
  'anchor',
  'canAccess',
  'request',
  'approve',
] as const;
export type ConsentOpKind = (typeof CONSENT_OPS)[number];

/** Percent (any positive weights) per op. */
export type ConsentMix = Readonly<Record<ConsentOpKind, number>>;

export const DEFAULT_CONSENT_MIX: ConsentMix = {
  register: 10,
  grant: 40,
  revoke: 10,
  anchor: 30,
  canAccess: 10,
  // Access requests are opt-in (`--mix ...,request=8,approve=7`): the default mix stays comparable.
  request: 0,
  approve: 0,
};

/** Parses `grant=40,revoke=10,...` over the given op names; missing ops weigh 0. */
export function parseMix<K extends string>(
  v: string,
  names: readonly K[],
  flag = '--mix',
): Readonly<Record<K, number>> {
  const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  for (const part of v.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*$/.exec(part);
    const name = m?.[1] as K | undefined;
    if (m === null || name === undefined || !names.includes(name))
      throw new Error(`${flag}: "${part}" is not OP=WEIGHT with OP one of ${names.join(', ')}`);
    out[name] = Number(m[2]);
  }
  if (names.every((n) => out[n] === 0)) throw new Error(`${flag}: every weight is 0`);
  return out;
}

/** The shape of the consent world. */
export interface ConsentShape {
  readonly hospitals: number;
  readonly patients: number;
  readonly doctors: number;
  readonly extraAdmins: number;
  /** Records each doctor anchors versions of, in turn. */
  readonly recordsPerDoctor: number;
}

/** Smooth weighted round-robin: op of every step k (deterministic, no randomness). */
class MixSchedule {
  readonly #weights: number[];
  readonly #current: number[];
  readonly #total: number;

  constructor(mix: ConsentMix) {
    this.#weights = CONSENT_OPS.map((o) => mix[o]);
    this.#current = CONSENT_OPS.map(() => 0);
    this.#total = this.#weights.reduce((a, b) => a + b, 0);
  }

  next(): number {
    let best = 0;
    for (let i = 0; i < this.#weights.length; i++) {
      this.#current[i] = (this.#current[i] ?? 0) + (this.#weights[i] ?? 0);
      if ((this.#current[i] ?? 0) > (this.#current[best] ?? 0)) best = i;
    }
    this.#current[best] = (this.#current[best] ?? 0) - this.#total;
    return best;
  }
}

export const OP_REGISTER = 0;
export const OP_GRANT = 1;
export const OP_REVOKE = 2;
export const OP_ANCHOR = 3;
export const OP_CAN_ACCESS = 4;
/** A doctor asks a patient for access (requestAccess). */
export const OP_REQUEST = 5;
/** A patient approves, as asked, one of the requests the setup made to it (approveRequest). */
export const OP_APPROVE = 6;

/** Actor classes; global index within a class: hospital-major (h * perHospital + i). */
export type ActorClass = 'admin' | 'patient' | 'doctor' | 'newPatient';

/** The 32-byte key seed of an actor of the run (genesis admins come from their key files instead). */
export function actorSeed(seed: string, cls: ActorClass, index: number, worker = 0): Uint8Array {
  return new Uint8Array(
    createHash('sha256').update(`ehrchain-bench-consent|${seed}|${cls}|${worker}|${index}`).digest(),
  );
}

/** A record id of doctor `doctor` (global index), record `r`. */
export function recordIdOf(seed: string, doctor: number, r: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`ehrchain-bench-record|${seed}|${doctor}|${r}`).digest());
}

/** Global admin count (genesis admin of hospital h is admin h * (1 + extra)). */
export const adminCount = (s: ConsentShape): number => s.hospitals * (1 + s.extraAdmins);
/** Hospital (0-based) of a global actor index in a class with `perHospital` per hospital. */
const hospitalOf = (index: number, perHospital: number): number => Math.floor(index / perHospital);
/** The patient (global index) a doctor (global index) anchors records for: one of its hospital. */
export function patientOfDoctor(s: ConsentShape, doctor: number): number {
  const h = hospitalOf(doctor, s.doctors);
  return h * s.patients + ((doctor % s.doctors) % s.patients);
}
/** The patient (global index) a doctor's `j`-th run request goes to (any hospital). */
export const requestTargetOf = (s: ConsentShape, doctor: number, j: number): number =>
  (doctor * 5 + j * 11 + 1) % (s.hospitals * s.patients);
/** The doctor (global index) whose setup request a patient's `j`-th run approval answers. */
export const approvedRequesterOf = (s: ConsentShape, patient: number, j: number): number =>
  (patient * 3 + j * 7) % (s.hospitals * s.doctors);
/** The doctor (global index) a patient's `j`-th run grant goes to (any hospital). */
export const granteeOf = (s: ConsentShape, patient: number, j: number): number =>
  (patient * 7 + j * 13) % (s.hospitals * s.doctors);

/** Indices (global, in a class of `total`) that worker `w` of `W` owns. */
export function owned(total: number, w: number, workers: number): number[] {
  const out: number[] = [];
  for (let i = w; i < total; i += workers) out.push(i);
  return out;
}

/** One step of a worker's plan. */
export interface PlannedOp {
  readonly op: number;
  /** Global index of the acting actor in its class (admin, patient or doctor). */
  readonly actor: number;
  /** 0-based position of this op among the actor's ops of the run (its nonce offset for txs). */
  readonly seq: number;
  /** Per-class counter of the actor: revoke r, anchor j, grant j, register j. */
  readonly nth: number;
}

/**
 * Walks a worker's first `txs` steps. A class without actors in this worker (fewer actors than
 * workers) falls back to grant, so every step is a valid op. Calls `f` per step.
 */
export function walkPlan(
  s: ConsentShape,
  mix: ConsentMix,
  w: number,
  workers: number,
  txs: number,
  f: (p: PlannedOp, k: number) => void,
): void {
  const admins = owned(adminCount(s), w, workers);
  const patients = owned(s.hospitals * s.patients, w, workers);
  const doctors = owned(s.hospitals * s.doctors, w, workers);
  if (patients.length === 0) throw new Error(`consent-mix: fewer patients than workers (${workers})`);
  const sched = new MixSchedule(mix);
  const classCount = CONSENT_OPS.map(() => 0);
  const seqOf = new Map<string, number>();
  const nthOf = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string) => {
    const v = m.get(key) ?? 0;
    m.set(key, v + 1);
    return v;
  };
  for (let k = 0; k < txs; k++) {
    let op = sched.next();
    if (
      (op === OP_REGISTER && admins.length === 0) ||
      (!byPatient(op) && op !== OP_REGISTER && doctors.length === 0)
    )
      op = OP_GRANT;
    const list = op === OP_REGISTER ? admins : byPatient(op) ? patients : doctors;
    const j = classCount[op] ?? 0;
    classCount[op] = j + 1;
    const actor = list[j % list.length] ?? 0;
    // Patients' grants, revokes and approvals share the patient's nonces, doctors' anchors and
    // requests the doctor's; canAccess uses no nonce.
    const cls = op === OP_REGISTER ? 'a' : byPatient(op) ? 'p' : 'd';
    const seq = op === OP_CAN_ACCESS ? 0 : bump(seqOf, `${cls}${actor}`);
    const nth = bump(nthOf, `${op}:${actor}`);
    f({ op, actor, seq, nth }, k);
  }
}

/**
 * The account number of an actor over all classes (admins, then patients, then doctors): what the
 * load worker routes by, so an actor's txs all go to one node.
 */
export function accountOf(s: ConsentShape, op: number, actor: number): number {
  if (op === OP_REGISTER) return actor;
  if (byPatient(op)) return adminCount(s) + actor;
  return adminCount(s) + s.hospitals * s.patients + actor;
}

/** Ops a patient signs. */
const byPatient = (op: number): boolean => op === OP_GRANT || op === OP_REVOKE || op === OP_APPROVE;

/** How many ops `op` each actor (global index) will send during the run, over all workers. */
export function opsPerActor(
  s: ConsentShape,
  mix: ConsentMix,
  workers: number,
  txsPerWorker: number,
  op: number,
): Map<number, number> {
  const out = new Map<number, number>();
  for (let w = 0; w < workers; w++) {
    walkPlan(s, mix, w, workers, txsPerWorker, (p) => {
      if (p.op === op) out.set(p.actor, (out.get(p.actor) ?? 0) + 1);
    });
  }
  return out;
}

/** How many grants each patient (global index) will revoke during the run, over all workers. */
export const revokesPerPatient = (s: ConsentShape, mix: ConsentMix, workers: number, txsPerWorker: number) =>
  opsPerActor(s, mix, workers, txsPerWorker, OP_REVOKE);
