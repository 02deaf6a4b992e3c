/** The FHIR search parameters: what is accepted, what is refused and named, and the next link. */
import { describe, expect, it } from 'vitest';
import {
  inDates,
  parseDateBound,
  parseSearch,
  SearchError,
  searchsetBundle,
} from '../../../node/fhir/search.js';
import { expectValidFhir } from './validate.js';

const P = 'a'.repeat(64);

describe('search parameters', () => {
  const refused: [string, 'Consent' | 'AuditEvent', Record<string, string | string[]>, string, string][] = [
    ['an unknown parameter', 'Consent', { patient: P, status: 'active' }, 'not-supported', 'status'],
    ['date on Consent', 'Consent', { patient: P, date: 'ge2024-01-01' }, 'not-supported', 'date'],
    ['no patient', 'Consent', {}, 'required', 'patient'],
    ['a patient that is no actor id', 'Consent', { patient: 'Patient/123' }, 'invalid', 'patient'],
    ['two patients', 'Consent', { patient: [P, P] }, 'invalid', 'patient'],
    ['_count 0', 'Consent', { patient: P, _count: '0' }, 'invalid', '_count'],
    ['_count over 100', 'AuditEvent', { patient: P, _count: '101' }, 'invalid', '_count'],
    ['a malformed date', 'AuditEvent', { patient: P, date: 'ge2024-13' }, 'invalid', 'date'],
    ['a date prefix not supported', 'AuditEvent', { patient: P, date: 'sa2024-01-01' }, 'invalid', 'date'],
  ];
  for (const [name, type, q, code, param] of refused)
    it(`refuses ${name}, naming ${param}`, () => {
      const err = (() => {
        try {
          parseSearch(type, q);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(SearchError);
      expect({ code: (err as SearchError).code, param: (err as SearchError).param }).toEqual({ code, param });
    });

  it('accepts Patient/<id> and defaults the page', () => {
    expect(parseSearch('Consent', { patient: `Patient/${P}` })).toEqual({
      patient: P,
      count: 20,
      offset: 0,
      dates: [],
    });
  });

  it('reads repeated date bounds', () => {
    const s = parseSearch('AuditEvent', { patient: P, date: ['ge2024-01-01', 'lt2024-01-02T00:00:00Z'] });
    expect(s.dates).toEqual([
      { prefix: 'ge', ms: Date.UTC(2024, 0, 1) },
      { prefix: 'lt', ms: Date.UTC(2024, 0, 2) },
    ]);
  });

  it.each([
    ['ge', Date.UTC(2024, 0, 1), true],
    ['gt', Date.UTC(2024, 0, 1), false],
    ['le', Date.UTC(2024, 0, 1), true],
    ['lt', Date.UTC(2024, 0, 1), false],
    ['eq', Date.UTC(2024, 0, 1), true],
  ] as const)('date %s is inclusive or not at the bound', (prefix, ms, want) => {
    expect(inDates(ms, [parseDateBound(`${prefix}2024-01-01`)])).toBe(want);
  });
});

describe('searchset Bundle', () => {
  const s = { patient: P, count: 2, offset: 0, dates: [] };
  const page = [
    {
      resourceType: 'OperationOutcome' as const,
      id: 'x1',
      issue: [{ severity: 'information' as const, code: 'informational' as const }],
    },
  ];
  it('has a next link while matches remain', () => {
    const b = searchsetBundle('http://h/fhir/Consent', s, {}, 5, page);
    expect(b.link?.find((l) => l.relation === 'next')?.url).toBe(
      `http://h/fhir/Consent?patient=${P}&_count=2&_offset=2`,
    );
    expect(b.total).toBe(5);
    expectValidFhir(b);
  });
  it('has no next link on the last page', () => {
    const b = searchsetBundle('http://h/fhir/Consent', { ...s, offset: 4 }, {}, 5, page);
    expect(b.link?.map((l) => l.relation)).toEqual(['self']);
  });
});
