import { describe, expect, it } from 'vitest';
import { actorIdOf } from '../../../vm/consent/common.js';
import { ConsentContract } from '../../../vm/consent/contract.js';
import { consentCode } from '../../../vm/consent/index.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import { MemoryState } from '../../../vm/journal.js';
import { requestOp } from './op-scenarios-requests.js';
import { contractEngine, DAY, HOUR, hashOf, keyOf, MIN, type Name, rec, T0, World } from './world.js';

// The gas of each access request and attestation method in the standard world, as a table
// (docs/consent.md copies it). Gas is deterministic; the assertions are that each call succeeds.
describe('consent contract: gas of the request and attestation methods', () => {
  it('prints the gas table', () => {
    const c = new ConsentContract(new MemoryState(), consentCode(), keyOf('gov'));
    const w = new World(contractEngine(c)).standard();
    const rows: [string, number][] = [];
    const run = (label: string, who: Name, at: number, op: ConsentOp) => {
      const r = c.apply({ caller: keyOf(who), now: at, governance: who === 'gov' }, op);
      expect(r.ok ? 'ok' : r.error, label).toBe('ok');
      rows.push([label, r.gasUsed]);
    };
    const t = T0 + HOUR;
    run('requestAccess (first open request of the requester)', 'drB1', t, requestOp()(w));
    run('requestAccess (2 open already)', 'drB1', t, requestOp()(w));
    run('requestAccess (3rd to this patient)', 'drB1', t, requestOp()(w));
    for (const p of ['pat2', 'child'] as const) for (let i = 0; i < 3; i++) w.ok('drB1', t, requestOp(p)(w));
    run('requestAccess (9 open already)', 'drB1', t, requestOp('patB')(w));
    run('approveRequest (as requested)', 'pat', t + MIN, { op: 'approveRequest', requestId: 1 });
    const narrower = {
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab'] },
      purposes: ['TREAT'],
      start: T0,
      end: T0 + 10 * DAY,
      exceptions: [{ kind: 'record', recordId: rec('mh1') }],
    } as const;
    run('approveRequest (narrowed)', 'pat', t + MIN, { op: 'approveRequest', requestId: 2, terms: narrower });
    run('denyRequest', 'pat', t + MIN, { op: 'denyRequest', requestId: 3, reason: 'not-needed' });
    run('withdrawRequest', 'drB1', t + MIN, { op: 'withdrawRequest', requestId: 4 });
    const at = (kind: 'patient-confirmed' | 'admin-validated' | 'co-signed') =>
      ({ op: 'attest', recordId: rec('lab1'), version: 1, kind }) as const;
    run('attest patient-confirmed', 'pat', t + 2 * MIN, at('patient-confirmed'));
    run('attest admin-validated', 'adminA', t + 2 * MIN, at('admin-validated'));
    run('attest co-signed (reads canAccess)', 'drB1', t + 2 * MIN, at('co-signed'));
    run('setAttestationPolicy', 'gov', t + 3 * MIN, {
      op: 'setAttestationPolicy',
      org: 'hosp-a',
      kinds: ['co-signed'],
    });
    run('grant (for comparison)', 'pat', t + 3 * MIN, {
      op: 'grant',
      patient: w.id('pat'),
      grantee: w.actor('drA2'),
      ...narrower,
    });
    console.log(
      [
        '| method | gas |',
        '|---|---:|',
        ...rows.map(([m, g]) => `| ${m} | ${g.toLocaleString('en')} |`),
      ].join('\n'),
    );
    expect(rows.length).toBe(13);
  });

  it('prints the gas of consult receipts and research exports', () => {
    const c = new ConsentContract(new MemoryState(), consentCode(), keyOf('gov'));
    const w = new World(contractEngine(c)).standard();
    const rows: [string, number][] = [];
    const run = (label: string, who: Name, at: number, op: ConsentOp) => {
      const r = c.apply({ caller: keyOf(who), now: at, governance: false }, op);
      expect(r.ok ? 'ok' : r.error, label).toBe('ok');
      rows.push([label, r.gasUsed]);
    };
    const t = T0 + HOUR;
    // 64 synthetic patients of hosp-a, each consenting to research by its custodian.
    const ids = Array.from({ length: 64 }, (_, i) => {
      const key = keyOf(`gas-patient-${i}`);
      w.ok('adminA', T0, {
        op: 'registerActor',
        publicKey: key,
        role: 'patient',
        certHash: key,
        licenceExpiry: 0,
      });
      const id = actorIdOf(key);
      c.apply(
        { caller: key, now: T0, governance: false },
        {
          op: 'grant',
          patient: id,
          grantee: w.actor('cust'),
          actions: ['read'],
          scope: { kind: 'all' },
          purposes: ['HRESCH'],
          start: T0,
          end: T0 + DAY,
          exceptions: [],
        },
      );
      return id;
    });
    const consult = (patient: string) =>
      ({
        actor: w.id('drB1'),
        patient,
        target: { kind: 'category', category: 'lab' },
        action: 'read',
        purpose: 'TREAT',
        at: t,
      }) as const;
    run('recordConsults (1 consult)', 'nodeA', t, { op: 'recordConsults', consults: [consult(w.id('pat'))] });
    run('recordConsults (64 consults)', 'nodeA', t, { op: 'recordConsults', consults: ids.map(consult) });
    run('requestResearch', 'res1', t, {
      op: 'requestResearch',
      org: 'hosp-a',
      scope: { kind: 'all' },
      reason: 'cohort-study',
    });
    const exportOp = (exportId: string) =>
      ({
        op: 'recordExport',
        exportId,
        requestId: 1,
        fileHash: hashOf('file'),
        k: 5,
        l: 2,
        quasiIdentifiers: ['birth-year', 'sex', 'zip3'],
        sensitive: 'condition',
        paramsHash: hashOf('params'),
      }) as const;
    run('recordExport', 'cust', t, exportOp(hashOf('x1')));
    run('recordDisclosures (1 patient)', 'cust', t, {
      op: 'recordDisclosures',
      exportId: hashOf('x1'),
      patients: ids.slice(0, 1),
    });
    w.ok('cust', t, exportOp(hashOf('x2')));
    run('recordDisclosures (64 patients)', 'cust', t, {
      op: 'recordDisclosures',
      exportId: hashOf('x2'),
      patients: ids,
    });
    console.log(
      [
        '| method | gas |',
        '|---|---:|',
        ...rows.map(([m, g]) => `| ${m} | ${g.toLocaleString('en')} |`),
      ].join('\n'),
    );
    expect(rows.length).toBe(6);
  });
});
