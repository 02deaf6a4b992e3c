/**
 * A patient's trail on the compiled contract as FHIR R4 AuditEvents: every entry of a rich history
 * validates; grants, revocations, anchors and reads map after IHE BALP; a read names the serving
 * node as a second agent; break-the-glass is flagged; a refused read is a violation.
 */
import { describe, expect, it } from 'vitest';
import { entryToAuditEvent } from '../../../node/fhir/audit.js';
import { ConsentSource } from '../../../node/fhir/source.js';
import type { AccessTarget } from '../../../vm/consent/access.js';
import { HOUR, rec, T0 } from '../consent/world.js';
import { expectValidFhir } from './validate.js';
import { twinWorld } from './world.js';

function history() {
  const t = twinWorld();
  const { w } = t;
  const g = w.grant('pat', w.actor('drA1'), T0, { actions: ['read', 'write'] });
  w.anchor('drA1', 'pat', 'lab9', 'lab', T0 + HOUR);
  w.ok('pat', T0 + 2 * HOUR, { op: 'revoke', grantId: g });
  const e = w.ok('drB1', T0 + 3 * HOUR, {
    op: 'requestEmergency',
    patient: w.id('pat'),
    reason: 'unconscious',
    durationMs: HOUR,
  });
  w.ok('drB2', T0 + 3 * HOUR, { op: 'cosignEmergency', emergencyId: e });
  const read = (reader: 'drA1' | 'drB1' | 'drA2', at: number) => ({
    reader: w.id(reader),
    patient: w.id('pat'),
    recordId: rec('lab9'),
    version: 1,
    purpose: reader === 'drB1' ? ('ETREAT' as const) : ('TREAT' as const),
    at,
  });
  w.ok('nodeA', T0 + 4 * HOUR, {
    op: 'recordReads',
    reads: [read('drA1', T0 + HOUR + 1), read('drB1', T0 + 3 * HOUR + 1), read('drA2', T0 + 3 * HOUR + 2)],
  });
  const consult = (target: AccessTarget, action: 'read' | 'write') => ({
    actor: w.id('drA2'),
    patient: w.id('pat'),
    target,
    action,
    purpose: 'TREAT' as const,
    at: T0 + 4 * HOUR,
  });
  w.ok('nodeA', T0 + 4 * HOUR, {
    op: 'recordConsults',
    consults: [
      consult({ kind: 'category', category: 'lab' }, 'read'),
      consult({ kind: 'record', recordId: rec('lab9'), version: 1 }, 'write'),
    ],
  });
  // A research release: pat consents to the custodian, res1 asks, cust exports and discloses pat.
  w.grant('pat', w.actor('cust'), T0, { purposes: ['HRESCH'] });
  const request = w.ok('res1', T0 + 4 * HOUR, {
    op: 'requestResearch',
    org: 'hosp-a',
    scope: { kind: 'all' },
    reason: 'cohort-study',
  });
  const exportId = 'ee'.repeat(32);
  w.ok('cust', T0 + 5 * HOUR, {
    op: 'recordExport',
    exportId,
    requestId: request,
    fileHash: 'ff'.repeat(32),
    k: 5,
    l: 2,
    quasiIdentifiers: ['birth-year', 'sex'],
    sensitive: 'condition',
    paramsHash: 'dd'.repeat(32),
  });
  w.ok('cust', T0 + 5 * HOUR, { op: 'recordDisclosures', exportId, patients: [w.id('pat')] });
  const events = new ConsentSource(t.query).trail(w.id('pat')).map((x) => entryToAuditEvent(x, 'test-chain'));
  return { ...t, events };
}

describe('the audit trail as FHIR AuditEvent', () => {
  it('every entry of a history validates against R4', () => {
    const { events } = history();
    expect(events.length).toBeGreaterThan(8);
    for (const e of events) expectValidFhir(e);
  });

  it('a grant is a create by the patient about the Consent', () => {
    const { events, w } = history();
    const g = events.find(
      (e) =>
        e.subtype?.[1]?.code === 'grant' &&
        e.recorded === new Date(T0).toISOString() &&
        e.entity?.[1]?.what?.reference !== undefined,
    )!;
    expect(g.action).toBe('C');
    expect(g.agent[0]?.who?.identifier?.value).toBe(w.id('pat'));
    expect(g.entity?.[0]?.what?.identifier?.value).toBe(w.id('pat'));
  });

  it('a revocation is an update of the Consent', () => {
    const r = history().events.find((e) => e.subtype?.[1]?.code === 'revoke')!;
    expect(r.action).toBe('U');
    expect(r.entity?.[1]?.what?.reference).toMatch(/^Consent\/grant-\d+$/);
  });

  it('a served read names the reader and the serving node', () => {
    const { events, w } = history();
    const read = events.find((e) => e.subtype?.[1]?.code === 'read')!;
    expect(read.action).toBe('R');
    expect(read.agent.map((a) => a.who?.identifier?.value)).toEqual([w.id('drA1'), w.id('nodeA')]);
    expect(read.agent[1]?.requestor).toBe(false);
    expect(read.outcome).toBe('0');
    expect(read.entity?.[1]?.what?.identifier?.value).toBe(`${rec('lab9')}/1`);
  });

  it('a consult is an operation about the category or record asked for, answered by the node', () => {
    const { events, w } = history();
    const consults = events.filter((e) => e.subtype?.[1]?.code === 'consult');
    expect(consults.map((e) => [e.action, e.outcome, e.outcomeDesc])).toEqual([
      ['E', '0', 'read:no_grant'],
      ['E', '0', 'write:no_grant'],
    ]);
    expect(consults[0]?.agent.map((a) => a.who?.identifier?.value)).toEqual([w.id('drA2'), w.id('nodeA')]);
    expect(consults[0]?.entity?.[1]?.what?.identifier).toMatchObject({ value: 'lab' });
    expect(consults[1]?.entity?.[1]?.what?.identifier?.value).toBe(`${rec('lab9')}/1`);
  });

  it('a research disclosure names the custodian, the researcher as recipient, and the export', () => {
    const { events, w } = history();
    const d = events.find((e) => e.subtype?.[1]?.code === 'disclose')!;
    expect(d.action).toBe('E');
    expect(d.purposeOfEvent?.[0]?.coding?.[0]?.code).toBe('HRESCH');
    expect(d.agent.map((a) => a.who?.identifier?.value)).toEqual([w.id('cust'), w.id('res1')]);
    expect(d.entity?.[1]?.what?.identifier).toEqual({
      system: 'urn:ehrchain:export',
      value: 'ee'.repeat(32),
    });
  });

  it('a break-the-glass read is flagged BTG with purpose ETREAT', () => {
    const reads = history().events.filter((e) => e.subtype?.[1]?.code === 'read');
    const btg = reads.find((e) => e.outcomeDesc === 'emergency')!;
    expect(btg.meta?.security?.[0]?.code).toBe('BTG');
    expect(btg.purposeOfEvent?.[0]?.coding?.[0]?.code).toBe('ETREAT');
  });

  it('emergency requests and co-signatures are flagged BTG', () => {
    const ops = history()
      .events.filter((e) => e.meta?.security?.[0]?.code === 'BTG')
      .map((e) => e.subtype?.[1]?.code);
    expect(ops).toEqual(expect.arrayContaining(['requestEmergency', 'cosignEmergency']));
  });

  it('a read the rules did not allow is recorded as a violation with its reason', () => {
    const reads = history().events.filter((e) => e.subtype?.[1]?.code === 'read');
    const bad = reads.find((e) => e.outcome !== '0')!;
    expect(bad.outcome).toBe('4');
    expect(bad.outcomeDesc).toBe('no_grant');
  });
});
