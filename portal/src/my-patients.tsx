/**
 * A clinician's "my patients": the patients who granted access to this actor, to their
 * organisation or to their role, with what each grant allows and where it stands, live. The grant
 * ids come from the care stream (care-stream.ts): `grant.*` events filed under the person's id, or
 * under the `org:<code>` / `role:<role>` keys the node's index keeps for grants to a group.
 */
import { useEffect, useState } from 'preact/hooks';
import type { GrantView } from '../../client/consent-views.js';
import { ActorName } from './actors.js';
import type { CareStream } from './care-stream.js';
import type { Session } from './chain.js';
import { grantState } from './patient-consent.js';
import { day, list, purposeWords } from './text.js';
import { ListState, Section } from './ui.js';

/** Whom a grant names, from the clinician's side: "you", "your organisation (hosp-a)", "every doctor". */
export function granteeWords(g: GrantView, me: string): string {
  if (g.grantee.kind === 'actor') return g.grantee.id === me ? 'you' : 'another person';
  if (g.grantee.kind === 'org') return `your organisation (${g.grantee.id})`;
  return `every ${g.grantee.id}`;
}

/** My patients: one row per grant naming me, my organisation or my role, newest first. */
export function MyPatients({ s, stream, role }: { s: Session; stream: CareStream; role: string }) {
  const ids = [
    ...new Set(
      stream.events.filter((e) => e.as === 'grantee' && e.grantId !== undefined).map((e) => e.grantId),
    ),
  ].filter((id): id is number => id !== undefined);
  const tick = stream.events.length;
  const [grants, setGrants] = useState<readonly GrantView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = ids.join(',');
  useEffect(() => {
    let on = true;
    Promise.all(ids.map((id) => s.consent.grantInfo(id))).then(
      (gs) => on && setGrants(gs.filter((g): g is GrantView => g !== null).reverse()),
      (e: unknown) => on && setError(String(e)),
    );
    return () => {
      on = false;
    };
  }, [s, key, tick]);
  const now = Date.now();
  return (
    <Section title="My patients" id="my-patients">
      <p class="muted small">
        Patients who gave access to you, to your organisation or to every {role}
        {stream.connected ? ', updated live.' : '.'}
      </p>
      <ListState
        error={error}
        loading={grants === null && ids.length > 0}
        empty={ids.length === 0 ? 'No patient has given you access yet.' : null}
      />
      <ul class="grants">
        {(grants ?? []).map((g) => {
          const st = grantState(g, now);
          return (
            <li
              key={g.id}
              data-patient={g.patient}
              data-grant={g.id}
              data-state={st}
              data-grantee={g.grantee.kind}
            >
              <span class={`badge state-${st}`}>{st}</span> <ActorName s={s} id={g.patient} />:{' '}
              {list(g.terms.actions.map((a) => (a === 'write' ? 'add records' : a)))} for{' '}
              {purposeWords(g.terms.purposes)}, until {day(g.terms.end)}, given to {granteeWords(g, s.id)}.{' '}
              <span class="mono small" title="the patient's actor id">
                {g.patient}
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}
