/**
 * What every FHIR mapper shares: the code systems and identifier systems ehrchain uses, the media
 * type, and small builders (instants, logical references, OperationOutcome). Pure.
 */
import type { OperationOutcome, Reference, ResourceType } from '@medplum/fhirtypes';

/** The media type of every FHIR answer. */
export const FHIR_JSON = 'application/fhir+json';

/** Identifier and code systems. `urn:ehrchain:*` are ehrchain's own (docs/fhir.md). */
export const SYSTEM = {
  /** An actor id: sha256 of the actor's ed25519 public key, 64 hex. */
  actor: 'urn:ehrchain:actor',
  /** An organisation code chosen by governance. */
  org: 'urn:ehrchain:org',
  /** A role (`doctor`, `insurer`, `researcher`): every actor holding it. */
  role: 'urn:ehrchain:role',
  /** A record id, 64 hex (a version: `<record>/<version>`). */
  record: 'urn:ehrchain:record',
  /** A record category code of the consortium's vocabulary. */
  category: 'urn:ehrchain:category',
  /** A grant id (Consent `grant-<id>`). */
  grant: 'urn:ehrchain:grant',
  /** An access request id (Consent `request-<id>`). */
  request: 'urn:ehrchain:request',
  /** A consent contract operation (`grant`, `read`, ...). */
  op: 'urn:ehrchain:op',
  /** A canAccess reason code (`granted`, `no_grant`, ...). */
  reason: 'urn:ehrchain:reason',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
  loinc: 'http://loinc.org',
  participation: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  auditType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restful: 'http://hl7.org/fhir/restful-interaction',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
} as const;

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
