/**
 * A doctor's open emergencies: the emergency requests of their organisation (filed by the node's
 * index under `org:<code>`, read from the care stream), those the doctor opened and those a
 * colleague opened that the doctor may co-sign, each open, co-signed or expired, with the co-sign
 * action in the row.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ActorEvent } from '../../protocol/notify.js';
import { ActorName } from './actors.js';
import type { CareStream } from './care-stream.js';
import type { Session } from './chain.js';
import { dayTime } from './text.js';
import { ListState, Section, TxStatus, useTx } from './ui.js';

/** The contract's co-signature window (docs/consent.md: within one hour of the request). */
export const COSIGN_WINDOW_MS = 3_600_000;

/** One emergency request as the stream told it. */
export interface EmergencyRow {
  readonly id: number;
  readonly patient: string;
  readonly requester: string;
  readonly reason: string;
  readonly requestedAt: number;
  readonly cosigner: string | null;
  readonly cosignedAt: number | null;
}

export type EmergencyState = 'open' | 'co-signed' | 'expired';

/** Folds the stream's emergency events into one row per request, newest first. Pure. */
export function emergencyRows(events: readonly ActorEvent[]): EmergencyRow[] {
  const rows = new Map<number, EmergencyRow>();
  for (const e of events) {
    if (e.as !== 'organisation' || e.emergencyId === undefined) continue;
    const id = e.emergencyId;
    if (e.type === 'emergency.requested')
      rows.set(id, {
        id,
        patient: e.patient,
        requester: e.by,
        reason: e.reason ?? '',
        requestedAt: e.at,
        cosigner: rows.get(id)?.cosigner ?? null,
        cosignedAt: rows.get(id)?.cosignedAt ?? null,
      });
    else if (e.type === 'emergency.cosigned') {
      const r = rows.get(id);
      if (r !== undefined) rows.set(id, { ...r, cosigner: e.by, cosignedAt: e.at });
    }
  }
  return [...rows.values()].sort((a, b) => b.id - a.id);
}

/** Where a request stands at `now`: co-signed, open (within the hour) or expired. Pure. */
export function emergencyState(r: EmergencyRow, now: number): EmergencyState {
  if (r.cosignedAt !== null) return 'co-signed';
  return now < r.requestedAt + COSIGN_WINDOW_MS ? 'open' : 'expired';
}

function Row({ s, r, now }: { s: Session; r: EmergencyRow; now: number }) {
  const tx = useTx();
  const st = emergencyState(r, now);
  const mine = r.requester === s.id;
  return (
    <li data-emergency={r.id} data-state={st} data-mine={mine}>
      <span class={`badge state-${st === 'co-signed' ? 'active' : st === 'open' ? 'upcoming' : 'expired'}`}>
        {st}
      </span>{' '}
      Emergency request {r.id}: {mine ? 'you' : <ActorName s={s} id={r.requester} />} asked to read the
      records of <ActorName s={s} id={r.patient} /> for emergency treatment ({r.reason}) on{' '}
      {dayTime(r.requestedAt)}.{' '}
      {st === 'co-signed' && r.cosigner !== null ? (
        <>
          Co-signed by {r.cosigner === s.id ? 'you' : <ActorName s={s} id={r.cosigner} />}
          {r.cosignedAt !== null ? ` on ${dayTime(r.cosignedAt)}` : ''}.
        </>
      ) : st === 'open' ? (
        mine ? (
          `Waiting for a colleague to co-sign, until ${dayTime(r.requestedAt + COSIGN_WINDOW_MS)}.`
        ) : (
          <>
            You may co-sign until {dayTime(r.requestedAt + COSIGN_WINDOW_MS)}: access is then in force for the
            duration the requester asked.{' '}
            <button
              type="button"
              class="danger"
              disabled={tx.busy || tx.state.phase === 'committed'}
              onClick={() =>
                tx.run(`Co-sign emergency request ${r.id}`, () => s.consent.emergencyCosign(r.id))
              }
            >
              Co-sign request {r.id}
            </button>
          </>
        )
      ) : (
        'Nobody co-signed it within the hour: it can no longer be co-signed.'
      )}
      <TxStatus state={tx.state} />
    </li>
  );
}

/** The list, re-judged every 30 s so an unsigned request turns expired without a reload. */
export function EmergencyList({ s, stream }: { s: Session; stream: CareStream }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const rows = emergencyRows(stream.events);
  return (
    <Section title="Open emergencies" id="emergencies">
      <p class="muted small">
        Emergency requests of your organisation{stream.org === null ? '' : ` (${stream.org})`}: yours, and
        your colleagues' that you may co-sign{stream.connected ? ', updated live.' : '.'}
      </p>
      <ListState
        error={null}
        loading={false}
        empty={rows.length === 0 ? 'No emergency request yet.' : null}
      />
      <ul class="grants">
        {rows.map((r) => (
          <Row key={r.id} s={s} r={r} now={Math.max(now, Date.now())} />
        ))}
      </ul>
    </Section>
  );
}
