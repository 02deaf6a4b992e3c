/**
 * Every event the node can put on an SSE stream has a schema: each NodeEvent type, each actor
 * event type and `reset` are keys of the `/v1/events` x-events map, each `$ref` names a component,
 * and each actor event type's schema takes an event of that type with its always-present fields
 * and refuses one of another type.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { actorEventRequired, eventRefs, eventSchemas } from '../../../node/http/event-schemas.js';
import type { NodeEvent } from '../../../protocol/api.js';
import { ACTOR_EVENT_TYPES, type ActorEvent, type ActorEventType } from '../../../protocol/notify.js';

// A Record over the union: adding a NodeEvent type without listing it here does not compile.
const nodeEventTypes: Record<NodeEvent['type'], true> = { block: true, leader: true, receipts: true };

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ components: { schemas: eventSchemas } }, 'doc');
const validate = (type: string, data: unknown) => {
  const ref = eventRefs[type]?.$ref;
  if (ref === undefined) throw new Error(`no schema for ${type}`);
  const v = ajv.getSchema(`doc${ref}`);
  if (v === undefined) throw new Error(`${ref} does not resolve`);
  return v(data);
};

const hex32 = (b: string) => b.repeat(64);
/** The fields every actor event has, plus one value for each per-type field. */
const sample = (type: ActorEventType): ActorEvent => {
  const all: Omit<ActorEvent, 'type'> = {
    id: '12-0',
    actor: hex32('a'),
    as: 'patient',
    height: 12,
    time: 1_700_000_000_000,
    at: 1_700_000_000_000,
    patient: hex32('a'),
    by: hex32('b'),
    requestId: 1,
    grantId: 2,
    emergencyId: 3,
    recordId: hex32('c'),
    version: 1,
    purpose: 'TREAT',
    reason: 'referral',
    via: hex32('d'),
    action: 'read',
    kind: 'patient-confirmed',
    category: 'lab',
    grantee: `actor:${hex32('b')}`,
    expiresAt: 1_700_000_100_000,
    requester: hex32('e'),
    exportId: hex32('f'),
    researcher: hex32('1'),
  };
  const base = ['id', 'actor', 'as', 'height', 'time', 'at', 'patient', 'by'] as const;
  const keep = new Set<string>([...base, ...actorEventRequired[type]]);
  return { type, ...Object.fromEntries(Object.entries(all).filter(([k]) => keep.has(k))) } as ActorEvent;
};

describe('SSE event schemas', () => {
  it('name every event type the node sends, and only those', () => {
    expect(Object.keys(eventRefs).sort()).toEqual(
      [...Object.keys(nodeEventTypes), ...ACTOR_EVENT_TYPES, 'reset'].sort(),
    );
  });

  it.each(ACTOR_EVENT_TYPES)('%s: takes an event with only its always-present fields', (type) => {
    expect(validate(type, sample(type))).toBe(true);
  });

  it.each(ACTOR_EVENT_TYPES)('%s: refuses an event of another type', (type) => {
    const other = ACTOR_EVENT_TYPES.find((t) => t !== type) as ActorEventType;
    expect(validate(type, { ...sample(type), type: other })).toBe(false);
  });

  it.each(ACTOR_EVENT_TYPES.filter((t) => actorEventRequired[t].length > 0))(
    '%s: refuses an event without its per-type fields',
    (type) => {
      const e: Record<string, unknown> = { ...sample(type) };
      for (const k of actorEventRequired[type]) delete e[k];
      expect(validate(type, e)).toBe(false);
    },
  );

  it('reset: takes both reasons, a null or an event id `from`, and refuses another reason', () => {
    expect(validate('reset', { reason: 'too_old', since: 'x', from: null })).toBe(true);
    expect(validate('reset', { reason: 'too_many', since: '1-0', from: '9-2' })).toBe(true);
    expect(validate('reset', { reason: 'gone', since: '1-0', from: null })).toBe(false);
  });
});
