import type { Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { isResearchError } from '../../../research/errors.js';
import { deidentifyRecord } from '../../../research/export.js';
import { compileRules, DeidentifyLog, deidentifyResource } from '../../../research/safe-harbor/engine.js';
import {
  AGE_90_OR_OLDER,
  SAFE_HARBOR_RULES,
  US_CORE_ETHNICITY,
} from '../../../research/safe-harbor/rules.js';
import {
  capAge,
  deidentifyBirthDate,
  deidentifyDate,
  RESTRICTED_ZIP3,
  zipToZip3,
} from '../../../research/safe-harbor/transforms.js';
import { createSyntheticPatient } from '../../../research/synthetic.js';
import { SAFE_HARBOR_SCENARIOS } from './safe-harbor-scenarios.js';

const RULES = compileRules(SAFE_HARBOR_RULES);
const OPTS = { dates: { mode: 'year' } as const, referenceYear: 2025, pseudonyms: new Map([['p1', 'r-1']]) };

const BASE: Record<string, Record<string, unknown>> = {
  Patient: {
    resourceType: 'Patient',
    id: 'p1',
    extension: [
      { url: US_CORE_ETHNICITY, extension: [{ url: 'ombCategory', valueCoding: { code: '2135-2' } }] },
    ],
  },
  Observation: { resourceType: 'Observation', status: 'final', code: { coding: [{ code: '39156-5' }] } },
  Condition: { resourceType: 'Condition', code: { coding: [{ code: '44054006' }] } },
  MedicationRequest: {
    resourceType: 'MedicationRequest',
    status: 'active',
    medicationCodeableConcept: { coding: [{ code: '1191' }] },
  },
  AllergyIntolerance: { resourceType: 'AllergyIntolerance', code: { text: 'Peanut' } },
  Immunization: { resourceType: 'Immunization', status: 'completed' },
  DiagnosticReport: { resourceType: 'DiagnosticReport', status: 'final' },
  Encounter: { resourceType: 'Encounter', status: 'finished' },
};

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = obj;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) {
      cur[p] = value;
      return;
    }
    const next = parts[i + 1] as string;
    cur[p] ??= /^\d+$/.test(next) ? [] : {};
    cur = cur[p] as Record<string, unknown>;
  });
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return cur;
}

describe('Safe Harbor rules: input element -> released element', () => {
  it.each(SAFE_HARBOR_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const input = structuredClone(BASE[s.type]) as Record<string, unknown>;
    if (s.value !== undefined) setPath(input, s.path, s.value);
    const out = deidentifyResource(input as unknown as Resource, RULES, {
      ...OPTS,
      dates: s.dates ?? OPTS.dates,
    });
    expect(getPath(out, s.path)).toEqual(s.expect);
  });
});

describe('Safe Harbor transforms', () => {
  it.each(RESTRICTED_ZIP3.map((z) => [z]))('restricted prefix %s becomes 000', (z) => {
    expect(zipToZip3(`${z}42`)).toBe('000');
  });

  it.each([
    ['02139', '021'],
    ['10001', '100'],
    ['0213', '000'],
    ['', '000'],
  ])('ZIP %j becomes %j', (zip, z3) => {
    expect(zipToZip3(zip)).toBe(z3);
  });

  it.each([
    ['2021', '2021'],
    ['2021-11', '2021'],
    ['2021-11-02T23:59:59+05:00', '2021'],
    ['not a date', undefined],
  ])('date %j to the year is %j', (d, y) => {
    expect(deidentifyDate(d, { mode: 'year' })).toBe(y);
  });

  it('a birth year exactly 89 years back is kept, 90 years back becomes the 90+ year', () => {
    expect(deidentifyBirthDate('1936-12-31', { mode: 'year' }, 2025)).toEqual({
      value: '1936',
      over89: false,
    });
    expect(deidentifyBirthDate('1935-01-01', { mode: 'year' }, 2025)).toEqual({
      value: '1935',
      over89: true,
    });
    expect(deidentifyBirthDate('1900-01-01', { mode: 'year' }, 2025)).toEqual({
      value: '1935',
      over89: true,
    });
  });

  it('an age of 89 years is kept; 89.5 is capped', () => {
    expect(capAge({ value: 89, code: 'a' })).toEqual({ value: 89, code: 'a' });
    expect(capAge({ value: 89.5, code: 'a' }).comparator).toBe('>=');
  });

  it('a Patient of 90 or older is marked with the 90+ extension', () => {
    const out = deidentifyResource(
      { resourceType: 'Patient', id: 'p1', birthDate: '1920-01-01' } as Patient,
      RULES,
      OPTS,
    );
    expect(out?.extension).toEqual([{ url: AGE_90_OR_OLDER, valueBoolean: true }]);
  });

  it('a fractional date offset is refused', () => {
    const shift = { ...OPTS, dates: { mode: 'shift', offsetDays: 1.5 } as const };
    expect(() => deidentifyResource({ resourceType: 'Patient' }, RULES, shift)).toThrow(
      expect.objectContaining({ code: 'invalid_option' }),
    );
  });

  it('resource types without rules (Practitioner) are dropped whole', () => {
    expect(
      deidentifyResource({ resourceType: 'Practitioner', name: [{ family: 'Baker' }] }, RULES, OPTS),
    ).toBeNull();
  });

  it('a rule set naming a path twice is refused', () => {
    const twice = {
      Patient: [SAFE_HARBOR_RULES.Patient?.[0], SAFE_HARBOR_RULES.Patient?.[0]].filter((r) => !!r),
    };
    try {
      compileRules(twice);
      expect.unreachable();
    } catch (e) {
      expect(isResearchError(e, 'invalid_rule')).toBe(true);
    }
  });
});

describe('Safe Harbor over synthetic patients', () => {
  const records = Array.from({ length: 300 }, (_, i) => createSyntheticPatient(11, i, '2025-06-30'));
  const out = records.map((r, i) =>
    deidentifyRecord(r, `r${i}`, RULES, { dates: { mode: 'year' }, referenceYear: 2025 }),
  );

  it('no identifying string of the input survives', () => {
    records.forEach((rec, i) => {
      const p = rec.patient;
      const text = JSON.stringify(out[i]);
      const identifying = [
        p.id,
        p.name?.[0]?.family,
        ...(p.identifier ?? []).map((x) => x.value),
        ...(p.telecom ?? []).map((x) => x.value),
        p.address?.[0]?.line?.[0],
        p.address?.[0]?.city,
        p.address?.[0]?.postalCode,
        p.birthDate,
        'Practitioner/',
        'Organization/',
        'example.org',
        'LOT',
      ];
      for (const s of identifying) if (s) expect(text).not.toContain(s);
    });
  });

  it('no date finer than a year survives', () => {
    for (const rec of out) expect(JSON.stringify(rec)).not.toMatch(/"\d{4}-\d{2}/);
  });

  it('every element the generator writes has a rule except the Practitioner resource', () => {
    const log = new DeidentifyLog(RULES);
    records.forEach((r, i) => {
      deidentifyRecord(r, `r${i}`, RULES, { dates: { mode: 'year' }, referenceYear: 2025 }, log);
    });
    const defaults = [...log.entries().keys()].filter((k) => k.endsWith(' default-remove'));
    expect(defaults).toEqual(['Practitioner default-remove']);
  });

  it('the same record and options give the same output', () => {
    const again = deidentifyRecord(records[5]!, 'r5', RULES, {
      dates: { mode: 'year' },
      referenceYear: 2025,
    });
    expect(again).toEqual(out[5]);
  });
});
