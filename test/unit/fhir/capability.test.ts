/** GET /fhir/metadata's CapabilityStatement: valid R4, and it lists exactly the search parameters the views accept. */
import { describe, expect, it } from 'vitest';
import { capabilityStatement } from '../../../node/fhir/capability.js';
import { operationOutcome } from '../../../node/fhir/common.js';
import { SEARCH_PARAMS } from '../../../node/fhir/search.js';
import { expectValidFhir } from './validate.js';

describe('CapabilityStatement', () => {
  const cs = capabilityStatement('http://127.0.0.1/fhir', 'ehrchain test');
  it('validates against R4', () => expectValidFhir(cs));
  it('lists the supported search parameters of each resource', () => {
    for (const r of cs.rest?.[0]?.resource ?? [])
      expect(r.searchParam?.map((p) => p.name)).toEqual(SEARCH_PARAMS[r.type as keyof typeof SEARCH_PARAMS]);
  });
  it('an OperationOutcome names the parameter it refuses', () => {
    const o = operationOutcome('not-supported', 'no', '_sort');
    expect(o.issue[0]?.expression).toEqual(['_sort']);
    expectValidFhir(o);
  });
});
