/**
 * Grants and access requests as FHIR R4 `Consent` resources (docs/fhir.md, "Consent"). A grant is
 * one permit provision: its actor (the grantee: an actor by identifier, an organisation, or a
 * role), actions (read = access, write = correct), purposes (v3 ActReason), period, data (a record
 * id) or classes (categories), and nested deny provisions for its exceptions. Status at `at`:
 * active while not revoked and not past its end, else inactive. A request is a `proposed` Consent
 * while open; denied is `rejected`; withdrawn, lapsed and approved (the grant supersedes it) are
 * `inactive`. Pure.
 */
import type { Consent, ConsentProvision, Reference } from '@medplum/fhirtypes';
import type { AccessRequest, Action, Exception, Grant, Grantee, Terms } from '../../vm/consent/types.js';
import { actorRef, instant, SYSTEM } from './common.js';

/** FHIR id of grant `id`. */
export const grantResourceId = (id: number): string => `grant-${id}`;
/** FHIR id of request `id`. */
export const requestResourceId = (id: number): string => `request-${id}`;

/** A Consent id parsed: a grant or a request and its number; null if not one of ours. */
export function parseConsentId(id: string): { kind: 'grant' | 'request'; id: number } | null {
  const m = /^(grant|request)-([1-9][0-9]{0,14})$/.exec(id);
  if (!m) return null;
  return { kind: m[1] as 'grant' | 'request', id: Number(m[2]) };
}

/** FHIR consent action code of each action. */
const ACTION_CODE: Readonly<Record<Action, string>> = { read: 'access', write: 'correct' };

/** The provision actor of a grantee. */
export function granteeActor(g: Grantee): NonNullable<ConsentProvision['actor']>[number] {
  const role = { coding: [{ system: SYSTEM.participation, code: 'IRCP', display: 'information recipient' }] };
  let reference: Reference<never>;
  if (g.kind === 'actor') reference = actorRef(g.id);
  else if (g.kind === 'org')
    reference = { type: 'Organization', identifier: { system: SYSTEM.org, value: g.id } };
  else reference = { type: 'PractitionerRole', identifier: { system: SYSTEM.role, value: g.id } };
  return { role, reference };
}

const recordData = (recordId: string): NonNullable<ConsentProvision['data']>[number] => ({
  meaning: 'instance',
  reference: { identifier: { system: SYSTEM.record, value: recordId } },
});

const categoryClass = (c: string) => ({ system: SYSTEM.category, code: c });

function exceptionProvision(e: Exception): ConsentProvision {
  return e.kind === 'category'
    ? { type: 'deny', class: [categoryClass(e.category)] }
    : { type: 'deny', data: [recordData(e.recordId)] };
}

/** The permit provision of terms given to `grantee`. */
function termsProvision(t: Terms, grantee: Grantee): ConsentProvision {
  return {
    type: 'permit',
    period: { start: instant(t.start), end: instant(t.end) },
    actor: [granteeActor(grantee)],
    action: t.actions.map((a) => ({ coding: [{ system: SYSTEM.consentAction, code: ACTION_CODE[a] }] })),
    purpose: t.purposes.map((p) => ({ system: SYSTEM.actReason, code: p })),
    ...(t.scope.kind === 'categories' ? { class: t.scope.categories.map(categoryClass) } : {}),
    ...(t.scope.kind === 'record' ? { data: [recordData(t.scope.recordId)] } : {}),
    ...(t.exceptions.length > 0 ? { provision: t.exceptions.map(exceptionProvision) } : {}),
  };
}

/** What every Consent here carries: scope, category, policy rule. */
function base(id: string, patient: string): Consent {
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: { coding: [{ system: SYSTEM.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: SYSTEM.loinc, code: '59284-0', display: 'Patient Consent' }] }],
    patient: actorRef(patient, 'Patient'),
    // OPTIN: access is forbidden unless a permit allows it (docs/consent.md, canAccess step 8).
    policyRule: { coding: [{ system: SYSTEM.actCode, code: 'OPTIN' }] },
  };
}

/** Whether a grant is in force or still to come at `at` (not revoked, not past its end). */
function isGrantActive(g: Grant, at: number): boolean {
  return (g.revokedAt === null || at < g.revokedAt) && at < g.end;
}

/** A grant as a Consent, its status judged at `at`. */
export function grantToConsent(g: Grant, at: number): Consent {
  return {
    ...base(grantResourceId(g.id), g.patient),
    identifier: [{ system: SYSTEM.grant, value: String(g.id) }],
    status: isGrantActive(g, at) ? 'active' : 'inactive',
    dateTime: instant(g.grantedAt),
    performer: [actorRef(g.grantor)],
    ...(g.request !== undefined
      ? { sourceReference: { reference: `Consent/${requestResourceId(g.request)}` } }
      : {}),
    provision: termsProvision(g, g.grantee),
  };
}

/** The Consent status of a request at `at`. */
function requestConsentStatus(r: AccessRequest, at: number): Consent['status'] {
  if (r.status === 'open') return at < r.expiresAt ? 'proposed' : 'inactive';
  if (r.status === 'denied') return 'rejected';
  return 'inactive';
}

/** An access request as a Consent (`proposed` while open), its status judged at `at`. */
export function requestToConsent(r: AccessRequest, at: number): Consent {
  return {
    ...base(requestResourceId(r.id), r.patient),
    identifier: [{ system: SYSTEM.request, value: String(r.id) }],
    status: requestConsentStatus(r, at),
    dateTime: instant(r.requestedAt),
    provision: termsProvision(r, { kind: 'actor', id: r.requester }),
  };
}
