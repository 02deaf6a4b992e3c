/**
 * Vouching for one record version (docs/consent.md#record-attestations): a doctor co-signs a
 * colleague's version from the record view, an admin validates a version of their organisation's
 * author. Shows the version's facts from the chain (category, author, time, attestations, final or
 * pending), the plain-language sentence of what signing means, and the action's progress.
 */
import { useState } from 'preact/hooks';
import type { ConsentClient, VersionView } from '../../client/consent.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { ActorName } from './actors.js';
import type { Session } from './chain.js';
import { dayTime, short } from './text.js';
import { ListState, TxStatus, useLoad, useTx } from './ui.js';

export type VouchKind = 'co-signed' | 'admin-validated';

const KIND_WORDS: Readonly<Record<string, string>> = {
  'patient-confirmed': 'confirmed by the patient',
  'admin-validated': 'validated by an admin',
  'co-signed': 'co-signed by a doctor',
};

/** "You co-sign version 2 of record ab12cd34… (lab), written by … on …": what signing means. Pure. */
export function vouchSentence(kind: VouchKind, recordId: string, version: number, category: string): string {
  const what = `version ${version} of record ${short(recordId)} (${category})`;
  return kind === 'co-signed'
    ? `You co-sign ${what} as a second doctor: you vouch that its content is right. The patient sees your co-signature.`
    : `You validate ${what} as an admin of its author's organisation: you vouch that it was written by that doctor in their work for you.`;
}

type Attestation = Awaited<ReturnType<ConsentClient['attestations']>>[number];

interface Facts {
  readonly info: VersionView | null;
  readonly attestations: readonly Attestation[];
}

/** A version's facts and the button to co-sign or validate it. */
export function VersionAttest({
  s,
  recordId,
  version,
  kind,
}: {
  s: Session;
  recordId: string;
  version: number;
  kind: VouchKind;
}) {
  const [reload, setReload] = useState(0);
  const tx = useTx(() => setReload((n) => n + 1));
  const facts = useLoad<Facts>(async () => {
    const [info, attestations] = await Promise.all([
      s.consent.versionInfo(recordId, version),
      s.consent.attestations(recordId, version),
    ]);
    return { info, attestations };
  }, [s, recordId, version, reload]);
  const info = facts.data?.info ?? null;
  const label = kind === 'co-signed' ? 'Co-sign' : 'Validate';
  const done = (facts.data?.attestations ?? []).some((a) => a.kind === kind && a.by === s.id);
  const author = info === null ? '' : toHex(info.author);
  const own = author === s.id;
  return (
    <div class="stack vouch" data-vouch={kind} data-record={recordId} data-version={version}>
      <ListState
        error={facts.error}
        loading={facts.data === null && facts.error === null}
        empty={facts.data !== null && info === null ? 'There is no such record version.' : null}
      />
      {info !== null ? (
        <>
          <p>
            Version {version} ({info.category}) written by <ActorName s={s} id={author} /> on{' '}
            {dayTime(info.anchoredAt)}; <span data-status={info.status}>{info.status}</span>
            {info.erasedAt > 0 ? ', erased' : ''}.
          </p>
          <ul class="small" aria-label="attestations">
            {(facts.data?.attestations ?? []).map((a) => (
              <li key={`${a.kind}-${a.by}`} data-attestation={a.kind}>
                {KIND_WORDS[a.kind] ?? a.kind}: <ActorName s={s} id={a.by} />, {dayTime(a.at)}
              </li>
            ))}
          </ul>
          {done ? (
            <p class="notice">You have {kind === 'co-signed' ? 'co-signed' : 'validated'} this version.</p>
          ) : own && kind === 'co-signed' ? (
            <p class="muted">You wrote this version: a colleague co-signs it, not its author.</p>
          ) : (
            <>
              <p class="notice">{vouchSentence(kind, recordId, version, info.category)}</p>
              <button
                type="button"
                disabled={tx.busy || info.erasedAt > 0}
                onClick={() =>
                  tx.run(`${label} version ${version}`, () => s.consent.attest(recordId, version, kind))
                }
              >
                {label} version {version}
              </button>
            </>
          )}
        </>
      ) : null}
      <TxStatus state={tx.state} />
    </div>
  );
}
