/**
 * A synthetic consortium for the consent tests, over any engine that runs the consent rules (the
 * reference model, or the compiled contract in the VM). All keys and hashes are made up.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AccessTarget } from '../../../vm/consent/access.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentContract } from '../../../vm/consent/contract.js';
import { ConsentModel } from '../../../vm/consent/model.js';
import type { ConsentOp, TxContext } from '../../../vm/consent/ops.js';
import type { Action, Grantee, Purpose, Role, Scope, Time } from '../../../vm/consent/types.js';

/** What both the model and the contract answer. */
export interface ConsentEngine {
  apply(ctx: TxContext, op: ConsentOp): { ok: true; value: number } | { ok: false; error: string };
  canAccess(
    actor: string,
    patient: string,
    target: AccessTarget,
    action: Action,
    purpose: Purpose,
    at: Time,
  ): { allowed: boolean; reason: string };
}

/** The model as an engine. */
export function modelEngine(model = new ConsentModel()): ConsentEngine {
  return {
    apply: (ctx, op) => {
      const r = model.apply(ctx, op);
      return r.ok ? { ok: true, value: r.value } : r;
    },
    canAccess: (...a) => model.canAccess(...a),
  };
}

/** The compiled contract in the VM as an engine. */
export function contractEngine(c: ConsentContract): ConsentEngine {
  return {
    apply: (ctx, op) => {
      const r = c.apply(ctx, op);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error };
    },
    canAccess: (...a) => c.canAccess(...a),
  };
}

/** 2023-11-14T22:13:20Z: the synthetic epoch of every scenario. */
export const T0 = 1_700_000_000_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A synthetic 32-byte key (hex) for a name; never a real key. */
export const keyOf = (name: string): string => bytesToHex(sha256(utf8ToBytes(`synthetic-key:${name}`)));
/** A synthetic 32-byte hash (hex) for a label (certificates, record ids). */
export const hashOf = (label: string): string => bytesToHex(sha256(utf8ToBytes(`synthetic-hash:${label}`)));
/** A record id for a label. */
export const rec = (label: string): string => hashOf(`record:${label}`);

/** Actors of the standard world: name -> [org, role, licence expiry (0 = none)]. */
export const CAST = {
  drA1: ['hosp-a', 'doctor', T0 + 365 * DAY],
  drA2: ['hosp-a', 'doctor', T0 + 365 * DAY],
  drB1: ['hosp-b', 'doctor', T0 + 365 * DAY],
  drB2: ['hosp-b', 'doctor', T0 + 365 * DAY],
  /** Writes the seeded records; never asked about. */
  scribe: ['hosp-a', 'doctor', T0 + 365 * DAY],
  pat: ['hosp-a', 'patient', 0],
  pat2: ['hosp-a', 'patient', 0],
  child: ['hosp-a', 'patient', 0],
  mum: ['hosp-a', 'guardian', 0],
  nodeA: ['hosp-a', 'node', 0],
  /** hosp-a's data custodian (research exports). */
  cust: ['hosp-a', 'custodian', 0],
  patB: ['hosp-b', 'patient', 0],
  ins1: ['insure-x', 'insurer', T0 + 365 * DAY],
  res1: ['research-r', 'researcher', T0 + 365 * DAY],
} as const satisfies Record<string, readonly [string, Role, number]>;

/** A name in the standard world: a cast member, an org admin or the governance key. */
export type Name =
  | keyof typeof CAST
  | 'adminA'
  | 'adminB'
  | 'adminX'
  | 'adminR'
  | 'adminC'
  | 'adminC2'
  | 'gov'
  | 'stranger';

const ORGS = [
  ['hosp-a', 'hospital', 'adminA'],
  ['hosp-b', 'hospital', 'adminB'],
  ['insure-x', 'insurer', 'adminX'],
  ['research-r', 'research', 'adminR'],
] as const;
const ADMIN_OF: Readonly<Record<string, Name>> = Object.fromEntries(ORGS.map(([o, , a]) => [o, a]));

/** Options of {@link World.grant}; defaults: read, all data, TREAT, [T0, T0 + 30 days), no exceptions. */
export interface GrantOpts {
  readonly actions?: readonly Action[];
  readonly scope?: Scope;
  readonly purposes?: readonly Purpose[];
  readonly start?: Time;
  readonly end?: Time;
  readonly exceptions?: Extract<ConsentOp, { op: 'grant' }>['exceptions'];
  readonly by?: Name;
}

/** The standard world over an engine, with helpers that read like the scenarios. */
export class World {
  constructor(readonly engine: ConsentEngine) {}

  /** Actor id of a name. */
  id(name: Name): string {
    return actorIdOf(keyOf(name));
  }

  /** Runs `op` signed by `who` at `at`. */
  run(who: Name, at: Time, op: ConsentOp): { ok: true; value: number } | { ok: false; error: string } {
    return this.engine.apply({ caller: keyOf(who), now: at, governance: who === 'gov' }, op);
  }

  /** Runs `op` and throws unless it succeeded; returns its value. */
  ok(who: Name, at: Time, op: ConsentOp): number {
    const r = this.run(who, at, op);
    if (!r.ok) throw new Error(`${op.op} by ${who} failed: ${r.error}`);
    return r.value;
  }

  /** Orgs, admins, the cast, and the guardian `mum` linked to `child`, all at T0. */
  setup(): this {
    for (const [org, kind, admin] of ORGS) {
      this.ok('gov', T0, { op: 'addOrg', org, kind, adminKey: keyOf(admin), adminCertHash: hashOf(admin) });
    }
    for (const [name, [org, role, licenceExpiry]] of Object.entries(CAST)) {
      const admin = ADMIN_OF[org] ?? 'adminA';
      this.ok(admin, T0, {
        op: 'registerActor',
        publicKey: keyOf(name),
        role,
        certHash: hashOf(name),
        licenceExpiry,
      });
    }
    this.ok('adminA', T0, { op: 'linkGuardian', guardian: this.id('mum'), patient: this.id('child') });
    return this;
  }

  /** `patient` (or opts.by) grants to `grantee`; returns the grant id. */
  grant(patient: Name, grantee: Grantee, at: Time = T0, o: GrantOpts = {}): number {
    return this.ok(o.by ?? patient, at, {
      op: 'grant',
      patient: this.id(patient),
      grantee,
      actions: o.actions ?? ['read'],
      scope: o.scope ?? { kind: 'all' },
      purposes: o.purposes ?? ['TREAT'],
      start: o.start ?? T0,
      end: o.end ?? T0 + 30 * DAY,
      exceptions: o.exceptions ?? [],
    });
  }

  /** Grantee helpers. */
  actor(name: Name): Grantee {
    return { kind: 'actor', id: this.id(name) };
  }

  /** A write+read grant to `doctor` then an anchor of the next version by them; returns the version. */
  anchor(doctor: Name, patient: Name, label: string, category: string, at: Time = T0, previous = 0): number {
    return this.ok(doctor, at, {
      op: 'anchor',
      patient: this.id(patient),
      recordId: rec(label),
      previous,
      cid: `bafy-${label}-${previous + 1}`,
      category,
      keys: [
        { reader: this.id(patient), key: 'aa'.repeat(48) },
        { reader: this.id(doctor), key: 'bb'.repeat(48) },
      ],
    });
  }

  /** Sets up a record `label` of `patient` written by `scribe` under a record-scoped write grant, at T0. */
  seedRecord(patient: Name, label: string, category: string): void {
    const scope: Scope = { kind: 'record', recordId: rec(label) };
    this.grant(patient, this.actor('scribe'), T0, { actions: ['write', 'read'], scope });
    this.anchor('scribe', patient, label, category);
  }

  /** {@link setup} plus records of `pat`: lab1 (lab), img1 (imaging), mh1 (mental-health); of `pat2`: p2lab. */
  standard(): this {
    this.setup();
    this.seedRecord('pat', 'lab1', 'lab');
    this.seedRecord('pat', 'img1', 'imaging');
    this.seedRecord('pat', 'mh1', 'mental-health');
    this.seedRecord('pat2', 'p2lab', 'lab');
    return this;
  }

  /** canAccess by names. */
  ask(who: Name, patient: Name, target: AccessTarget, action: Action, purpose: Purpose, at: Time) {
    return this.engine.canAccess(this.id(who), this.id(patient), target, action, purpose, at);
  }

  /** Registered admin of an org code. */
  static adminOf(org: string): Name {
    return ADMIN_OF[org] ?? 'adminA';
  }
}
