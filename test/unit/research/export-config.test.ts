/** The export.json of `ehrchain research export`: defaults, paths, and each refusal naming its field. */
import { describe, expect, it } from 'vitest';
import { ExportConfigError, parseExportConfig } from '../../../cli/research/config.js';

const OK = {
  key: 'custodian.json',
  requestId: 1,
  patients: ['ab'.repeat(32)],
  k: 5,
  quasiIdentifiers: ['birthYear', 'sex'],
  out: { csv: 'o/c.csv', ndjson: 'o/c.ndjson', report: 'o/r.json' },
};

describe('export config', () => {
  it('fills the defaults and resolves paths against the file', () => {
    const c = parseExportConfig(OK, '/x/export.json', new Date('2026-05-01T00:00:00Z'));
    expect(c).toMatchObject({
      key: '/x/custodian.json',
      url: 'http://127.0.0.1:8080',
      l: 1,
      suppressionCap: 0.05,
      dates: { mode: 'year' },
      referenceYear: 2026,
      sensitiveSystem: 'http://snomed.info/sct',
      out: { csv: '/x/o/c.csv' },
    });
  });

  it.each([
    ['an unknown field', { extra: 1 }, 'extra'],
    ['no patients', { patients: [] }, 'patients'],
    ['a patient that is not an actor id', { patients: ['pat'] }, 'patients[0]'],
    ['an unknown quasi-identifier', { quasiIdentifiers: ['name'] }, 'quasiIdentifiers[0]'],
    ['a repeated quasi-identifier', { quasiIdentifiers: ['sex', 'sex'] }, 'quasiIdentifiers'],
    ['k below 1', { k: 0 }, 'k'],
    ['a suppression cap above 1', { suppressionCap: 2 }, 'suppressionCap'],
    ['a date policy not known', { dates: 'month' }, 'dates'],
    ['no output paths', { out: undefined }, 'out'],
    ['no request', { requestId: undefined }, 'requestId'],
  ])('refuses %s, naming the field', (_name, change, field) => {
    try {
      parseExportConfig({ ...OK, ...change }, '/x/export.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExportConfigError);
      expect((e as ExportConfigError).field).toBe(field);
    }
  });
});
