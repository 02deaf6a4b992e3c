/** FHIR R4 validation of record content: good resources pass, bad ones name the path at fault. */
import { describe, expect, it } from 'vitest';
import { isRecordError } from '../../../protocol/records/errors.js';
import { parseFhir, validateFhir } from '../../../protocol/records/fhir.js';

const fault = (v: unknown): { code: string; path: string | undefined } => {
  try {
    validateFhir(v);
    return { code: 'ok', path: undefined };
  } catch (err) {
    if (!isRecordError(err)) throw err;
    return { code: err.code, path: err.detail };
  }
};

describe('FHIR R4 validation', () => {
  it.each([
    [
      'an Observation',
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Hb' },
        valueQuantity: { value: 13, unit: 'g/dL' },
      },
    ],
    ['a Patient', { resourceType: 'Patient', gender: 'female', birthDate: '1970-01-01' }],
    [
      'a collection Bundle',
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Condition', subject: { reference: 'Patient/p1' } } }],
      },
    ],
  ])(
    'accepts %s',
    (_n, r) => {
      expect(fault(r)).toEqual({ code: 'ok', path: undefined });
    },
    30_000,
  );

  it.each([
    ['a missing required field', { resourceType: 'Observation', code: { text: 'Hb' } }, 'Observation.status'],
    ['a bad date', { resourceType: 'Patient', birthDate: 'yesterday' }, 'Patient.birthDate'],
    ['an unknown resource type', { resourceType: 'Nope' }, 'resourceType'],
    ['no resourceType', { status: 'final' }, 'resourceType'],
    [
      'a bad resource inside a Bundle',
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Observation', code: {} } }],
      },
      'Bundle.entry[0].resource.status',
    ],
  ])('refuses %s, naming the path', (_n, r, path) => {
    expect(fault(r)).toEqual({ code: 'invalid_fhir', path });
  });

  it('refuses non-objects and non-JSON bytes', () => {
    expect(fault([1]).code).toBe('invalid_fhir');
    expect(fault(null).code).toBe('invalid_fhir');
    expect(() => parseFhir(new Uint8Array([0xff, 0xfe]))).toThrow(/UTF-8 JSON/);
  });
});
