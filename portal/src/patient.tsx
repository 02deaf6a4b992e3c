/**
 * The patient's portal: my records (versions, authors, attestations; open = fetch through the
 * node, decrypt here), my inbox of access requests, my grants, give a grant, my access log. New
 * requests and reads arrive live over `GET /v1/events?actor=`.
 */
import { useEffect, useState } from 'preact/hooks';
import type { TrailEntry } from '../../client/consent-views.js';
import { ACTOR_EVENT_TYPES } from '../../protocol/notify.js';
import { ActorName } from './actors.js';
import type { Session } from './chain.js';
import { GrantsSection, InboxSection } from './patient-consent.js';
import { RecordsSection } from './patient-records.js';
import { dayTime, errorSentence, purposeWords, short } from './text.js';
import { ListState, Section, useLoad } from './ui.js';

/** Bumps a counter on every event of the person's stream, so the lists reload. */
function useLive(s: Session): { tick: number; last: string | null; connected: boolean } {
  const [tick, setTick] = useState(0);
  const [last, setLast] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const es = new EventSource(`/v1/events?actor=${s.id}`);
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    for (const t of ACTOR_EVENT_TYPES)
      es.addEventListener(t, () => {
        setLast(t);
        setTick((n) => n + 1);
      });
    return () => es.close();
  }, [s]);
  return { tick, last, connected };
}

const ALLOWED = new Set(['own_record', 'guardian', 'granted', 'emergency']);
const isEmergency = (e: TrailEntry) => e.purposes.includes('ETREAT') || e.detailText === 'emergency';

// Break-the-glass steps, listed in the access log beside the reads they allow.
const EMERGENCY_STEPS: Readonly<Record<string, string>> = {
  requestEmergency: 'asked for emergency access to all your records',
  cosignEmergency: 'co-signed an emergency request: access is in force',
};

/** My access log: every read of my records, who, when, why, through which node. */
function AccessLog({ s, trail }: { s: Session; trail: readonly TrailEntry[] }) {
  const reads = trail.filter((e) => e.op === 'read' || EMERGENCY_STEPS[e.op] !== undefined).reverse();
  if (reads.length === 0) return <p class="muted">Nobody has read your records yet.</p>;
  return (
    <div class="scroll">
      <table class="log" id="access-log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Record</th>
            <th scope="col">Purpose</th>
            <th scope="col">Result</th>
            <th scope="col">Through node</th>
          </tr>
        </thead>
        <tbody>
          {reads.map((e) => (
            <tr key={e.seq} class={isEmergency(e) ? 'emergency' : ''} data-reader={e.by} data-op={e.op}>
              <td>{dayTime(e.at)}</td>
              <td>
                <ActorName s={s} id={e.by} />
              </td>
              <td class="mono">
                {e.op === 'read'
                  ? `${short(e.subject.slice(0, 64))} v${Number.parseInt(e.subject.slice(64), 16)}`
                  : 'all records'}
              </td>
              <td>
                {isEmergency(e) ? <strong class="badge">Emergency</strong> : null} {purposeWords(e.purposes)}
              </td>
              <td>
                {EMERGENCY_STEPS[e.op] ??
                  (ALLOWED.has(e.detailText ?? '')
                    ? 'allowed'
                    : `refused (${errorSentence({ code: e.detailText })})`)}
              </td>
              <td class="node">{s.nodeNames.get(e.via) ?? short(e.via)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The whole patient page. */
export function PatientPage({ s }: { s: Session }) {
  const live = useLive(s);
  const [local, setLocal] = useState(0);
  const refresh = () => setLocal((n) => n + 1);
  const trail = useLoad(() => s.consent.trail(s.id), [s, live.tick, local]);
  const entries = trail.data ?? [];
  return (
    <div class="page" id="patient-page">
      <p class="muted small" role="status">
        {live.connected
          ? 'Live: new requests and reads appear here as they happen.'
          : 'Connecting to live updates…'}
        {live.last !== null ? ` Last update: ${live.last}.` : ''}
      </p>
      <Section title="My records" id="records">
        <ListState error={trail.error} loading={trail.data === null} empty={null} />
        <RecordsSection s={s} trail={entries} onChange={refresh} />
      </Section>
      <Section title="Access requests" id="inbox">
        <InboxSection s={s} tick={live.tick + local} onChange={refresh} />
      </Section>
      <GrantsSection s={s} trail={entries} onChange={refresh} />
      <Section title="My access log" id="log">
        <ListState error={trail.error} loading={trail.data === null} empty={null} />
        <AccessLog s={s} trail={entries} />
      </Section>
    </div>
  );
}
