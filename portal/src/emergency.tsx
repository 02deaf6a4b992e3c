/**
 * A doctor's break-the-glass actions: request emergency access to a patient's records (read, for
 * emergency treatment, in force once a colleague co-signs), and co-sign a colleague's request.
 */
import { useState } from 'preact/hooks';
import type { Session } from './chain.js';
import { Section, TxStatus, useTx } from './ui.js';

const HOUR = 3_600_000;

function RequestEmergency({ s }: { s: Session }) {
  const tx = useTx();
  const [patient, setPatient] = useState('');
  const [reason, setReason] = useState('unconscious');
  const [hours, setHours] = useState('4');
  const [id, setId] = useState<number | null>(null);
  const h = Number(hours);
  const valid = patient.trim() !== '' && Number.isInteger(h) && h >= 1 && h <= 24;
  return (
    <form
      class="stack"
      id="emergency-request"
      onSubmit={(e) => {
        e.preventDefault();
        setId(null);
        void tx.run('Emergency request', async () =>
          setId(await s.consent.emergencyRequest(patient.trim(), reason.trim(), h * HOUR)),
        );
      }}
    >
      <label for="em-patient">Patient's actor id</label>
      <input id="em-patient" value={patient} onInput={(e) => setPatient(e.currentTarget.value)} />
      <label for="em-reason">Why (a short code, e.g. unconscious)</label>
      <input id="em-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <label for="em-hours">For how many hours after the co-signature (1 to 24)</label>
      <input
        id="em-hours"
        type="number"
        min={1}
        max={24}
        value={hours}
        onInput={(e) => setHours(e.currentTarget.value)}
      />
      <p class="muted small">
        A colleague of your organisation must co-sign within one hour. The patient sees the request, the
        co-signature and every read in their access log.
      </p>
      <button type="submit" class="danger" disabled={tx.busy || !valid}>
        Request emergency access
      </button>
      {id !== null ? (
        <p class="notice" data-emergency-id={id}>
          Emergency request {id}: give this number to the colleague who co-signs.
        </p>
      ) : null}
      <TxStatus state={tx.state} />
    </form>
  );
}

function Cosign({ s }: { s: Session }) {
  const tx = useTx();
  const [id, setId] = useState('');
  const n = Number(id);
  return (
    <form
      class="stack"
      id="emergency-cosign"
      onSubmit={(e) => {
        e.preventDefault();
        void tx.run(`Co-sign emergency request ${n}`, () => s.consent.emergencyCosign(n));
      }}
    >
      <label for="cosign-id">Emergency request number</label>
      <input id="cosign-id" inputMode="numeric" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      <button type="submit" disabled={tx.busy || !Number.isInteger(n) || n < 1}>
        Co-sign
      </button>
      <TxStatus state={tx.state} />
    </form>
  );
}

/** Emergency access: request, and co-sign a colleague's request. */
export function EmergencySection({ s }: { s: Session }) {
  return (
    <div class="two">
      <Section title="Emergency access" id="emergency">
        <RequestEmergency s={s} />
      </Section>
      <Section title="Co-sign a colleague's emergency request" id="cosign">
        <Cosign s={s} />
      </Section>
    </div>
  );
}
