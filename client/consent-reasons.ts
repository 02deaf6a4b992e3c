/**
 * A human sentence for every reason code the consent contract can give: the revert codes of its
 * operations (vm/consent/codes.ts `ConsentError`, plus `already_initialised`), the reasons canAccess
 * answers with (`Reason`), and the VM's own refusals. The CLI prints these; a test checks that every
 * `require(..., "code")` in consent.ehr has one.
 */

/** Code -> one sentence, for people (the code stays the stable thing to match on). */
export const REASON_SENTENCES: Readonly<Record<string, string>> = {
  // Operations (reverts).
  invalid_argument: 'An argument has the wrong shape (length, pattern, range, list size or a duplicate).',
  not_governance: 'Only the governance authority (a majority of validators) may do this.',
  already_initialised: 'The consent contract is already initialised.',
  unknown_caller: 'The signing key is not registered as an actor.',
  caller_suspended: 'The signing actor is suspended.',
  caller_licence_expired: "The signing actor's licence has expired.",
  unauthorised: "The signer's role or organisation does not allow this operation on this subject.",
  org_exists: 'An organisation with this code already exists.',
  unknown_org: 'There is no organisation with this code.',
  actor_exists: 'This key is already registered as an actor.',
  unknown_actor: 'There is no actor with this id.',
  role_not_allowed: 'An organisation of this kind may not register this role.',
  already_suspended: 'The actor is already suspended.',
  not_suspended: 'The actor is not suspended.',
  unknown_patient: 'There is no patient with this id.',
  invalid_grantee: 'The grantee does not exist or does not hold a role that can be granted access.',
  invalid_period: 'The period is empty (start not before end) or has already ended.',
  unknown_grant: 'There is no grant with this id.',
  already_revoked: 'The grant is already revoked.',
  no_write_access: 'The author has no write access to this patient, record and category.',
  version_conflict:
    "The previous version is not the record's head, or the record belongs to another patient.",
  invalid_reader: "A wrapped key names an unregistered reader, or the patient's key is missing.",
  unknown_emergency: 'There is no emergency request with this id.',
  already_cosigned: 'The emergency request was already co-signed.',
  request_expired: 'The request has expired (emergency: the one-hour co-signing window has passed).',
  invalid_cosigner:
    "The co-signer is the requester, or not a doctor or admin of the requester's organisation.",
  already_linked: 'The guardian is already linked to this patient.',
  not_linked: 'The guardian is not linked to this patient.',
  unknown_record: 'There is no such record, or no such version of it.',
  record_erased: 'The record was erased: it takes no new versions and no new keys.',
  already_erased: 'The record is already erased.',
  too_many_readers: "The version's key is already wrapped for the most readers allowed (64).",
  future_read: 'A recorded read claims a time after the block time.',
  future_consult: 'A recorded consult claims a time after the block time.',
  unknown_research_request: 'No research request has this id.',
  export_exists: 'An export with this id is already recorded.',
  unknown_export: 'No export with this id is recorded.',
  no_research_consent:
    "A patient had no research permit (HRESCH, read) for the custodian or its organisation in force at the export's time.",
  already_disclosed: 'This export already disclosed this patient.',
  role_mismatch: "The actor's role may never use this purpose or action (e.g. an insurer for treatment).",
  invalid_expiry: "The request's expiry is not after now, or more than 30 days ahead.",
  too_many_requests_to_patient: 'The requester already has 3 open requests to this patient.',
  too_many_open_requests: 'The requester already has 32 open requests.',
  unknown_request: 'There is no access request with this id.',
  request_answered: 'The request was already approved or denied.',
  request_withdrawn: 'The request was withdrawn by the requester.',
  widened_terms: 'The approval is wider than the request: an action, purpose, data, time or exception more.',
  no_read_access: 'The co-signer has no read access (treatment) to this version.',
  already_attested: 'This actor already attested this version with this kind.',
  too_many_attestations: 'The version already has the most attestations allowed (16).',
  // canAccess reasons (allowed or refused).
  granted: 'Allowed: a grant in force covers this and no exception excludes it.',
  own_record: "Allowed: the patient's own record.",
  guardian: "Allowed: a linked guardian reading the patient's record.",
  emergency: 'Allowed: co-signed emergency (break-the-glass) access is in force.',
  suspended: 'The actor is suspended.',
  licence_expired: "The actor's licence has expired.",
  no_grant: 'No grant names this actor, its organisation or its role.',
  scope_mismatch: 'A grant names the actor, but not for this data.',
  purpose_mismatch: 'A grant covers this data, but not for this purpose or action.',
  denied_by_exception: 'A grant covers this, but the patient excluded this data from it.',
  revoked: 'The grant that would allow this was revoked.',
  not_yet_valid: 'The grant that would allow this is not yet in force.',
  expired: 'The grant that would allow this has expired.',
  // The VM, before the rules see the call.
  bad_encoding: 'An argument is not encoded as the method expects.',
  bad_args: 'The method was called with the wrong number or kind of arguments.',
  out_of_gas: 'The call ran out of gas: give a higher gas limit.',
};

/** The sentence for a code; an unknown code is shown as itself. */
export function reasonSentence(code: string): string {
  return REASON_SENTENCES[code] ?? `The contract refused with "${code}".`;
}
