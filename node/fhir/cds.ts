/**
 * The consent decision service in the shape of CDS Hooks consent decision services (LEAP's
 * `patient-consent-consult`): a request names the patient, the actor, one purpose of use, a target
 * (a category as `class`, or a record) and an action; the answer is one card whose summary and
 * `extension.decision` are `CONSENT_PERMIT`, `CONSENT_DENY` or `NO_CONSENT`, with the contract's
 * canAccess reason code. Pure: parsing and mapping only; the route asks canAccess.
 */
import type { AccessTarget } from '../../vm/consent/access.js';
import { type Action, HASH_PATTERN, Purpose as PURPOSES, type Purpose } from '../../vm/consent/types.js';
import { SYSTEM } from './common.js';

/** The hook and service id. */
const CONSULT_HOOK = 'patient-consent-consult';

/** The discovery document of `GET /cds-services`. */
export const CDS_DISCOVERY = {
  services: [
    {
      hook: CONSULT_HOOK,
      id: CONSULT_HOOK,
      title: 'ehrchain patient consent decision',
      description:
        "Decides whether an actor may access (read) or correct (write) a patient's data of a category or a record, for a purpose of use, under the consent recorded on ehrchain, at the node's current state.",
      prefetch: {},
    },
  ],
} as const;

/** A parsed consult: the canAccess question. */
export interface ConsultQuestion {
  readonly patient: string;
  readonly actor: string;
  readonly purpose: Purpose;
  readonly target: AccessTarget;
  readonly action: Action;
}

/** A malformed consult: the JSON path of what is wrong and why. */
export class ConsultError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConsultError';
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An actor id from an identifier (`{system: urn:ehrchain:actor, value}`), an array of them, or a bare id. */
function actorId(v: unknown, path: string): string {
  const first = Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
  if (Array.isArray(v) && v.length !== 1) throw new ConsultError(path, 'exactly one identifier');
  const value = isObj(first) ? first.value : first;
  if (isObj(first) && first.system !== undefined && first.system !== SYSTEM.actor)
    throw new ConsultError(`${path}.system`, `must be ${SYSTEM.actor}`);
  if (typeof value !== 'string' || !HASH_PATTERN.test(value))
    throw new ConsultError(path, 'an actor id (64 hex)');
  return value;
}

const ACTIONS: Readonly<Record<string, Action>> = {
  read: 'read',
  access: 'read',
  write: 'write',
  correct: 'write',
};

/** Parses a `patient-consent-consult` request body; throws ConsultError naming the path. */
export function parseConsult(body: unknown): ConsultQuestion {
  if (!isObj(body)) throw new ConsultError('$', 'a JSON object');
  if (body.hook !== undefined && body.hook !== CONSULT_HOOK)
    throw new ConsultError('hook', `must be ${CONSULT_HOOK}`);
  const c = body.context;
  if (!isObj(c)) throw new ConsultError('context', 'required');
  for (const k of Object.keys(c))
    if (!['patientId', 'actor', 'purposeOfUse', 'scope', 'class', 'record', 'version', 'action'].includes(k))
      throw new ConsultError(`context.${k}`, 'not supported');
  if (c.scope !== undefined && c.scope !== 'patient-privacy')
    throw new ConsultError('context.scope', 'only patient-privacy is decided here');
  const pou =
    Array.isArray(c.purposeOfUse) && c.purposeOfUse.length === 1 ? c.purposeOfUse[0] : c.purposeOfUse;
  const purposeCode = isObj(pou) ? pou.code : pou;
  if (typeof purposeCode !== 'string' || !(purposeCode in PURPOSES))
    throw new ConsultError('context.purposeOfUse', 'exactly one of TREAT, HPAYMT, HRESCH, ETREAT');
  const action =
    c.action === undefined ? 'read' : typeof c.action === 'string' ? ACTIONS[c.action] : undefined;
  if (action === undefined) throw new ConsultError('context.action', 'read (access) or write (correct)');
  return {
    patient: actorId(c.patientId, 'context.patientId'),
    actor: actorId(c.actor, 'context.actor'),
    purpose: purposeCode as Purpose,
    target: targetOf(c),
    action,
  };
}

function targetOf(c: Json): AccessTarget {
  if (c.record !== undefined) {
    if (c.class !== undefined) throw new ConsultError('context.class', 'give class or record, not both');
    if (typeof c.record !== 'string' || !HASH_PATTERN.test(c.record))
      throw new ConsultError('context.record', 'a record id (64 hex)');
    if (c.version !== undefined && !(Number.isSafeInteger(c.version) && (c.version as number) >= 1))
      throw new ConsultError('context.version', 'an integer >= 1');
    return {
      kind: 'record',
      recordId: c.record,
      ...(c.version !== undefined ? { version: c.version as number } : {}),
    };
  }
  const cls = Array.isArray(c.class) && c.class.length === 1 ? c.class[0] : undefined;
  const code = isObj(cls) ? cls.code : undefined;
  if (!isObj(cls) || typeof code !== 'string' || !/^[a-z0-9-]{1,32}$/.test(code))
    throw new ConsultError('context.class', 'one category coding (urn:ehrchain:category), or a record');
  if (cls.system !== undefined && cls.system !== SYSTEM.category)
    throw new ConsultError('context.class[0].system', `must be ${SYSTEM.category}`);
  return { kind: 'category', category: code };
}

/** The three answers of a consent decision service. */
export type ConsentDecision = 'CONSENT_PERMIT' | 'CONSENT_DENY' | 'NO_CONSENT';

/** The decision of a canAccess answer: no permit names the actor (or no such patient) is NO_CONSENT. */
export function decisionOf(d: { allowed: boolean; reason: string }): ConsentDecision {
  if (d.allowed) return 'CONSENT_PERMIT';
  return d.reason === 'no_grant' || d.reason === 'unknown_patient' ? 'NO_CONSENT' : 'CONSENT_DENY';
}

/** The CDS Hooks response: one card, the decision in `extension`, the reason code beside it. */
export function consultResponse(q: ConsultQuestion, d: { allowed: boolean; reason: string }, at: number) {
  const decision = decisionOf(d);
  return {
    cards: [
      {
        summary: decision,
        detail: `${q.action} for ${q.purpose}: ${d.allowed ? 'allowed' : 'refused'} (${d.reason})`,
        indicator: decision === 'CONSENT_PERMIT' ? 'info' : 'warning',
        source: { label: 'ehrchain consent contract', topic: { system: SYSTEM.reason, code: d.reason } },
        extension: { decision, reason: d.reason, evaluatedAt: new Date(at).toISOString(), obligations: [] },
      },
    ],
  };
}
