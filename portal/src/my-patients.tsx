/**
 * A clinician's "my patients": the patients who granted this actor access, with what each grant
 * allows and where it stands, live. The grants come from the person's own event stream
 * (`GET /v1/events?actor=`, replayed from the start of the node's index): a `grant.given` as
 * grantee, which every approval of their request and every grant naming them produces.
 */
import { useEffect, useState } from 'preact/hooks';
import type { GrantView } from '../../client/consent-views.js';
import { ActorName } from './actors.js';
import type { Session } from './chain.js';
import { grantState } from './patient-consent.js';
import { day, list, purposeWords } from './text.js';
import { ListState, Section } from './ui.js';

/** Grant ids named in the person's `grant.*` events, and a counter bumped on each. */
function useMyGrantIds(s: Session): { ids: readonly number[]; tick: number; connected: boolean } {
  const [ids, setIds] = useState<readonly number[]>([]);
  const [tick, setTick] = useState(0);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    // since=0-0: replay what the node's index retains (at most notify.maxReplay), then go live.
    const es = new EventSource(`/v1/events?actor=${s.id}&since=0-0`);
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    const on = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as { grantId?: unknown; as?: unknown };
      if (e.as !== 'grantee' || typeof e.grantId !== 'number') return;
      const id = e.grantId;
      setIds((xs) => (xs.includes(id) ? xs : [...xs, id]));
      setTick((n) => n + 1);
    };
    for (const t of ['grant.given', 'grant.revoked', 'grant.expiring']) es.addEventListener(t, on);
    return () => es.close();
  }, [s]);
  return { ids, tick, connected };
}

/** My patients: one row per grant naming me, newest first. */
export function MyPatients({ s }: { s: Session }) {
  const live = useMyGrantIds(s);
  const [grants, setGrants] = useState<readonly GrantView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let on = true;
    Promise.all(live.ids.map((id) => s.consent.grantInfo(id))).then(
      (gs) => on && setGrants(gs.filter((g): g is GrantView => g !== null).reverse()),
      (e: unknown) => on && setError(String(e)),
    );
    return () => {
      on = false;
    };
  }, [s, live.ids, live.tick]);
  const now = Date.now();
  return (
    <Section title="My patients" id="my-patients">
      <p class="muted small">
        Patients who gave you access, directly or by approving your request
        {live.connected ? ', updated live.' : '.'} Grants to your whole organisation or role are not listed
        here.
      </p>
      <ListState
        error={error}
        loading={grants === null && live.ids.length > 0}
        empty={live.ids.length === 0 ? 'No patient has given you access yet.' : null}
      />
      <ul class="grants">
        {(grants ?? []).map((g) => {
          const st = grantState(g, now);
          return (
            <li key={g.id} data-patient={g.patient} data-grant={g.id} data-state={st}>
              <span class={`badge state-${st}`}>{st}</span> <ActorName s={s} id={g.patient} />:{' '}
              {list(g.terms.actions.map((a) => (a === 'write' ? 'add records' : a)))} for{' '}
              {purposeWords(g.terms.purposes)}, until {day(g.terms.end)}.{' '}
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
