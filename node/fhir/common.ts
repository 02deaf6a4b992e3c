/**
 * What every FHIR mapper shares: the code systems and identifier systems ehrchain uses, the media
 * type, and small builders (instants, logical references, OperationOutcome). Pure.
 */
import type { OperationOutcome, Reference, ResourceType } from '@medplum/fhirtypes';

/** The media type of every FHIR answer. */
export const FHIR_JSON = 'application/fhir+json';

import { SYSTEM } from '../../protocol/fhir-systems.js';

export { SYSTEM };

/** ms since the epoch as a FHIR instant / dateTime (UTC, ms precision). */
export function instant(ms: number): string {
  return new Date(ms).toISOString();
}

/** A logical reference to an actor by its id (assignable to a reference of any target type). */
export function actorRef(id: string, type?: ResourceType): Reference<never> {
  return { ...(type ? { type } : {}), identifier: { system: SYSTEM.actor, value: id } };
}

/** Issue types of the OperationOutcomes this API returns. */
export type IssueCode = 'invalid' | 'not-supported' | 'not-found' | 'required' | 'processing' | 'exception';

/** An OperationOutcome with one error issue; `expression` names the parameter or FHIR path. */
export function operationOutcome(code: IssueCode, text: string, expression?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code,
        details: { text },
        ...(expression !== undefined && expression !== '' ? { expression: [expression] } : {}),
      },
    ],
  };
}
