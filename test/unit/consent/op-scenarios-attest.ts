/**
 * Rows of the authorisation table about record attestations (attest, setAttestationPolicy), over
 * {@link World.standard}. Run against the model and the contract through REQUEST_SCENARIOS.
 */
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { OpScenario } from './op-scenarios.js';
import { DAY, hashOf, keyOf, MIN, type Name, rec, T0, type World } from './world.js';

/** `who` runs `op` at `at`, which must succeed (a given step). */
const run =
  (who: Name, op: () => ConsentOp, at = T0 + MIN) =>
  (w: World) =>
    void w.ok(who, at, op());

const attestOp =
  (kind: Extract<ConsentOp, { op: 'attest' }>['kind'], label = 'lab1', version = 1) =>
  () =>
    ({ op: 'attest', recordId: rec(label), version, kind }) as const;
const policy = (org: string, kinds: Extract<ConsentOp, { op: 'setAttestationPolicy' }>['kinds']) => () =>
  ({ op: 'setAttestationPolicy', org, kinds }) as const;

/** attest and setAttestationPolicy rows. lab1 of pat was written by `scribe` of hosp-a. */
export function attestRows(): OpScenario[] {
  const readGrant = (who: Name) => (w: World) => void w.grant('pat', w.actor(who));
  const confirm = attestOp('patient-confirmed');
  const cosign = attestOp('co-signed');
  return [
    { name: 'the patient confirms a version', who: 'pat', op: confirm, expect: 'ok' },
    {
      name: 'a linked guardian confirms for the child',
      given: (w) => w.seedRecord('child', 'clab', 'lab'),
      who: 'mum',
      op: attestOp('patient-confirmed', 'clab'),
      expect: 'ok',
    },
    { name: 'another patient cannot confirm', who: 'pat2', op: confirm, expect: 'unauthorised' },
    { name: 'a doctor cannot confirm for the patient', who: 'drA1', op: confirm, expect: 'unauthorised' },
    { name: 'an insurer cannot attest', who: 'ins1', op: confirm, expect: 'unauthorised' },
    { name: 'a node cannot attest', who: 'nodeA', op: confirm, expect: 'unauthorised' },
    {
      name: 'an admin of the author’s hospital validates',
      who: 'adminA',
      op: attestOp('admin-validated'),
      expect: 'ok',
    },
    {
      name: 'an admin of another hospital cannot validate',
      who: 'adminB',
      op: attestOp('admin-validated'),
      expect: 'unauthorised',
    },
    {
      name: 'a patient cannot validate as admin',
      who: 'pat',
      op: attestOp('admin-validated'),
      expect: 'unauthorised',
    },
    {
      name: 'a doctor with read access co-signs',
      given: readGrant('drB1'),
      who: 'drB1',
      op: cosign,
      expect: 'ok',
    },
    {
      name: 'a doctor without read access cannot co-sign',
      who: 'drB1',
      op: cosign,
      expect: 'no_read_access',
    },
    {
      name: 'a revoked grant is no access to co-sign with',
      given: (w) => void w.ok('pat', T0 + MIN, { op: 'revoke', grantId: w.grant('pat', w.actor('drB1')) }),
      who: 'drB1',
      op: cosign,
      expect: 'no_read_access',
    },
    { name: 'the author cannot co-sign', who: 'scribe', op: cosign, expect: 'invalid_cosigner' },
    { name: 'an admin cannot co-sign', who: 'adminA', op: cosign, expect: 'unauthorised' },
    {
      name: 'attest an unknown version',
      who: 'pat',
      op: attestOp('patient-confirmed', 'lab1', 2),
      expect: 'unknown_record',
    },
    {
      name: 'attest an unknown record',
      who: 'pat',
      op: attestOp('patient-confirmed', 'nope'),
      expect: 'unknown_record',
    },
    {
      name: 'attest version 0',
      who: 'pat',
      op: attestOp('patient-confirmed', 'lab1', 0),
      expect: 'invalid_argument',
    },
    {
      name: 'attest an erased record',
      given: run('pat', () => ({ op: 'erase', recordId: rec('lab1') })),
      who: 'pat',
      op: confirm,
      expect: 'record_erased',
    },
    {
      name: 'attest twice with one kind',
      given: run('pat', confirm),
      who: 'pat',
      op: confirm,
      expect: 'already_attested',
    },
    {
      name: 'a 17th attestation of a version',
      given: (w) => {
        w.grant('pat', { kind: 'role', id: 'doctor' });
        for (let i = 0; i < 16; i++) {
          const name = `cosigner${i}`;
          w.ok('adminA', T0, {
            op: 'registerActor',
            publicKey: keyOf(name),
            role: 'doctor',
            certHash: hashOf(name),
            licenceExpiry: T0 + 365 * DAY,
          });
          w.engine.apply({ caller: keyOf(name), now: T0 + MIN, governance: false }, cosign());
        }
      },
      who: 'drA1',
      op: cosign,
      expect: 'too_many_attestations',
    },
    {
      name: 'governance requires attestations of a hospital',
      who: 'gov',
      op: policy('hosp-a', ['co-signed']),
      expect: 'ok',
    },
    { name: 'governance lifts the requirement', who: 'gov', op: policy('hosp-a', []), expect: 'ok' },
    {
      name: 'an admin cannot set the attestation policy',
      who: 'adminA',
      op: policy('hosp-a', ['co-signed']),
      expect: 'not_governance',
    },
    {
      name: 'attestation policy of an unknown org',
      who: 'gov',
      op: policy('hosp-z', ['co-signed']),
      expect: 'unknown_org',
    },
    {
      name: 'attestation policy with a malformed org code',
      who: 'gov',
      op: policy('Hosp A', []),
      expect: 'invalid_argument',
    },
  ];
}
