/**
 * My records: each record the trail shows anchored for me, its versions (author, category, time,
 * readers, attestations), open one (fetched through the node, decrypted in this browser), confirm
 * a version, erase a record after typing its confirmation.
 */
import { useState } from 'preact/hooks';
import type { TrailEntry } from '../../client/consent-views.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { ActorName } from './actors.js';
import { loadFhirDefinitions, type Session } from './chain.js';
import { RecordView } from './fhir-view.js';
import { dayTime, errorSentence, short } from './text.js';
import { TxStatus, useLoad, useTx } from './ui.js';

/** Record ids (hex) anchored for the patient, newest first. */
export function recordIdsOf(trail: readonly TrailEntry[]): string[] {
  const ids: string[] = [];
  for (const e of trail) {
    const id = e.subject.slice(0, 64);
    if (e.op === 'anchor' && !ids.includes(id)) ids.unshift(id);
  }
  return ids;
}

type Opened = { version: number; resource: unknown; ms: number; source: string } | { error: string } | null;

function RecordCard({ s, recordId, onChange }: { s: Session; recordId: string; onChange: () => void }) {
  const [tick, setTick] = useState(0);
  const history = useLoad(async () => {
    const h = await s.records.history(fromHex(recordId));
    return Promise.all(
      h.map(async (v) => ({ ...v, attestations: await s.consent.attestations(recordId, v.version) })),
    );
  }, [s, recordId, tick]);
  const [opened, setOpened] = useState<Opened>(null);
  const [opening, setOpening] = useState(false);
  const [erase, setErase] = useState('');
  const tx = useTx(() => {
    setTick((n) => n + 1);
    onChange();
  });

  const open = async (version: number) => {
    setOpening(true);
    setOpened(null);
    try {
      await loadFhirDefinitions();
      const t0 = performance.now();
      const got = await s.records.get(fromHex(recordId), { version, purpose: 'TREAT' });
      setOpened({
        version,
        resource: got.resource,
        ms: Math.round(performance.now() - t0),
        source: got.source,
      });
    } catch (e) {
      setOpened({ error: errorSentence(e) });
    } finally {
      setOpening(false);
    }
  };
  const versions = history.data ?? [];
  const erased = versions.some((v) => v.erasedAt > 0);
  return (
    <article class="record" data-record={recordId}>
      <h3>
        Record <span class="mono">{short(recordId)}</span> {erased ? <span class="badge">erased</span> : null}
      </h3>
      {history.error !== null ? <p class="error">{history.error}</p> : null}
      <ul class="versions">
        {versions.map((v) => (
          <li key={v.version}>
            <strong>Version {v.version}</strong> · {v.category} · by <ActorName s={s} id={toHex(v.author)} />{' '}
            · {dayTime(v.anchoredAt)} · readers {v.readers.length}
            {v.attestations.length > 0 ? (
              <span class="attest">
                {' '}
                · {v.attestations.map((a) => `${a.kind} by ${short(a.by)}`).join(', ')}
              </span>
            ) : null}{' '}
            <button type="button" disabled={opening || erased} onClick={() => open(v.version)}>
              Open
            </button>{' '}
            {!erased && !v.attestations.some((a) => a.kind === 'patient-confirmed') ? (
              <button
                type="button"
                class="secondary"
                disabled={tx.busy}
                onClick={() =>
                  tx.run(`Confirm version ${v.version}`, () =>
                    s.consent.attest(recordId, v.version, 'patient-confirmed'),
                  )
                }
              >
                Confirm
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {opening ? (
        <p class="muted" role="status">
          Fetching and decrypting…
        </p>
      ) : null}
      {opened !== null && 'error' in opened ? (
        <p class="error" role="alert">
          {opened.error}
        </p>
      ) : null}
      {opened !== null && 'resource' in opened ? (
        <div>
          <p class="muted small" data-open-ms={opened.ms}>
            Version {opened.version}, decrypted in this browser in {opened.ms} ms (blob from {opened.source}).{' '}
            <button type="button" class="link" onClick={() => setOpened(null)}>
              Close
            </button>
          </p>
          <RecordView resource={opened.resource} />
        </div>
      ) : null}
      {!erased ? (
        <form
          class="row danger"
          onSubmit={(e) => {
            e.preventDefault();
            void tx.run('Erase record', () => s.records.erase(fromHex(recordId)));
            setErase('');
          }}
        >
          <label for={`erase-${recordId}`}>Type ERASE to erase this record for good</label>
          <input id={`erase-${recordId}`} value={erase} onInput={(e) => setErase(e.currentTarget.value)} />
          <button type="submit" class="danger" disabled={erase !== 'ERASE' || tx.busy}>
            Erase
          </button>
        </form>
      ) : null}
      <TxStatus state={tx.state} />
    </article>
  );
}

/** The list of my records. */
export function RecordsSection({
  s,
  trail,
  onChange,
}: {
  s: Session;
  trail: readonly TrailEntry[];
  onChange: () => void;
}) {
  const ids = recordIdsOf(trail);
  if (ids.length === 0) return <p class="muted">No record has been written about you yet.</p>;
  return (
    <div>
      {ids.map((id) => (
        <RecordCard key={id} s={s} recordId={id} onChange={onChange} />
      ))}
    </div>
  );
}
