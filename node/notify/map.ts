/**
 * The pure core of notifications: a consent contract `Audit` event (one audit entry) becomes the
 * actor events it means for each person concerned, and the timers (request lapse, grant expiry)
 * to check at later block times. No I/O: what the entry does not say (a request's requester and
 * expiry, a grant's end, a patient's guardians) comes from a {@link MapContext} the caller answers
 * from state.
 */
import { toHex } from '../../protocol/chain/encoding.js';
import type { ContractEvent } from '../../protocol/chain/types.js';
import type { ActorEvent, ActorEventType, ActorRelation } from '../../protocol/notify.js';
import { decodeInt } from '../../vm/abi.js';
import { PURPOSE_BIT, ROLE_CODE } from '../../vm/consent/abi.js';
import type { TrailEntry } from '../../vm/consent/results.js';

/** A grant in force ending within this many ms of the block time is announced as expiring. */
const EXPIRING_WITHIN_MS = 86_400_000;

/** One audit entry as the `Audit` event carries it (docs/consent.md#audit): a trail entry without its index. */
export type AuditEntry = Omit<TrailEntry, 'seq'>;

/** What the index needs to know about a request, from state. */
export interface RequestFacts {
  readonly patient: string;
  readonly requester: string;
  readonly expiresAt: number;
  readonly open: boolean;
}

/** What the index needs to know about a grant, from state. */
export interface GrantFacts {
  readonly patient: string;
  /** The grantee when it is one actor, else null. */
  readonly granteeActor: string | null;
  /**
   * The index key a grant to an organisation or a role is filed under (`org:<code>`,
   * `role:<role>`), else null. Optional: a context that cannot tell files such grants nowhere.
   */
  readonly granteeGroup?: string | null;
  readonly end: number;
  readonly revoked: boolean;
}

/** Answers from state (the node queries the consent contract); null when there is no such thing. */
export interface MapContext {
  guardiansOf(patient: string): readonly string[];
  request(id: number): RequestFacts | null;
  grant(id: number): GrantFacts | null;
  /** The organisation code of a registered actor, or null (optional: no org streams without it). */
  orgOf?(actor: string): string | null;
}

/** The index key of an organisation's stream: what its members follow besides their own id. */
export const orgKey = (org: string): string => `org:${org}`;

/** An actor event before it gets its id and block fields. */
export type DraftEvent = Omit<ActorEvent, 'id' | 'height' | 'time'>;

/** A check due at a block time: does the request lapse, does the grant end within 24 h? */
export type Timer =
  | { readonly kind: 'lapse'; readonly due: number; readonly id: number }
  | { readonly kind: 'expiring'; readonly due: number; readonly id: number };

/** A guardian link or unlink seen in the entries: who else hears about a patient. */
export interface GuardianChange {
  readonly guardian: string;
  readonly patient: string;
  readonly linked: boolean;
}

/** What one audit entry means for the index. */
export interface Mapped {
  readonly events: DraftEvent[];
  readonly timers: Timer[];
  readonly guardians: GuardianChange[];
}

const dec = new TextDecoder();
const utf8 = (b: Uint8Array): string => dec.decode(b);
const PURPOSE_NAME = new Map(Object.entries(PURPOSE_BIT).map(([k, v]) => [v, k]));
const ROLE_NAME = new Map(Object.entries(ROLE_CODE).map(([k, v]) => [v, k]));

/** The audit entry an event carries, or null if it is not a well-formed `Audit` event. */
export function auditOfEvent(e: ContractEvent): AuditEntry | null {
  if (e.name !== 'Audit' || e.data.length !== 8) return null;
  const [op, at, by, patient, subject, purpose, detail, via] = e.data as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  if (at.length !== 8 || purpose.length !== 8) return null;
  return {
    op: utf8(op),
    at: decodeInt(at),
    by: toHex(by),
    patient: toHex(patient),
    subject,
    purpose: decodeInt(purpose),
    detail,
    via: toHex(via),
  };
}

const intOf = (b: Uint8Array): number | null => (b.length === 8 ? decodeInt(b) : null);

/** `record ++ bytes(version)`, the subject of anchor, attest and read entries. */
function versionRef(b: Uint8Array): { recordId: string; version: number } | null {
  if (b.length !== 40) return null;
  return { recordId: toHex(b.subarray(0, 32)), version: decodeInt(b.subarray(32)) };
}

/** A grant entry's detail: `bytes(kind) ++ grantee`. */
function granteeOf(detail: Uint8Array): { label: string; actor: string | null; group: string | null } {
  const kind = detail.length >= 8 ? decodeInt(detail.subarray(0, 8)) : 0;
  const rest = detail.subarray(8);
  if (kind === 1) {
    const actor = toHex(rest);
    return { label: `actor:${actor}`, actor, group: null };
  }
  if (kind === 2) return { label: orgKey(utf8(rest)), actor: null, group: orgKey(utf8(rest)) };
  const role = rest.length === 8 ? ROLE_NAME.get(decodeInt(rest)) : undefined;
  const label = `role:${role ?? 'unknown'}`;
  return { label, actor: null, group: role === undefined ? null : label };
}

/** The grant's events for its grantee: the actor, or the org / role key its members follow. */
function toGrantee(draft: Omit<DraftEvent, 'actor' | 'as'>, actor: string | null, group: string | null) {
  const out: DraftEvent[] = [];
  if (actor !== null && actor !== draft.patient) out.push({ ...draft, actor, as: 'grantee' });
  if (group !== null) out.push({ ...draft, actor: group, as: 'grantee' });
  return out;
}

/** An emergency event for the requester's organisation, whose doctors and admins may co-sign. */
function toRequesterOrg(draft: Omit<DraftEvent, 'actor' | 'as'>, requester: string, ctx: MapContext) {
  const org = ctx.orgOf?.(requester) ?? null;
  return org === null ? [] : [{ ...draft, actor: orgKey(org), as: 'organisation' as const }];
}

/** The patient and their guardians, each with how they relate. */
function patientSide(patient: string, ctx: MapContext): { actor: string; as: ActorRelation }[] {
  return [
    { actor: patient, as: 'patient' },
    ...ctx.guardiansOf(patient).map((g) => ({ actor: g, as: 'guardian' as const })),
  ];
}

const NOTHING: Mapped = { events: [], timers: [], guardians: [] };

/** What an audit entry means for each actor concerned (docs/notify.md#events). */
export function auditToActorEvents(e: AuditEntry, ctx: MapContext): Mapped {
  const base = { at: e.at, patient: e.patient, by: e.by };
  // The patient's event, then each guardian's: one object each, no list of sides first.
  const toPatient = (type: ActorEventType, fields: Partial<DraftEvent>): DraftEvent[] => {
    const out: DraftEvent[] = [{ ...base, ...fields, type, actor: e.patient, as: 'patient' }];
    for (const g of ctx.guardiansOf(e.patient))
      out.push({ ...base, ...fields, type, actor: g, as: 'guardian' });
    return out;
  };
  const id = intOf(e.subject);
  switch (e.op) {
    case 'requestAccess': {
      if (id === null) return NOTHING;
      const r = ctx.request(id);
      const fields = {
        requestId: id,
        reason: utf8(e.detail),
        ...(r === null ? {} : { expiresAt: r.expiresAt }),
      };
      return {
        events: toPatient('request.received', fields),
        timers: r === null ? [] : [{ kind: 'lapse', due: r.expiresAt, id }],
        guardians: [],
      };
    }
    case 'approveRequest':
    case 'denyRequest': {
      const r = id === null ? null : ctx.request(id);
      if (id === null || r === null) return NOTHING;
      const fields: Partial<DraftEvent> =
        e.op === 'approveRequest'
          ? { requestId: id, ...(intOf(e.detail) === null ? {} : { grantId: intOf(e.detail) as number }) }
          : { requestId: id, reason: utf8(e.detail) };
      const type = e.op === 'approveRequest' ? 'request.approved' : 'request.denied';
      return {
        events: [{ ...base, ...fields, type, actor: r.requester, as: 'requester' }],
        timers: [],
        guardians: [],
      };
    }
    case 'withdrawRequest':
      if (id === null) return NOTHING;
      return { events: toPatient('request.withdrawn', { requestId: id }), timers: [], guardians: [] };
    case 'grant':
    case 'revoke': {
      if (id === null) return NOTHING;
      const g = ctx.grant(id);
      const grantee = e.op === 'grant' ? granteeOf(e.detail) : null;
      const granteeActor = grantee?.actor ?? g?.granteeActor ?? null;
      const granteeGroup = grantee?.group ?? g?.granteeGroup ?? null;
      const type = e.op === 'grant' ? 'grant.given' : 'grant.revoked';
      const fields: Partial<DraftEvent> = {
        grantId: id,
        ...(grantee === null ? {} : { grantee: grantee.label }),
        ...(g === null ? {} : { expiresAt: g.end }),
      };
      const events = toPatient(type, fields);
      events.push(...toGrantee({ ...base, ...fields, type }, granteeActor, granteeGroup));
      const timers: Timer[] =
        e.op === 'grant' && g !== null ? [{ kind: 'expiring', due: g.end - EXPIRING_WITHIN_MS, id }] : [];
      return { events, timers, guardians: [] };
    }
    case 'read': {
      const ref = versionRef(e.subject);
      if (ref === null) return NOTHING;
      const reason = utf8(e.detail);
      const type = reason === 'emergency' ? 'emergency.read' : 'record.read';
      const purpose = PURPOSE_NAME.get(e.purpose) ?? String(e.purpose);
      return { events: toPatient(type, { ...ref, purpose, reason, via: e.via }), timers: [], guardians: [] };
    }
    case 'consult': {
      // detail `<action>:<reason>`; subject a category, or `record ++ bytes(version)` (0: head).
      const [action = '', reason = ''] = utf8(e.detail).split(':');
      const ref = versionRef(e.subject);
      const target = ref ?? { category: utf8(e.subject) };
      const purpose = PURPOSE_NAME.get(e.purpose) ?? String(e.purpose);
      return {
        events: toPatient('consent.consulted', { ...target, action, purpose, reason, via: e.via }),
        timers: [],
        guardians: [],
      };
    }
    case 'disclose':
      if (e.subject.length !== 32 || e.detail.length !== 32) return NOTHING;
      return {
        events: toPatient('research.disclosed', {
          exportId: toHex(e.subject),
          researcher: toHex(e.detail),
          purpose: 'HRESCH',
        }),
        timers: [],
        guardians: [],
      };
    case 'requestEmergency': {
      if (id === null) return NOTHING;
      const fields = { emergencyId: id, reason: utf8(e.detail) };
      const draft = { ...base, ...fields, type: 'emergency.requested' as const };
      return {
        events: [...toPatient(draft.type, fields), ...toRequesterOrg(draft, e.by, ctx)],
        timers: [],
        guardians: [],
      };
    }
    case 'cosignEmergency': {
      if (id === null) return NOTHING;
      const fields = { emergencyId: id, requester: toHex(e.detail) };
      const draft = { ...base, ...fields, type: 'emergency.cosigned' as const };
      return {
        events: [...toPatient(draft.type, fields), ...toRequesterOrg(draft, fields.requester, ctx)],
        timers: [],
        guardians: [],
      };
    }
    case 'anchor': {
      const ref = versionRef(e.subject);
      if (ref === null) return NOTHING;
      return {
        events: toPatient('record.version', { ...ref, category: utf8(e.detail) }),
        timers: [],
        guardians: [],
      };
    }
    case 'attest': {
      const ref = versionRef(e.subject);
      if (ref === null) return NOTHING;
      return {
        events: toPatient('record.attested', { ...ref, kind: utf8(e.detail) }),
        timers: [],
        guardians: [],
      };
    }
    case 'linkGuardian':
    case 'unlinkGuardian':
      return {
        events: [],
        timers: [],
        guardians: [{ guardian: toHex(e.subject), patient: e.patient, linked: e.op === 'linkGuardian' }],
      };
    default:
      return NOTHING;
  }
}

/**
 * What a timer that fell due at block time `time` means: a lapse if the request is still stored
 * open, an expiry notice if the grant is neither revoked nor already ended.
 */
export function timerToActorEvents(t: Timer, time: number, ctx: MapContext): DraftEvent[] {
  if (t.kind === 'lapse') {
    const r = ctx.request(t.id);
    if (r === null || !r.open || time < r.expiresAt) return [];
    const fields = { at: time, patient: r.patient, by: '', requestId: t.id, expiresAt: r.expiresAt };
    return [
      ...patientSide(r.patient, ctx).map((p) => ({ ...fields, type: 'request.lapsed' as const, ...p })),
      { ...fields, type: 'request.lapsed', actor: r.requester, as: 'requester' },
    ];
  }
  const g = ctx.grant(t.id);
  if (g === null || g.revoked || time >= g.end) return [];
  const fields = { at: time, patient: g.patient, by: '', grantId: t.id, expiresAt: g.end };
  const events: DraftEvent[] = patientSide(g.patient, ctx).map((p) => ({
    ...fields,
    type: 'grant.expiring' as const,
    ...p,
  }));
  events.push(...toGrantee({ ...fields, type: 'grant.expiring' }, g.granteeActor, g.granteeGroup ?? null));
  return events;
}
