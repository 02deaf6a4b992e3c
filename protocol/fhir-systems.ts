/** The FHIR identifier and code systems ehrchain's FHIR views and the Consent import share. */

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
