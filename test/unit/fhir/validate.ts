/** Validates a resource against the official R4 StructureDefinitions (@medplum/core), with its issues on failure. */
import { expect } from 'vitest';
import { validateFhir } from '../../../protocol/records/fhir.js';

export function expectValidFhir(resource: unknown): void {
  let issues: unknown = null;
  try {
    validateFhir(resource);
  } catch (err) {
    issues = (err as { issues?: unknown }).issues ?? String(err);
  }
  expect(issues).toBeNull();
}
