/**
 * The consortium the consent benchmarks run on (`npm run bench:vm`, the consent cases of
 * `npm run bench:check`): hospital A's admin registers `doctors` doctors and `patients` patients, and
 * patient p grants doctor `p mod doctors` read and write of everything for TREAT, for a year.
 */
import { actorIdOf } from '../../vm/consent/common.js';
import type { ConsentContract } from '../../vm/consent/contract.js';
import type { ConsentOp } from '../../vm/consent/ops.js';
import { contractEngine, DAY, hashOf, keyOf, T0, World } from '../unit/consent/world.js';

type Exceptions = Extract<ConsentOp, { op: 'grant' }>['exceptions'];

/** Sets up the consortium through `c`; returns the scenario world driving it. */
export function growConsortium(
  c: ConsentContract,
  o: { readonly doctors: number; readonly patients: number; readonly exceptions?: Exceptions },
): World {
  const w = new World(contractEngine(c)).setup();
  const reg = (name: string, role: 'doctor' | 'patient', licenceExpiry: number) =>
    w.ok('adminA', T0, {
      op: 'registerActor',
      publicKey: keyOf(name),
      role,
      certHash: hashOf(name),
      licenceExpiry,
    });
  for (let d = 0; d < o.doctors; d++) reg(`doc${d}`, 'doctor', T0 + 365 * DAY);
  for (let p = 0; p < o.patients; p++) {
    reg(`p${p}`, 'patient', 0);
    const r = c.apply(
      { caller: keyOf(`p${p}`), now: T0, governance: false },
      {
        op: 'grant',
        patient: actorIdOf(keyOf(`p${p}`)),
        grantee: { kind: 'actor', id: actorIdOf(keyOf(`doc${p % o.doctors}`)) },
        actions: ['read', 'write'],
        scope: { kind: 'all' },
        purposes: ['TREAT'],
        start: T0,
        end: T0 + 365 * DAY,
        exceptions: o.exceptions ?? [],
      },
    );
    if (!r.ok) throw new Error(`consent consortium setup: ${r.error}`);
  }
  return w;
}
