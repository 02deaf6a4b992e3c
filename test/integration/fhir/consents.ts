/** An R4 Consent that `consent import` takes, written as node/fhir/consent.ts writes one. */
import { HOUR } from '../records/world.js';

/** `patient` permits `grantee` to read lab results for TREAT from an hour ago for 48 h, except one record. */
export function importableConsent(patient: string, grantee: string, now: number) {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { type: 'Patient', identifier: { system: 'urn:ehrchain:actor', value: patient } },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      period: { start: new Date(now - HOUR).toISOString(), end: new Date(now + 48 * HOUR).toISOString() },
      actor: [
        {
          role: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                code: 'IRCP',
                display: 'information recipient',
              },
            ],
          },
          reference: { identifier: { system: 'urn:ehrchain:actor', value: grantee } },
        },
      ],
      action: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' }] },
      ],
      purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
      class: [{ system: 'urn:ehrchain:category', code: 'lab' }],
      provision: [
        {
          type: 'deny',
          data: [
            {
              meaning: 'instance',
              reference: { identifier: { system: 'urn:ehrchain:record', value: 'e'.repeat(64) } },
            },
          ],
        },
      ],
    },
  };
}
