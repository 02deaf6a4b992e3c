import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { ACTION_BIT, PURPOSE_BIT } from '../../../vm/consent/abi.js';
import type { AccessTarget } from '../../../vm/consent/access.js';
import { CONSENT_GAS_LIMIT, ConsentContract } from '../../../vm/consent/contract.js';
import { CONSENT_SOURCE, compileConsent, consentCode } from '../../../vm/consent/index.js';
import { ConsentModel } from '../../../vm/consent/model.js';
import type { ConsentOp, TxContext } from '../../../vm/consent/ops.js';
import { grantFromFields, requestFromFields } from '../../../vm/consent/results.js';
import type { AccessRequest, Exception, Grant } from '../../../vm/consent/types.js';
import { MemoryState } from '../../../vm/journal.js';
import { callContract } from '../../../vm/runtime.js';
import { question, RECORDS, richer, step } from './gen.js';
import { OP_SCENARIOS } from './op-scenarios.js';
import { REQUEST_SCENARIOS } from './op-scenarios-requests.js';
import { ACCESS_SCENARIOS } from './scenarios.js';
import { consentFile } from './sync-source.js';
import {
  type ConsentEngine,
  DAY,
  contractEngine as engineOf,
  HOUR,
  keyOf,
  MIN,
  modelEngine,
  rec,
  T0,
  World,
} from './world.js';

let code: Uint8Array;
beforeAll(() => {
  code = consentCode();
});

/** A fresh contract in an empty in-memory state, initialised with the world's governance key. */
const freshContract = (): ConsentContract => new ConsentContract(new MemoryState(), code, keyOf('gov'));

/** A contract (a fresh one by default) as the world's engine. */
const contractEngine = (c: ConsentContract = freshContract()): ConsentEngine => engineOf(c);

describe('consent contract: build', () => {
  it('source.ts embeds consent.ehr exactly (regenerate: node --import tsx test/unit/consent/sync-source.ts)', () => {
    expect(CONSENT_SOURCE).toBe(readFileSync(consentFile('consent.ehr'), 'utf8'));
  });

  it('compiles, and exports the operations and queries', () => {
    const r = compileConsent();
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const names = r.abi.methods.map((m) => m.name);
    for (const m of [
      'init',
      'addOrg',
      'registerActor',
      'grant',
      'revoke',
      'anchor',
      'recordReads',
      'canAccess',
    ]) {
      expect(names).toContain(m);
    }
  });

  it('init is one-time, and only governance adds organisations', () => {
    const c = freshContract();
    const init = (key: string) =>
      callContract(c.state, {
        contract: 'consent',
        method: 'init',
        args: [hexToBytes(key)],
        caller: hexToBytes(key),
        height: 1,
        time: T0,
        gasLimit: CONSENT_GAS_LIMIT,
      });
    expect(init(keyOf('stranger'))).toMatchObject({ status: 'reverted', error: 'already_initialised' });
    const op = {
      op: 'addOrg',
      org: 'hosp-z',
      kind: 'hospital',
      adminKey: keyOf('z'),
      adminCertHash: keyOf('z'),
    } as const;
    expect(c.apply({ caller: keyOf('stranger'), now: T0, governance: false }, op)).toMatchObject({
      ok: false,
      error: 'not_governance',
    });
    expect(c.apply({ caller: keyOf('gov'), now: T0, governance: true }, op)).toMatchObject({ ok: true });
  });
});

describe('consent contract: the access table', () => {
  it.each(ACCESS_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const w = new World(contractEngine()).standard();
    s.given?.(w);
    const target = s.target ?? { kind: 'category', category: 'lab' };
    const d = w.ask(
      s.who,
      s.patient ?? 'pat',
      target,
      s.action ?? 'read',
      s.purpose ?? 'TREAT',
      s.at ?? T0 + HOUR,
    );
    expect(d.reason).toBe(s.expect);
  });
});

describe('consent contract: the authorisation table', () => {
  it.each([...OP_SCENARIOS, ...REQUEST_SCENARIOS].map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const w = new World(contractEngine()).standard();
    s.given?.(w);
    const r = w.run(s.who, s.at ?? T0 + HOUR, s.op(w));
    expect(r.ok ? 'ok' : r.error).toBe(s.expect);
  });
});

/** The model's audit trail in the contract's field shape, for comparison. */
function modelTrail(m: ConsentModel, patient: string): string[] {
  return m
    .auditTrail(patient)
    .map((e) =>
      [
        e.op,
        e.at,
        e.by,
        e.patient ?? '',
        e.purpose ? PURPOSE_BIT[e.purpose] : 0,
        e.via ?? '',
        e.op === 'consult' ? `${e.subject} ${e.detail}` : '',
      ].join('|'),
    );
}

/** A consult entry's subject as the model writes it: a category, or `recordId/version`. */
function consultSubject(subject: Uint8Array): string {
  return subject.length === 40
    ? `${bytesToHex(subject.subarray(0, 32))}/${decodeInt(subject.subarray(32))}`
    : new TextDecoder().decode(subject);
}

function contractTrail(c: ConsentContract, patient: string): string[] {
  const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
  const hex = (b: Uint8Array | undefined) => bytesToHex(b ?? new Uint8Array());
  const int = (b: Uint8Array | undefined) => decodeInt(b ?? new Uint8Array());
  return c
    .auditTrail(patient)
    .map(([op, at, by, pat, subject, purpose, detail, via]) =>
      [
        text(op),
        int(at),
        hex(by),
        hex(pat),
        int(purpose),
        hex(via),
        text(op) === 'consult' ? `${consultSubject(subject ?? new Uint8Array())} ${text(detail)}` : '',
      ].join('|'),
    );
}

/**
 * A grant with its sets in one order: the contract stores actions and purposes as bits and the
 * exceptions as two lists (categories, then records); the model keeps the order they were given in.
 */
function canonical<T extends Grant | AccessRequest>(g: T | undefined): T | undefined {
  if (g === undefined) return undefined;
  const byBit = <T extends string>(xs: readonly T[], table: Readonly<Record<T, number>>): T[] =>
    [...xs].sort((a, b) => table[a] - table[b]);
  const exKey = (e: Exception): string => (e.kind === 'category' ? `0${e.category}` : `1${e.recordId}`);
  return {
    ...g,
    actions: byBit(g.actions, ACTION_BIT),
    purposes: byBit(g.purposes, PURPOSE_BIT),
    exceptions: [...g.exceptions].sort((a, b) => (exKey(a) < exKey(b) ? -1 : exKey(a) > exKey(b) ? 1 : 0)),
  };
}

/** Grant `id` as the contract's grantInfo returns it, decoded as every client decodes it. */
function contractGrant(c: ConsentContract, id: number): Grant | undefined {
  const f = c.grantInfo(id);
  return f === undefined ? undefined : grantFromFields(id, f, c.grantRequest(id));
}

type Question = Parameters<ConsentEngine['canAccess']>;

const EMERGENCY_END = T0 + 30 * MIN + 2 * HOUR;

/** Doctors, insurer and guardian about pat and child: lab, mh1, lab1; TREAT/ETREAT; around drB2's emergency end. */
function grid(w: World, now: number): Question[] {
  const out: Question[] = [];
  const targets: AccessTarget[] = [
    { kind: 'category', category: 'lab' },
    { kind: 'record', recordId: rec('mh1') },
    { kind: 'record', recordId: rec('lab1') },
  ];
  for (const who of ['drA1', 'drA2', 'drB1', 'drB2', 'ins1', 'mum'] as const) {
    for (const p of ['pat', 'child'] as const) {
      for (const t of targets) {
        for (const purpose of ['TREAT', 'ETREAT'] as const) {
          // now, and the last ms and the end of drB2's emergency window
          for (const at of [now, EMERGENCY_END - 1, EMERGENCY_END])
            out.push([w.id(who), w.id(p), t, 'read', purpose, at]);
        }
      }
    }
  }
  return out;
}

/** Requests as the contract's queries give them = as the model has them, now and a day later. */
function compareRequests(m: ConsentModel, c: ConsentContract, w: World, now: number): void {
  for (let id = 1; id <= m.state.requests.length + 1; id++) {
    const f = c.requestInfo(id);
    const stored = f === undefined ? undefined : requestFromFields(id, f);
    expect(canonical(stored), `request ${id}`).toEqual(canonical(m.request(id)));
    for (const at of [now, now + DAY]) {
      expect(c.requestStatus(id, at), `request ${id} at ${at}`).toBe(m.requestStatus(id, at));
    }
  }
  for (let id = 1; id <= m.state.grants.length; id++) {
    expect(c.grantRequest(id), `grant ${id}`).toBe(m.grant(id)?.request ?? 0);
  }
  for (const p of ['pat', 'pat2', 'child', 'patB'] as const) {
    for (const at of [now, now + DAY]) {
      expect(c.openRequests(w.id(p), at), `inbox of ${p}`).toEqual(m.openRequests(w.id(p), at));
    }
  }
  for (const r of ['drB1', 'drB2', 'ins1', 'res1', 'drA1'] as const) {
    expect(c.requestsBy(w.id(r)), `requests of ${r}`).toEqual(m.requestsBy(w.id(r)));
  }
}

describe('consent contract = reference model (differential, random histories)', () => {
  it('same outcome for every operation, same canAccess answers, same audit trails', () => {
    const runs = Number(process.env.CONSENT_DIFF_RUNS ?? 100);
    const stats = { steps: 0, outcomes: new Map<string, number>(), reasons: new Map<string, number>() };
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 40, size: 'max' }),
        fc.array(question, { minLength: 20, maxLength: 20 }),
        (steps, qs) => {
          const m = new ConsentModel();
          const c = freshContract();
          const wm = new World(modelEngine(m)).standard();
          const wc = new World(contractEngine(c)).standard();
          richer(wm);
          richer(wc);
          let now = T0 + HOUR;
          for (const s of steps) {
            stats.steps++;
            now += s.dt;
            const ctx: TxContext = { caller: keyOf(s.op.who), now, governance: s.op.who === 'gov' };
            const o: ConsentOp =
              s.op.kind === 'op'
                ? s.op.o
                : s.op.kind === 'reads'
                  ? { op: 'recordReads', reads: s.op.r.map(({ back, ...r }) => ({ ...r, at: now - back })) }
                  : {
                      op: 'recordConsults',
                      consults: s.op.c.map(({ back, ...c }) => ({ ...c, at: now - back })),
                    };
            const a = m.apply(ctx, o);
            const b = c.apply(ctx, o);
            const left = a.ok ? `ok ${a.value} events ${a.events.length}` : a.error;
            const right = b.ok ? `ok ${b.value} events ${b.events}` : b.error;
            expect(right, `${s.op.who} ${JSON.stringify(o)}`).toBe(left);
            const k = a.ok ? `${o.op}:ok` : `${o.op}:${a.error}`;
            stats.outcomes.set(k, (stats.outcomes.get(k) ?? 0) + 1);
          }
          for (const q of qs) {
            const at = q.at.rel ? now + q.at.t : q.at.t;
            const args = [q.actor, q.patient, q.target, q.action, q.purpose, at] as const;
            const d = wm.engine.canAccess(...args);
            expect(wc.engine.canAccess(...args), JSON.stringify(q)).toEqual(d);
            stats.reasons.set(d.reason, (stats.reasons.get(d.reason) ?? 0) + 1);
          }
          // A fixed grid as well: the answers the richer world was built to produce.
          for (const q of grid(wm, now)) {
            const d = wm.engine.canAccess(...q);
            expect(wc.engine.canAccess(...q), JSON.stringify(q)).toEqual(d);
            stats.reasons.set(d.reason, (stats.reasons.get(d.reason) ?? 0) + 1);
          }
          // Wrapped keys after anchors, shareKey and erasure.
          for (const r of RECORDS) {
            for (const v of [1, 2]) {
              for (const who of ['pat', 'pat2', 'drA1', 'drB1', 'scribe'] as const) {
                expect(c.wrappedKey(r, v, wm.id(who))).toBe(m.wrappedKey(r, v, wm.id(who)));
              }
            }
          }
          // Every grant as the grantInfo query returns it (and nothing past the last one).
          for (let id = 1; ; id++) {
            const g = m.grant(id);
            expect(canonical(contractGrant(c, id)), `grant ${id}`).toEqual(canonical(g));
            if (g === undefined) break;
          }
          for (const p of ['pat', 'pat2', 'child', 'patB'] as const) {
            expect(contractTrail(c, wm.id(p))).toEqual(modelTrail(m, wm.id(p)));
          }
          compareRequests(m, c, wm, now);
          for (const p of ['pat', 'pat2', 'child', 'patB', 'drA1'] as const) {
            for (const at of [T0 + 2 * MIN, now, now + DAY]) {
              const args = [wm.id('cust'), wm.id(p), at] as const;
              expect(c.researchConsent(...args), `research consent of ${p}`).toBe(m.researchConsent(...args));
            }
          }
          for (const r of RECORDS) {
            for (const v of [1, 2]) {
              expect(c.versionAttestations(r, v), `${r}/${v}`).toEqual(m.versionAttestations(r, v));
            }
          }
        },
      ),
      // A fixed seed by default: the coverage check below needs every interesting outcome, and
      // an unseeded run of 100 histories once missed withdrawRequest:ok. CONSENT_DIFF_SEED (with
      // CONSENT_DIFF_RUNS) explores other histories.
      { numRuns: runs, seed: Number(process.env.CONSENT_DIFF_SEED ?? 20261207) },
    );
    if (process.env.CONSENT_DIFF_STATS)
      console.log(stats.steps, [...stats.outcomes].sort(), [...stats.reasons].sort());
    // The histories must reach the interesting outcomes, not just refusals.
    for (const k of [
      'grant:ok',
      'anchor:ok',
      'revoke:ok',
      'recordReads:ok',
      'recordConsults:ok',
      'recordConsults:future_consult',
      'shareKey:ok',
      'erase:ok',
      'requestAccess:ok',
      'approveRequest:ok',
      'approveRequest:widened_terms',
      'denyRequest:ok',
      'withdrawRequest:ok',
      'attest:ok',
      'setAttestationPolicy:ok',
      'requestResearch:ok',
      'recordExport:ok',
      'recordDisclosures:ok',
      'recordDisclosures:no_research_consent',
    ]) {
      expect(stats.outcomes.get(k) ?? 0, k).toBeGreaterThan(0);
    }
    for (const r of ['granted', 'expired', 'revoked', 'denied_by_exception', 'emergency']) {
      expect(stats.reasons.get(r) ?? 0, r).toBeGreaterThan(0);
    }
  });
});
