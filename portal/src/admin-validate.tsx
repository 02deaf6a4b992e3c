/**
 * The admin's validation of a record version (attestation `admin-validated`, allowed to an admin of
 * the author's organisation): look the version up by record id (and number, default the head),
 * read its facts and what validating means, sign. The admin sees no content: only chain facts.
 */
import { useState } from 'preact/hooks';
import { fromHex } from '../../protocol/chain/encoding.js';
import type { Session } from './chain.js';
import { errorSentence } from './text.js';
import { Section } from './ui.js';
import { VersionAttest } from './version-attest.js';

const isRecordId = (t: string): boolean => /^[0-9a-fA-F]{64}$/.test(t);

/** Validate a record version. */
export function ValidateVersion({ s }: { s: Session }) {
  const [id, setId] = useState('');
  const [version, setVersion] = useState('');
  const [target, setTarget] = useState<{ recordId: string; version: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rid = id.trim().toLowerCase();
  const v = version.trim() === '' ? 0 : Number(version);
  return (
    <Section title="Validate a record version" id="validate">
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setTarget(null);
          setError(null);
          try {
            // No number: the record's head version.
            const n = v > 0 ? v : await s.records.head(fromHex(rid));
            if (n < 1) setError('There is no such record.');
            else setTarget({ recordId: rid, version: n });
          } catch (err) {
            setError(errorSentence(err));
          }
        }}
      >
        <label for="val-record">Record id</label>
        <input id="val-record" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        <label for="val-version">Version (empty: the latest)</label>
        <input
          id="val-version"
          inputMode="numeric"
          value={version}
          onInput={(e) => setVersion(e.currentTarget.value)}
        />
        <button type="submit" class="secondary" disabled={!isRecordId(rid) || !Number.isInteger(v) || v < 0}>
          Look up
        </button>
        {error !== null ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {target !== null ? (
        <VersionAttest
          key={`${target.recordId}-${target.version}`}
          s={s}
          recordId={target.recordId}
          version={target.version}
          kind="admin-validated"
        />
      ) : null}
    </Section>
  );
}
