/**
 * Per-actor notifications (docs/notify.md): what a node's actor-event index derives from the consent
 * contract's `Audit` events, as the `GET /v1/events?actor=` stream and the webhooks carry them.
 * Shared by the node and its clients.
 */

/** Every kind of actor event; the SSE `event:` name and the webhook payload's `event.type`. */
export const ActorEventType = {
  /** A doctor, insurer or researcher asked the patient for access (to the patient and guardians). */
  requestReceived: 'request.received',
  /** The patient approved a request (to the requester). */
  requestApproved: 'request.approved',
  /** The patient denied a request (to the requester). */
  requestDenied: 'request.denied',
  /** The requester withdrew a request (to the patient and guardians). */
  requestWithdrawn: 'request.withdrawn',
  /** An open request passed its expiry unanswered (to both sides), seen at the first block past it. */
  requestLapsed: 'request.lapsed',
  /** A grant was made (to the patient, guardians and an actor grantee). */
  grantGiven: 'grant.given',
  /** A grant was revoked (to the patient, guardians and an actor grantee). */
  grantRevoked: 'grant.revoked',
  /** A grant in force ends within 24 h of the block time (to the patient, guardians and an actor grantee). */
  grantExpiring: 'grant.expiring',
  /** A node recorded a read of one of the patient's records. */
  recordRead: 'record.read',
  /** A break-the-glass read (canAccess reason `emergency`) of one of the patient's records. */
  emergencyRead: 'emergency.read',
  /** A doctor asked for emergency access to the patient's records. */
  emergencyRequested: 'emergency.requested',
  /** A second doctor co-signed emergency access: it is in force. */
  emergencyCosigned: 'emergency.cosigned',
  /** A new version of one of the patient's records was anchored. */
  recordVersion: 'record.version',
  /** Someone attested a version of one of the patient's records. */
  recordAttested: 'record.attested',
  /** A node's consent decision service answered whether an actor may access the patient's data. */
  consentConsulted: 'consent.consulted',
  /** A custodian released the patient's de-identified data in a research export. */
  researchDisclosed: 'research.disclosed',
} as const;
export type ActorEventType = (typeof ActorEventType)[keyof typeof ActorEventType];

/** Every type, for validation (webhook `events` filters). */
export const ACTOR_EVENT_TYPES: readonly ActorEventType[] = Object.values(ActorEventType);

/**
 * Why the event concerns its actor. `organisation`: filed under an organisation's key
 * (`org:<code>`) for its members, an emergency request of one of its doctors.
 */
export type ActorRelation = 'patient' | 'guardian' | 'requester' | 'grantee' | 'organisation';

/**
 * One notification for one actor. Fields past `by` are present for the types that have them
 * (docs/notify.md lists them per type). Ids, hashes and codes only, as on chain.
 */
export interface ActorEvent {
  /** `<height>-<index>`: the block that produced it and its position among that block's events. */
  readonly id: string;
  readonly type: ActorEventType;
  /** To whom: an actor id (hex), or a group key (`org:<code>`, `role:<role>`) its members follow. */
  readonly actor: string;
  readonly as: ActorRelation;
  readonly height: number;
  /** Block time, ms since the Unix epoch. */
  readonly time: number;
  /** Time of the audited operation (a read's own time), or the block time for lapses and expiries. */
  readonly at: number;
  readonly patient: string;
  /** Who acted (empty for lapses and expiries). */
  readonly by: string;
  readonly requestId?: number;
  readonly grantId?: number;
  readonly emergencyId?: number;
  readonly recordId?: string;
  readonly version?: number;
  /** Purpose of use of a read: TREAT, HPAYMT, HRESCH, ETREAT. */
  readonly purpose?: string;
  /** A request's or emergency's reason code, a deny reason, or a read's canAccess reason. */
  readonly reason?: string;
  /** The node that served and recorded a read, or answered and recorded a consult (its actor id). */
  readonly via?: string;
  /** What a consult asked about: `read` or `write`. */
  readonly action?: string;
  /** Attestation kind; or the category of a new version. */
  readonly kind?: string;
  readonly category?: string;
  /** A grant's grantee: `actor:<id>`, `org:<code>` or `role:<role>`. */
  readonly grantee?: string;
  /** A request's expiry or a grant's end (ms). */
  readonly expiresAt?: number;
  /** A research export's id (hex) and the researcher it was released to. */
  readonly exportId?: string;
  readonly researcher?: string;
  /** The requester of an emergency (on a co-signature). */
  readonly requester?: string;
}

/** The stream's control event when it cannot replay everything since the id asked for. */
export interface ResetEvent {
  readonly reason: 'too_old' | 'too_many';
  /** The id resumed from. */
  readonly since: string;
  /** The oldest event id the stream still replays from (exclusive), or null. */
  readonly from: string | null;
}

/** The parts of an event id, or null if it is not `<height>-<index>`. */
export function parseEventId(id: string): { height: number; index: number } | null {
  const m = /^(\d{1,15})-(\d{1,9})$/.exec(id);
  if (m === null) return null;
  return { height: Number(m[1]), index: Number(m[2]) };
}

/** Orders event ids as the chain produced them: by height, then index. */
export function compareEventIds(a: string, b: string): number {
  const x = parseEventId(a);
  const y = parseEventId(b);
  if (x === null || y === null) throw new RangeError('not an event id');
  return x.height - y.height || x.index - y.index;
}

/** What the HTTP API needs from a node's actor-event index (`GET /v1/events?actor=`). */
export interface ActorEventSource {
  /** Live events for `actor` as they are indexed. Returns the unsubscribe. */
  subscribe(actor: string, listener: (e: ActorEvent) => void): () => void;
  /** What `actor` missed after event `since` (null: nothing), bounded; `reset` when not all of it. */
  replay(
    actor: string,
    since: string | null,
  ): Promise<{ readonly reset: ResetEvent | null; readonly events: readonly ActorEvent[] }>;
}
