/**
 * Rows of the authorisation table (op-scenarios.ts) about records, emergency access and recorded
 * reads.
 */
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { OpScenario } from './scenario-types.js';
import { DAY, HOUR, type Name, rec, T0, type World } from './world.js';

/** Default time of the rows. */
export const NOW = T0 + HOUR;
/** Suspends `who` by `admin` at T0. */
export const suspend = (who: Name, admin: Name) => (w: World) =>
  void w.ok(admin, T0, { op: 'suspendActor', actor: w.id(who) });

const anchorOp =
  (previous = 0, label = 'new1') =>
  (w: World) =>
    ({
      op: 'anchor',
      patient: w.id('pat'),
      recordId: rec(label),
      previous,
      cid: 'bafy-x',
      category: 'lab',
      keys: [{ reader: w.id('pat'), key: 'cc'.repeat(40) }],
    }) as const;
const writeGrant = (w: World) => void w.grant('pat', w.actor('drA1'), T0, { actions: ['write'] });
const request = (w: World) =>
  void w.ok('drA1', NOW, {
    op: 'requestEmergency',
    patient: w.id('pat'),
    reason: 'unconscious',
    durationMs: DAY,
  });
const cosign = () => ({ op: 'cosignEmergency', emergencyId: 1 }) as const;
const read = (w: World) =>
  ({
    op: 'recordReads',
    reads: [
      {
        reader: w.id('pat'),
        patient: w.id('pat'),
        recordId: rec('lab1'),
        version: 1,
        purpose: 'TREAT',
        at: NOW,
      },
    ],
  }) as const;

function emergency(w: World, durationMs: number): ConsentOp {
  return { op: 'requestEmergency', patient: w.id('pat'), reason: 'unconscious', durationMs };
}

const share =
  (reader: Name, version = 1) =>
  (w: World) =>
    ({ op: 'shareKey', recordId: rec('lab1'), version, reader: w.id(reader), key: 'dd'.repeat(40) }) as const;
const erase =
  (label = 'lab1') =>
  () =>
    ({ op: 'erase', recordId: rec(label) }) as const;
const erased = (w: World) => void w.ok('pat', T0 + 1, { op: 'erase', recordId: rec('lab1') });

/** shareKey and erase rows. */
export function keyRows(): OpScenario[] {
  return [
    { name: 'patient shares a key with a new grantee', who: 'pat', op: share('drB1'), expect: 'ok' },
    {
      name: 'guardian shares for the child',
      given: (w) => w.seedRecord('child', 'lab1x', 'lab'),
      who: 'mum',
      op: (w) => ({ ...share('drB1')(w), recordId: rec('lab1x') }),
      expect: 'ok',
    },
    { name: 'a doctor cannot share keys', who: 'drA1', op: share('drB1'), expect: 'unauthorised' },
    { name: 'another patient cannot share keys', who: 'pat2', op: share('drB1'), expect: 'unauthorised' },
    { name: 'share for an unknown version', who: 'pat', op: share('drB1', 2), expect: 'unknown_record' },
    {
      name: 'share with an unregistered reader',
      who: 'pat',
      op: share('stranger'),
      expect: 'invalid_reader',
    },
    { name: 'share after erasure', given: erased, who: 'pat', op: share('drB1'), expect: 'record_erased' },
    { name: 'patient erases a record', who: 'pat', op: erase(), expect: 'ok' },
    { name: 'a doctor cannot erase', who: 'drA1', op: erase(), expect: 'unauthorised' },
    { name: 'an admin cannot erase', who: 'adminA', op: erase(), expect: 'unauthorised' },
    { name: 'erase twice', given: erased, who: 'pat', op: erase(), expect: 'already_erased' },
    { name: 'erase an unknown record', who: 'pat', op: erase('nope'), expect: 'unknown_record' },
    {
      name: 'no new version of an erased record',
      given: (w) => {
        erased(w);
        w.grant('pat', w.actor('drA1'), T0, { actions: ['write'] });
      },
      who: 'drA1',
      op: anchorOp(1, 'lab1'),
      expect: 'record_erased',
    },
  ];
}

/** anchor, requestEmergency, cosignEmergency and recordReads rows. */
export function recordRows(): OpScenario[] {
  return [
    // anchor: a doctor with write access
    { name: 'doctor with write grant anchors', given: writeGrant, who: 'drA1', op: anchorOp(), expect: 'ok' },
    { name: 'doctor without write grant', who: 'drA1', op: anchorOp(), expect: 'no_write_access' },
    {
      name: 'doctor with read-only grant',
      given: (w) => void w.grant('pat', w.actor('drA1')),
      who: 'drA1',
      op: anchorOp(),
      expect: 'no_write_access',
    },
    { name: 'a patient cannot anchor', who: 'pat', op: anchorOp(), expect: 'unauthorised' },
    { name: 'an insurer cannot anchor', who: 'ins1', op: anchorOp(), expect: 'unauthorised' },
    {
      name: 'anchor with a stale previous version',
      given: writeGrant,
      who: 'drA1',
      op: anchorOp(0, 'lab1'),
      expect: 'version_conflict',
    },
    {
      name: 'anchor the next version',
      given: writeGrant,
      who: 'drA1',
      op: anchorOp(1, 'lab1'),
      expect: 'ok',
    },
    {
      name: 'anchor onto another patient’s record',
      given: writeGrant,
      who: 'drA1',
      op: anchorOp(1, 'p2lab'),
      expect: 'version_conflict',
    },
    {
      name: 'anchor without the patient’s wrapped key',
      given: writeGrant,
      who: 'drA1',
      op: (w) => ({ ...anchorOp()(w), keys: [{ reader: w.id('drA1'), key: 'cc' }] }),
      expect: 'invalid_reader',
    },
    {
      name: 'a suspended doctor cannot anchor',
      given: (w) => {
        writeGrant(w);
        suspend('drA1', 'adminA')(w);
      },
      who: 'drA1',
      op: anchorOp(),
      expect: 'caller_suspended',
    },
    {
      name: 'licence expired: cannot anchor',
      given: writeGrant,
      who: 'drA1',
      at: T0 + 365 * DAY,
      op: anchorOp(),
      expect: 'caller_licence_expired',
    },
    // emergency
    {
      name: 'an insurer cannot break the glass',
      who: 'ins1',
      op: (w) => emergency(w, DAY),
      expect: 'unauthorised',
    },
    {
      name: 'emergency longer than 24 h',
      who: 'drA1',
      op: (w) => emergency(w, DAY + 1),
      expect: 'invalid_argument',
    },
    { name: 'emergency of 24 h exactly', who: 'drA1', op: (w) => emergency(w, DAY), expect: 'ok' },
    { name: 'co-sign by another doctor of the org', given: request, who: 'drA2', op: cosign, expect: 'ok' },
    {
      name: 'the requester cannot co-sign',
      given: request,
      who: 'drA1',
      op: cosign,
      expect: 'invalid_cosigner',
    },
    {
      name: 'a doctor of another org cannot co-sign',
      given: request,
      who: 'drB1',
      op: cosign,
      expect: 'invalid_cosigner',
    },
    {
      name: 'an admin of another org cannot co-sign',
      given: request,
      who: 'adminB',
      op: cosign,
      expect: 'invalid_cosigner',
    },
    { name: 'a patient cannot co-sign', given: request, who: 'pat', op: cosign, expect: 'unauthorised' },
    {
      name: 'co-sign one hour after the request',
      given: request,
      who: 'drA2',
      at: NOW + HOUR,
      op: cosign,
      expect: 'request_expired',
    },
    {
      name: 'co-sign just before one hour',
      given: request,
      who: 'drA2',
      at: NOW + HOUR - 1,
      op: cosign,
      expect: 'ok',
    },
    {
      name: 'co-sign twice',
      given: (w) => {
        request(w);
        w.ok('adminA', NOW, cosign());
      },
      who: 'drA2',
      op: cosign,
      expect: 'already_cosigned',
    },
    { name: 'co-sign an unknown request', who: 'drA2', op: cosign, expect: 'unknown_emergency' },
    // recordReads: a node
    { name: 'a node records reads', who: 'nodeA', op: read, expect: 'ok' },
    { name: 'a doctor cannot record reads', who: 'drA1', op: read, expect: 'unauthorised' },
    { name: 'an admin cannot record reads', who: 'adminA', op: read, expect: 'unauthorised' },
    { name: 'a read from the future', who: 'nodeA', at: NOW - 1, op: read, expect: 'future_read' },
    {
      name: 'an empty batch',
      who: 'nodeA',
      op: () => ({ op: 'recordReads', reads: [] }),
      expect: 'invalid_argument',
    },
  ];
}
