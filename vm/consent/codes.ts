/**
 * Stable string codes: the reasons canAccess gives and the errors a consent operation fails with.
 * Clients, the node and the contract all use these exact strings; never rename one.
 */

/** Why canAccess allowed or refused. */
export const Reason = {
  /** Allowed: a permit in force covers the request and no deny exception matches. */
  granted: 'granted',
  /** Allowed: the patient reading their own record. */
  ownRecord: 'own_record',
  /** Allowed: a linked guardian reading the patient's record. */
  guardian: 'guardian',
  /** Allowed: co-signed break-the-glass access in force (read, ETREAT only). */
  emergency: 'emergency',
  unknownActor: 'unknown_actor',
  suspended: 'suspended',
  licenceExpired: 'licence_expired',
  unknownPatient: 'unknown_patient',
  unknownRecord: 'unknown_record',
  /** The actor's role may never do this action for this purpose (e.g. an insurer for TREAT). */
  roleMismatch: 'role_mismatch',
  /** No provision names this actor, its organisation or its role. */
  noGrant: 'no_grant',
  scopeMismatch: 'scope_mismatch',
  purposeMismatch: 'purpose_mismatch',
  deniedByException: 'denied_by_exception',
  revoked: 'revoked',
  notYetValid: 'not_yet_valid',
  expired: 'expired',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Reasons that mean "allowed". */
export const ALLOWED_REASONS: readonly Reason[] = ['granted', 'own_record', 'guardian', 'emergency'];

/** Why a mutating operation was refused (it then changes nothing). */
export const ConsentError = {
  /** An argument has the wrong shape (length, pattern, range, list size, duplicate). */
  invalidArgument: 'invalid_argument',
  /** Only the governance authority may do this. */
  notGovernance: 'not_governance',
  /** The signer is not a registered actor. */
  unknownCaller: 'unknown_caller',
  callerSuspended: 'caller_suspended',
  callerLicenceExpired: 'caller_licence_expired',
  /** The signer's role or organisation does not allow this operation on this subject. */
  unauthorised: 'unauthorised',
  orgExists: 'org_exists',
  unknownOrg: 'unknown_org',
  actorExists: 'actor_exists',
  unknownActor: 'unknown_actor',
  /** The role may not be registered by an organisation of this kind. */
  roleNotAllowed: 'role_not_allowed',
  alreadySuspended: 'already_suspended',
  notSuspended: 'not_suspended',
  unknownPatient: 'unknown_patient',
  /** The grantee actor does not exist or does not hold an accessor role. */
  invalidGrantee: 'invalid_grantee',
  /** start >= end, or the period has already ended. */
  invalidPeriod: 'invalid_period',
  unknownGrant: 'unknown_grant',
  alreadyRevoked: 'already_revoked',
  /** The author has no write access for this patient, record and category (canAccess said no). */
  noWriteAccess: 'no_write_access',
  /** `previous` is not the record's current head version, or the record belongs to another patient. */
  versionConflict: 'version_conflict',
  /** A wrapped key names an unregistered reader, or the patient's key is missing. */
  invalidReader: 'invalid_reader',
  unknownEmergency: 'unknown_emergency',
  /** The emergency was already co-signed. */
  alreadyCosigned: 'already_cosigned',
  /**
   * The emergency co-signature came one hour or more after the request, or an access request was
   * answered at or after its expiry.
   */
  requestExpired: 'request_expired',
  /** The co-signer is the requester, or not a doctor/admin of the requester's organisation. */
  invalidCosigner: 'invalid_cosigner',
  alreadyLinked: 'already_linked',
  notLinked: 'not_linked',
  /** No such record, or no such version of it. */
  unknownRecord: 'unknown_record',
  /** The record was erased: no new versions, no new keys. */
  recordErased: 'record_erased',
  alreadyErased: 'already_erased',
  /** A version's key is already wrapped for MAX_READERS readers. */
  tooManyReaders: 'too_many_readers',
  /** A recorded read claims a time after the block time. */
  futureRead: 'future_read',
  /** A recorded consult claims a time after the block time. */
  futureConsult: 'future_consult',
  /** The requester's role may never use a requested purpose or action (as canAccess's role_mismatch). */
  roleMismatch: 'role_mismatch',
  /** A request's expiry is not after now, or more than REQUEST_MAX_TTL_MS ahead. */
  invalidExpiry: 'invalid_expiry',
  /** The requester already has MAX_OPEN_REQUESTS_PER_PATIENT open requests to this patient. */
  tooManyRequestsToPatient: 'too_many_requests_to_patient',
  /** The requester already has MAX_OPEN_REQUESTS open requests. */
  tooManyOpenRequests: 'too_many_open_requests',
  unknownRequest: 'unknown_request',
  /** The request was already approved or denied. */
  requestAnswered: 'request_answered',
  requestWithdrawn: 'request_withdrawn',
  /** The approval's terms are wider than the request's (an action, purpose, data, time or exception more). */
  widenedTerms: 'widened_terms',
  /** A co-signer has no read access (TREAT) to the version. */
  noReadAccess: 'no_read_access',
  /** This actor already attested this version with this kind. */
  alreadyAttested: 'already_attested',
  /** A version already has MAX_ATTESTATIONS attestations. */
  tooManyAttestations: 'too_many_attestations',
  /** No such research request. */
  unknownResearchRequest: 'unknown_research_request',
  /** An export with this id is already recorded. */
  exportExists: 'export_exists',
  /** No such export. */
  unknownExport: 'unknown_export',
  /** The patient had no HRESCH permit for the custodian (or its organisation) in force at the export's time. */
  noResearchConsent: 'no_research_consent',
  /** This export already disclosed this patient. */
  alreadyDisclosed: 'already_disclosed',
} as const;
export type ConsentError = (typeof ConsentError)[keyof typeof ConsentError];

/** Thrown only for programming errors in callers of the model (never for rule outcomes). */
export class ConsentModelError extends Error {
  /** Stable code. */
  readonly code: ConsentError;
  constructor(code: ConsentError, message?: string) {
    super(message ?? code);
    this.code = code;
    this.name = 'ConsentModelError';
  }
}
