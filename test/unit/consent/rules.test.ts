import { describe, expect, it } from 'vitest';
import { OP_SCENARIOS } from './op-scenarios.js';
import { REQUEST_SCENARIOS } from './op-scenarios-requests.js';
import { ACCESS_SCENARIOS } from './scenarios.js';
import { HOUR, modelEngine, T0, World } from './world.js';

describe('consent rules (reference model): who may access what', () => {
  it.each(ACCESS_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const w = new World(modelEngine()).standard();
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
    expect(d.allowed).toBe(['granted', 'own_record', 'guardian', 'emergency'].includes(s.expect));
  });
});

describe('consent rules (reference model): who may do what', () => {
  it.each(OP_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const w = new World(modelEngine()).standard();
    s.given?.(w);
    const r = w.run(s.who, s.at ?? T0 + HOUR, s.op(w));
    expect(r.ok ? 'ok' : r.error).toBe(s.expect);
  });
});

describe('consent rules (reference model): access requests and attestations', () => {
  it.each(REQUEST_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const w = new World(modelEngine()).standard();
    s.given?.(w);
    const r = w.run(s.who, s.at ?? T0 + HOUR, s.op(w));
    expect(r.ok ? 'ok' : r.error).toBe(s.expect);
  });
});
