/**
 * The doctor's, insurer's and researcher's page: request access to a patient's records, open a
 * record by id (fetched through the node and decrypted here), and, for doctors, write a new
 * version from a FHIR R4 form or JSON editor (record-editor.tsx; validated in the browser, the
 * error naming the FHIR path), read for emergency treatment, and request or co-sign emergency access.
 */
import { useState } from 'preact/hooks';
import type { ConsentClient } from '../../client/consent.js';
import { fromHex } from '../../protocol/chain/encoding.js';
import { useCareStream } from './care-stream.js';
import { loadFhirDefinitions, type Session } from './chain.js';
import { EmergencySection } from './emergency.js';
import { EmergencyList } from './emergency-list.js';
import { fhirIssuesOf } from './fhir-form/issues.js';
import { RecordView } from './fhir-view.js';
import { MyPatients } from './my-patients.js';
import { RecordEditor } from './record-editor.js';
import { errorSentence } from './text.js';
import { Section, TxStatus, useTx } from './ui.js';
import { VersionAttest } from './version-attest.js';

type Terms = Parameters<ConsentClient['request']>[1];
type Purpose = Terms['purposes'][number];

const PURPOSE_OF_ROLE: Readonly<Record<string, Purpose>> = {
  doctor: 'TREAT',
  insurer: 'HPAYMT',
  researcher: 'HRESCH',
};

function RequestAccess({ s, role }: { s: Session; role: string }) {
  const tx = useTx();
  const [patient, setPatient] = useState('');
  const [reason, setReason] = useState('');
  const purpose = PURPOSE_OF_ROLE[role] ?? 'TREAT';
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        const terms: Terms = {
          actions: role === 'doctor' ? ['read', 'write'] : ['read'],
          purposes: [purpose],
          scope: { kind: 'all' },
          start: Date.now(),
          end: Date.now() + 90 * 86_400_000,
          exceptions: [],
        };
        void tx.run('Request access', () =>
          s.consent.request(patient.trim(), terms, reason.trim() || 'care'),
        );
      }}
    >
      <label for="rq-patient">Patient's actor id</label>
      <input id="rq-patient" value={patient} onInput={(e) => setPatient(e.currentTarget.value)} />
      <label for="rq-reason">Why (a short code, e.g. follow-up)</label>
      <input id="rq-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="submit" disabled={tx.busy || patient.trim() === ''}>
        Request 90 days of access
      </button>
      <TxStatus state={tx.state} />
    </form>
  );
}

function OpenRecord({ s, role }: { s: Session; role: string }) {
  const [id, setId] = useState('');
  // A doctor reads for treatment, or for emergency treatment under a co-signed emergency request.
  const [purpose, setPurpose] = useState<Purpose>(PURPOSE_OF_ROLE[role] ?? 'TREAT');
  const [res, setRes] = useState<
    { resource: unknown; recordId: string; version: number } | { error: string } | null
  >(null);
  return (
    <form
      class="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setRes(null);
        try {
          await loadFhirDefinitions();
          const recordId = id.trim().toLowerCase();
          const got = await s.records.get(fromHex(recordId), { purpose });
          setRes({ resource: got.resource, recordId, version: got.version });
        } catch (err) {
          setRes({ error: errorSentence(err) });
        }
      }}
    >
      <label for="open-id">Record id</label>
      <input id="open-id" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      {role === 'doctor' ? (
        <>
          <label for="open-purpose">Purpose</label>
          <select
            id="open-purpose"
            value={purpose}
            onChange={(e) => setPurpose(e.currentTarget.value as Purpose)}
          >
            <option value="TREAT">Treatment</option>
            <option value="ETREAT">Emergency treatment (a co-signed emergency request)</option>
          </select>
        </>
      ) : null}
      <button type="submit" disabled={id.trim() === ''}>
        Open
      </button>
      {res !== null && 'error' in res ? (
        <p class="error" role="alert">
          {res.error}
        </p>
      ) : null}
      {res !== null && 'resource' in res ? <RecordView resource={res.resource} /> : null}
      {res !== null && 'resource' in res && role === 'doctor' ? (
        <VersionAttest s={s} recordId={res.recordId} version={res.version} kind="co-signed" />
      ) : null}
    </form>
  );
}

const EXAMPLE = JSON.stringify(
  {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Body temperature' },
    valueQuantity: { value: 37.2, unit: 'Cel' },
  },
  null,
  2,
);

function WriteRecord({ s }: { s: Session }) {
  const tx = useTx();
  const [patientKey, setPatientKey] = useState('');
  const [recordId, setRecordId] = useState('');
  const [category, setCategory] = useState('lab');
  const [json, setJson] = useState(EXAMPLE);
  const [written, setWritten] = useState<string | null>(null);
  const [issues, setIssues] = useState<ReturnType<typeof fhirIssuesOf>>([]);
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void tx.run('Write record', async () => {
          setIssues([]);
          await loadFhirDefinitions();
          const r = await s.records
            .put({
              patientKey: fromHex(patientKey.trim()),
              resource: JSON.parse(json) as unknown,
              category: category.trim(),
              ...(recordId.trim() === '' ? {} : { recordId: fromHex(recordId.trim()) }),
            })
            // Validation issues go beside the form fields they name (record-editor.tsx).
            .catch((err: unknown) => {
              setIssues(fhirIssuesOf(err));
              throw err;
            });
          setWritten(r.recordId);
        });
      }}
    >
      <label for="w-patient">Patient's public key</label>
      <input id="w-patient" value={patientKey} onInput={(e) => setPatientKey(e.currentTarget.value)} />
      <label for="w-record">Record id (empty: a new record)</label>
      <input id="w-record" value={recordId} onInput={(e) => setRecordId(e.currentTarget.value)} />
      <label for="w-category">Category</label>
      <input id="w-category" value={category} onInput={(e) => setCategory(e.currentTarget.value)} />
      <RecordEditor json={json} onJson={setJson} issues={issues} />
      <button type="submit" disabled={tx.busy}>
        Encrypt, upload and anchor
      </button>
      {written !== null ? (
        <p class="muted" data-written={written}>
          Record id {written}
        </p>
      ) : null}
      <TxStatus state={tx.state} />
    </form>
  );
}

/** The page of a doctor, insurer or researcher. */
export function ClinicianPage({ s, role }: { s: Session; role: string }) {
  // One connection for "my patients" and "open emergencies": own id, organisation and role keys.
  const stream = useCareStream(s);
  return (
    <div class="page" id="clinician-page">
      <MyPatients s={s} stream={stream} role={role} />
      {role === 'doctor' ? <EmergencyList s={s} stream={stream} /> : null}
      <div class="two">
        <Section title="Request access" id="request">
          <RequestAccess s={s} role={role} />
        </Section>
        <Section title="Open a record" id="open">
          <OpenRecord s={s} role={role} />
        </Section>
      </div>
      {role === 'doctor' ? (
        <>
          <Section title="Write a record" id="write">
            <WriteRecord s={s} />
          </Section>
          <EmergencySection s={s} />
        </>
      ) : null}
    </div>
  );
}
