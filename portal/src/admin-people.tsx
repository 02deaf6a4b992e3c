/**
 * The admin's care of people already registered: link or unlink a guardian to a patient, and
 * record a renewed licence (a new expiry, a new certificate hash).
 */
import { useState } from 'preact/hooks';
import { forgetActors } from './actors.js';
import type { Session } from './chain.js';
import { day } from './text.js';
import { Section, TxStatus, useTx } from './ui.js';

function Guardians({ s }: { s: Session }) {
  const tx = useTx();
  const [guardian, setGuardian] = useState('');
  const [patient, setPatient] = useState('');
  const g = guardian.trim();
  const p = patient.trim();
  const ready = !tx.busy && g !== '' && p !== '';
  return (
    <form class="stack" id="guardian-form" onSubmit={(e) => e.preventDefault()}>
      <label for="gl-guardian">Guardian's actor id</label>
      <input id="gl-guardian" value={guardian} onInput={(e) => setGuardian(e.currentTarget.value)} />
      <label for="gl-patient">Patient's actor id</label>
      <input id="gl-patient" value={patient} onInput={(e) => setPatient(e.currentTarget.value)} />
      <p class="muted small">A linked guardian may read the patient's records and act for them.</p>
      <div class="row">
        <button
          type="button"
          id="gl-link"
          disabled={!ready}
          onClick={() => tx.run('Link guardian', () => s.consent.linkGuardian(g, p))}
        >
          Link
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!ready}
          onClick={() => tx.run('Unlink guardian', () => s.consent.unlinkGuardian(g, p))}
        >
          Unlink
        </button>
      </div>
      <TxStatus state={tx.state} />
    </form>
  );
}

function Licence({ s }: { s: Session }) {
  const tx = useTx(forgetActors);
  const [actor, setActor] = useState('');
  const [until, setUntil] = useState(new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10));
  const a = actor.trim();
  const end = Date.parse(`${until}T00:00:00Z`);
  return (
    <form
      class="stack"
      id="licence-form"
      onSubmit={(e) => {
        e.preventDefault();
        void tx.run(`Renew licence until ${day(end)}`, () => s.consent.renewLicence(a, end));
      }}
    >
      <label for="lic-actor">Doctor's, insurer's or researcher's actor id</label>
      <input id="lic-actor" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
      <label for="lic-until">Licence valid until</label>
      <input id="lic-until" type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      <p class="muted small">A new certificate hash is recorded with the new expiry.</p>
      <button type="submit" disabled={tx.busy || a === '' || Number.isNaN(end)}>
        Renew licence
      </button>
      <TxStatus state={tx.state} />
    </form>
  );
}

/** Guardian links and licence renewal. */
export function PeopleSections({ s }: { s: Session }) {
  return (
    <>
      <Section title="Link a guardian" id="guardians">
        <Guardians s={s} />
      </Section>
      <Section title="Renew a licence" id="licence">
        <Licence s={s} />
      </Section>
    </>
  );
}
