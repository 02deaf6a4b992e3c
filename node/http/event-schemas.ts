/**
 * JSON schemas of every server-sent event's `data` on `GET /v1/events` (block, leader, receipts) and
 * `GET /v1/events?actor=` (each actor event type of protocol/notify.ts, and reset). They are
 * published as `components.schemas` of the OpenAPI document, and the route's `x-events` maps each
 * SSE `event:` name to its schema. Written in OpenAPI 3.0's dialect (`nullable`), as the document is:
 * fastify-swagger passes components through unconverted.
 */
import { ActorEventType } from '../../protocol/notify.js';
import { blockHeader } from './schemas.js';

const uint = { type: 'integer', minimum: 0 } as const;
const out32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as const;

const blockEvent = {
  type: 'object',
  description: '`event: block`: a block this node applied (its header; GET /v1/blocks/:height for its txs).',
  properties: { type: { type: 'string', enum: ['block'] }, block: blockHeader },
  required: ['type', 'block'],
} as const;

const leaderEvent = {
  type: 'object',
  description: '`event: leader`: this node saw the leader change (null: no leader known).',
  properties: {
    type: { type: 'string', enum: ['leader'] },
    leader: { type: 'string', nullable: true },
    term: uint,
  },
  required: ['type', 'leader', 'term'],
} as const;

const receiptsEvent = {
  type: 'object',
  description:
    "`event: receipts` (with ?receipts=true): each tx's outcome in an applied block, in block order.",
  properties: {
    type: { type: 'string', enum: ['receipts'] },
    height: uint,
    receipts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          hash: out32,
          status: { type: 'string', enum: ['ok', 'reverted'] },
          error: { type: 'string', description: 'reverted only: why' },
        },
        required: ['hash', 'status'],
      },
    },
  },
  required: ['type', 'height', 'receipts'],
} as const;

const resetEvent = {
  type: 'object',
  description:
    '`event: reset` (actor streams): a resume could not replay everything after `since`; events after `from` follow.',
  properties: {
    reason: { type: 'string', enum: ['too_old', 'too_many'] },
    since: { type: 'string', description: 'the event id resumed from' },
    from: {
      type: 'string',
      nullable: true,
      description: 'the oldest event id still replayed from (exclusive), or null',
    },
  },
  required: ['reason', 'since', 'from'],
} as const;

const eventId = { type: 'string', pattern: '^[0-9]{1,15}-[0-9]{1,9}$' } as const;
const actorId = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/** Every field an actor event may carry (protocol/notify.ts ActorEvent). */
const actorEventProps = {
  id: { ...eventId, description: '`<height>-<index>`, also the SSE `id:`' },
  actor: {
    type: 'string',
    pattern: '^(?:[0-9a-f]{64}|org:[a-z0-9-]{1,32}|role:[a-z]{1,16})$',
    description:
      'to whom: an actor id, or the group key (`org:<code>`, `role:<role>`) the event was filed under',
  },
  as: { type: 'string', enum: ['patient', 'guardian', 'requester', 'grantee', 'organisation'] },
  height: uint,
  time: { ...uint, description: 'block time, ms since the Unix epoch' },
  at: { ...uint, description: 'time of the audited operation (the block time for lapses and expiries)' },
  patient: actorId,
  by: {
    type: 'string',
    pattern: '^(?:[0-9a-f]{64})?$',
    description: 'who acted; empty for lapses and expiries',
  },
  requestId: uint,
  grantId: uint,
  emergencyId: uint,
  recordId: out32,
  version: uint,
  purpose: { type: 'string', description: 'TREAT, HPAYMT, HRESCH, ETREAT' },
  reason: { type: 'string' },
  via: { ...actorId, description: 'the node that served and recorded a read, or answered a consult' },
  action: { type: 'string', enum: ['read', 'write'], description: 'what a consult asked about' },
  kind: { type: 'string' },
  category: { type: 'string' },
  grantee: { type: 'string', description: '`actor:<id>`, `org:<code>` or `role:<role>`' },
  expiresAt: { ...uint, description: "a request's expiry or a grant's end (ms)" },
  requester: actorId,
  exportId: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'a research export id' },
  researcher: actorId,
} as const;
type ActorField = keyof typeof actorEventProps;
const actorBase: readonly ActorField[] = ['id', 'actor', 'as', 'height', 'time', 'at', 'patient', 'by'];

/**
 * The fields each actor event type always carries beyond the common ones (docs/notify.md's table
 * lists the ones it may carry; node/notify/map.ts omits a few when the contract's state lacks them).
 */
export const actorEventRequired: Readonly<Record<ActorEventType, readonly ActorField[]>> = {
  'request.received': ['requestId', 'reason'],
  'request.approved': ['requestId'],
  'request.denied': ['requestId', 'reason'],
  'request.withdrawn': ['requestId'],
  'request.lapsed': ['requestId', 'expiresAt'],
  'grant.given': ['grantId'],
  'grant.revoked': ['grantId'],
  'grant.expiring': ['grantId', 'expiresAt'],
  'record.read': ['purpose', 'reason', 'via'],
  'emergency.read': ['purpose', 'reason', 'via'],
  'emergency.requested': ['emergencyId', 'reason'],
  'emergency.cosigned': ['emergencyId', 'requester'],
  'record.version': ['category'],
  'record.attested': ['kind'],
  'consent.consulted': ['action', 'purpose', 'reason', 'via'],
  'research.disclosed': ['exportId', 'researcher', 'purpose'],
};

/** `request.received` -> `RequestReceivedEvent`: the component name of an actor event type. */
export function actorEventSchemaName(type: ActorEventType): string {
  const key = Object.entries(ActorEventType).find(([, v]) => v === type)?.[0] ?? type;
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}Event`;
}

function actorEventSchema(type: ActorEventType): object {
  return {
    type: 'object',
    description: `\`event: ${type}\` (actor streams): docs/notify.md#types`,
    properties: { ...actorEventProps, type: { type: 'string', enum: [type] } },
    required: ['type', ...actorBase, ...actorEventRequired[type]],
  };
}

const actorTypes = Object.values(ActorEventType);

/** The component schemas: one per SSE event type. */
export const eventSchemas: Readonly<Record<string, object>> = {
  BlockEvent: blockEvent,
  LeaderEvent: leaderEvent,
  ReceiptsEvent: receiptsEvent,
  ResetEvent: resetEvent,
  ...Object.fromEntries(actorTypes.map((t) => [actorEventSchemaName(t), actorEventSchema(t)])),
};

/** SSE `event:` name -> `$ref` of its data's schema: the `/v1/events` operation's `x-events`. */
export const eventRefs: Readonly<Record<string, { readonly $ref: string }>> = {
  block: ref('BlockEvent'),
  leader: ref('LeaderEvent'),
  receipts: ref('ReceiptsEvent'),
  ...Object.fromEntries(actorTypes.map((t) => [t, ref(actorEventSchemaName(t))])),
  reset: ref('ResetEvent'),
};
