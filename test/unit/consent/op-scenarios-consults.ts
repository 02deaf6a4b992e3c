/**
 * Rows of the authorisation table about recorded consults (recordConsults: the decisions a node's
 * decision service answered), over {@link World.standard}. Run against the model and the contract
 * through REQUEST_SCENARIOS.
 */
import type { ConsultEntry } from '../../../vm/consent/ops.js';
import type { OpScenario } from './scenario-types.js';
import { HOUR, rec, T0, type World } from './world.js';

const NOW = T0 + HOUR;

/** drB1 asked about pat's lab data (or `more`), answered at `at`. */
const consult =
  (more: Partial<ConsultEntry> = {}, at = NOW) =>
  (w: World) =>
    ({
      op: 'recordConsults',
      consults: [
        {
          actor: w.id('drB1'),
          patient: w.id('pat'),
          target: { kind: 'category', category: 'lab' },
          action: 'read',
          purpose: 'TREAT',
          at,
          ...more,
        },
      ],
    }) as const;

/** recordConsults rows. */
export function consultRows(): OpScenario[] {
  return [
    { name: 'a node records consults it answered', who: 'nodeA', op: consult(), expect: 'ok' },
    {
      name: 'a consult about a record version',
      who: 'nodeA',
      op: consult({ target: { kind: 'record', recordId: rec('lab1'), version: 1 } }),
      expect: 'ok',
    },
    {
      name: 'a consult the rules refuse is still recorded',
      who: 'nodeA',
      op: consult({ action: 'write', actor: '00'.repeat(32) }),
      expect: 'ok',
    },
    { name: 'a doctor cannot record consults', who: 'drA1', op: consult(), expect: 'unauthorised' },
    { name: 'a patient cannot record consults', who: 'pat', op: consult(), expect: 'unauthorised' },
    { name: 'a consult from the future', who: 'nodeA', at: NOW - 1, op: consult(), expect: 'future_consult' },
    {
      name: 'an empty consult batch',
      who: 'nodeA',
      op: () => ({ op: 'recordConsults', consults: [] }),
      expect: 'invalid_argument',
    },
    {
      name: 'a consult about a malformed category',
      who: 'nodeA',
      op: consult({ target: { kind: 'category', category: 'Lab Results' } }),
      expect: 'invalid_argument',
    },
    {
      name: 'a consult about version 0 of a record asks about its head',
      who: 'nodeA',
      op: consult({ target: { kind: 'record', recordId: rec('lab1'), version: 0 } }),
      expect: 'ok',
    },
    {
      name: 'a consult with a malformed actor id',
      who: 'nodeA',
      op: consult({ actor: 'ab' }),
      expect: 'invalid_argument',
    },
  ];
}
