import { describe, expect, it } from 'vitest';
import { ConsentModel } from '../../../vm/consent/model.js';
import { DAY, HOUR, keyOf, MIN, modelEngine, rec, T0, World } from './world.js';

function world(): { m: ConsentModel; w: World } {
  const m = new ConsentModel();
  return { m, w: new World(modelEngine(m)).standard() };
}

const readOf = (
  w: World,
  reader: 'drB1' | 'drA1' | 'pat',
  at: number,
  purpose: 'TREAT' | 'ETREAT' = 'TREAT',
) => ({
  reader: w.id(reader),
  patient: w.id('pat'),
  recordId: rec('lab1'),
  version: 1,
  purpose,
  at,
});

describe('audit trail (HIPAA accounting of disclosures)', () => {
  it('lists every operation about the patient: who, what, when, purpose', () => {
    const { m, w } = world();
    const g = w.grant('pat', w.actor('drB1'), T0 + MIN);
    w.ok('nodeA', T0 + HOUR, { op: 'recordReads', reads: [readOf(w, 'drB1', T0 + 30 * MIN)] });
    w.ok('pat', T0 + 2 * HOUR, { op: 'revoke', grantId: g });
    const trail = m.auditTrail(w.id('pat'));
    expect(trail.map((e) => e.op)).toEqual([
      'registerActor',
      'grant',
      'anchor',
      'grant',
      'anchor',
      'grant',
      'anchor',
      'grant',
      'read',
      'revoke',
    ]);
    const read = trail.find((e) => e.op === 'read');
    expect(read).toMatchObject({
      by: w.id('drB1'),
      via: w.id('nodeA'),
      at: T0 + 30 * MIN,
      purpose: 'TREAT',
      subject: `${rec('lab1')}/1`,
      detail: 'granted',
    });
    expect(trail.at(-1)).toMatchObject({
      op: 'revoke',
      by: w.id('pat'),
      at: T0 + 2 * HOUR,
      subject: String(g),
    });
    expect(trail.find((e) => e.op === 'anchor')).toMatchObject({
      by: w.id('scribe'),
      purpose: 'TREAT',
      detail: 'lab',
    });
  });

  it('keeps patients apart and numbers the chain-wide log densely', () => {
    const { m, w } = world();
    const other = m.auditTrail(w.id('pat2'));
    expect(other.every((e) => e.patient === w.id('pat2'))).toBe(true);
    expect(other.map((e) => e.op)).toEqual(['registerActor', 'grant', 'anchor']);
    expect(m.auditLog().map((e) => e.seq)).toEqual(m.auditLog().map((_, i) => i + 1));
  });

  it('records membership operations in the log, off the patient trails', () => {
    const { m, w } = world();
    w.ok('adminB', T0 + MIN, { op: 'suspendActor', actor: w.id('drB1') });
    w.ok('adminB', T0 + 2 * MIN, { op: 'reinstateActor', actor: w.id('drB1') });
    const last = m.auditLog().slice(-2);
    expect(last).toMatchObject([
      { op: 'suspendActor', by: w.id('adminB'), subject: w.id('drB1'), patient: null },
      { op: 'reinstateActor', by: w.id('adminB'), subject: w.id('drB1'), patient: null },
    ]);
    expect(m.auditLog()[0]).toMatchObject({ op: 'addOrg', subject: 'hosp-a', detail: 'hospital' });
  });

  it('flags emergency access on the trail: request, co-signature and the reads under it', () => {
    const { m, w } = world();
    const e = w.ok('drA1', T0 + HOUR, {
      op: 'requestEmergency',
      patient: w.id('pat'),
      reason: 'unconscious',
      durationMs: 4 * HOUR,
    });
    w.ok('drA2', T0 + HOUR + MIN, { op: 'cosignEmergency', emergencyId: e });
    w.ok('nodeA', T0 + 2 * HOUR, { op: 'recordReads', reads: [readOf(w, 'drA1', T0 + 2 * HOUR, 'ETREAT')] });
    const trail = m.auditTrail(w.id('pat')).slice(-3);
    expect(trail).toMatchObject([
      {
        op: 'requestEmergency',
        by: w.id('drA1'),
        purpose: 'ETREAT',
        detail: 'unconscious',
        subject: String(e),
      },
      { op: 'cosignEmergency', by: w.id('drA2'), purpose: 'ETREAT', detail: w.id('drA1') },
      { op: 'read', by: w.id('drA1'), purpose: 'ETREAT', detail: 'emergency' },
    ]);
  });

  it('records a read the rules do not allow as such, and counts it', () => {
    const { m, w } = world();
    w.grant('pat', w.actor('drB1'));
    w.ok('adminB', T0 + HOUR, { op: 'suspendActor', actor: w.id('drB1') });
    const r = w.run('nodeA', T0 + 2 * HOUR, {
      op: 'recordReads',
      reads: [
        readOf(w, 'drB1', T0 + 2 * HOUR),
        readOf(w, 'pat', T0 + 2 * HOUR),
        readOf(w, 'drA1', T0 + DAY / 24),
      ],
    });
    expect(r).toEqual({ ok: true, value: 2 });
    expect(
      m
        .auditTrail(w.id('pat'))
        .slice(-3)
        .map((e) => e.detail),
    ).toEqual(['suspended', 'own_record', 'no_grant']);
  });

  it('judges a read at its own time: a read served before a revocation stays granted', () => {
    const { m, w } = world();
    const g = w.grant('pat', w.actor('drB1'));
    w.ok('pat', T0 + 2 * HOUR, { op: 'revoke', grantId: g });
    w.ok('nodeA', T0 + 2 * HOUR, {
      op: 'recordReads',
      reads: [readOf(w, 'drB1', T0 + 2 * HOUR - 1), readOf(w, 'drB1', T0 + 2 * HOUR)],
    });
    expect(
      m
        .auditTrail(w.id('pat'))
        .slice(-2)
        .map((e) => e.detail),
    ).toEqual(['granted', 'revoked']);
  });

  it('records a consult as a consult, not a read: who was asked about, the target, action and answer', () => {
    const { m, w } = world();
    const g = w.grant('pat', w.actor('drB1'));
    w.ok('pat', T0 + 2 * HOUR, { op: 'revoke', grantId: g });
    const ask = (at: number, more: object = {}) => ({
      actor: w.id('drB1'),
      patient: w.id('pat'),
      target: { kind: 'category', category: 'lab' } as const,
      action: 'read' as const,
      purpose: 'TREAT' as const,
      at,
      ...more,
    });
    const r = w.run('nodeA', T0 + 3 * HOUR, {
      op: 'recordConsults',
      consults: [
        ask(T0 + 2 * HOUR - 1),
        ask(T0 + 2 * HOUR, {
          action: 'write',
          target: { kind: 'record', recordId: rec('lab1'), version: 1 },
        }),
      ],
    });
    expect(r).toEqual({ ok: true, value: 1 });
    const trail = m.auditTrail(w.id('pat'));
    expect(trail.some((e) => e.op === 'read')).toBe(false);
    expect(trail.slice(-2)).toMatchObject([
      {
        op: 'consult',
        by: w.id('drB1'),
        via: w.id('nodeA'),
        at: T0 + 2 * HOUR - 1,
        subject: 'lab',
        purpose: 'TREAT',
        detail: 'read:granted',
      },
      { op: 'consult', subject: `${rec('lab1')}/1`, detail: 'write:scope_mismatch' },
    ]);
  });

  it('records key sharing and erasure on the trail; erasure deletes every wrapped key', () => {
    const { m, w } = world();
    w.ok('pat', T0 + MIN, {
      op: 'shareKey',
      recordId: rec('lab1'),
      version: 1,
      reader: w.id('drB1'),
      key: 'dd'.repeat(8),
    });
    expect(m.wrappedKey(rec('lab1'), 1, w.id('drB1'))).toBe('dd'.repeat(8));
    w.ok('pat', T0 + 2 * MIN, { op: 'erase', recordId: rec('lab1') });
    expect(m.wrappedKey(rec('lab1'), 1, w.id('drB1'))).toBeUndefined();
    expect(m.wrappedKey(rec('lab1'), 1, w.id('pat'))).toBeUndefined();
    expect(m.record(rec('lab1'))?.erasedAt).toBe(T0 + 2 * MIN);
    expect(m.auditTrail(w.id('pat')).slice(-2)).toMatchObject([
      { op: 'shareKey', by: w.id('pat'), subject: `${rec('lab1')}/1`, detail: w.id('drB1') },
      { op: 'erase', by: w.id('pat'), subject: rec('lab1'), at: T0 + 2 * MIN },
    ]);
  });

  it('emits one event per audit entry, and a refused operation writes nothing', () => {
    const { m, w } = world();
    const before = m.auditLog().length;
    const r = m.apply(
      { caller: '00'.repeat(32), now: T0, governance: false },
      { op: 'suspendActor', actor: w.id('drA1') },
    );
    expect(r).toEqual({ ok: false, error: 'unknown_caller' });
    expect(m.auditLog().length).toBe(before);
    const ok = m.apply(
      { caller: keyOf('pat'), now: T0 + MIN, governance: false },
      { op: 'revoke', grantId: 1 },
    );
    expect(ok.ok && ok.events.map((e) => e.seq)).toEqual([before + 1]);
  });
});
