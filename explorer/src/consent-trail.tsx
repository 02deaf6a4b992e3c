/** A patient's consent picture derived from the audit trail: grants, record versions, the trail. */
import { useEffect, useState } from 'preact/hooks';
import {
  ALLOWED_REASONS,
  type AuditEntry,
  actionNames,
  type GrantInfo,
  granteeOf,
  grantInfo,
  purposeNames,
  roleName,
  versionCid,
} from './consent-data.js';
import { ago, dateTime, decodeInt, printable, short, toHex } from './format.js';
import { Badge, Hash } from './ui.js';

const int = (b: Uint8Array) => decodeInt(b) ?? Number.NaN;
const txt = (b: Uint8Array) => printable(b) ?? toHex(b);
/** `record ++ bytes(version)` of anchor and read entries. */
const recordRef = (b: Uint8Array) => ({ record: toHex(b.subarray(0, 32)), version: int(b.subarray(32)) });

export interface GrantRow {
  readonly id: number;
  readonly grantee: string;
  readonly by: string;
  readonly grantedAt: number;
  readonly revokedAt: number | null;
}

export interface VersionRow {
  readonly record: string;
  readonly version: number;
  readonly category: string;
  readonly author: string;
  readonly at: number;
}

export function derive(entries: readonly AuditEntry[]) {
  const grants = new Map<number, GrantRow>();
  const versions: VersionRow[] = [];
  for (const e of entries) {
    if (e.op === 'grant') {
      const id = int(e.subject);
      grants.set(id, { id, grantee: granteeOf(e.detail), by: e.by, grantedAt: e.at, revokedAt: null });
    } else if (e.op === 'revoke') {
      const g = grants.get(int(e.subject));
      if (g !== undefined) grants.set(g.id, { ...g, revokedAt: e.at });
    } else if (e.op === 'anchor') {
      versions.push({ ...recordRef(e.subject), category: txt(e.detail), author: e.by, at: e.at });
    }
  }
  return { grants: [...grants.values()], versions };
}

type GrantState = 'active' | 'expired' | 'not yet valid' | 'revoked' | 'not revoked (end unknown)';

function grantState(g: GrantRow, info: GrantInfo | null | undefined, now: number): GrantState {
  if (g.revokedAt !== null || (info?.revokedAt ?? null) !== null) return 'revoked';
  if (info === null || info === undefined) return 'not revoked (end unknown)';
  if (now < info.start) return 'not yet valid';
  return now >= info.end ? 'expired' : 'active';
}

const STATE_KIND = { active: 'ok', expired: 'warn', 'not yet valid': 'info', revoked: 'bad' } as const;

export function Grants({ grants }: { grants: readonly GrantRow[] }) {
  const [infos, setInfos] = useState<Map<number, GrantInfo | null>>(new Map());
  useEffect(() => {
    const ctl = new AbortController();
    Promise.all(grants.map(async (g) => [g.id, await grantInfo(g.id, ctl.signal)] as const)).then(
      (rows) => setInfos(new Map(rows)),
      () => undefined,
    );
    return () => ctl.abort();
  }, [grants]);
  if (grants.length === 0) return <p class="state empty">No grants on this patient's trail.</p>;
  const now = Date.now();
  const order: GrantState[] = ['active', 'not yet valid', 'not revoked (end unknown)', 'expired', 'revoked'];
  const rows = [...grants].sort(
    (a, b) =>
      order.indexOf(grantState(a, infos.get(a.id), now)) - order.indexOf(grantState(b, infos.get(b.id), now)),
  );
  return (
    <table class="stack" aria-label="Grants">
      <thead>
        <tr>
          <th scope="col">Grant</th>
          <th scope="col">State</th>
          <th scope="col">Grantee</th>
          <th scope="col">Terms</th>
          <th scope="col">Granted</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => {
          const info = infos.get(g.id);
          const st = grantState(g, info, now);
          return (
            <tr key={g.id}>
              <td data-label="Grant">#{g.id}</td>
              <td data-label="State">
                <Badge kind={st in STATE_KIND ? STATE_KIND[st as keyof typeof STATE_KIND] : 'info'}>
                  {st}
                </Badge>
                {g.revokedAt !== null && <div class="small">revoked {dateTime(g.revokedAt)}</div>}
              </td>
              <td data-label="Grantee">
                <code title={g.grantee}>{short(g.grantee, 20, 6)}</code>
              </td>
              <td data-label="Terms">
                {info ? (
                  <span class="small">
                    {actionNames(info.actions).join('+')} · {purposeNames(info.purposes).join(', ')} · scope{' '}
                    {info.scope} · {dateTime(info.start)} → {dateTime(info.end)}
                  </span>
                ) : (
                  <span class="muted small">needs the grantInfo query</span>
                )}
              </td>
              <td data-label="Granted" title={dateTime(g.grantedAt)}>
                {ago(g.grantedAt)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Cid({ v }: { v: VersionRow }) {
  const [cid, setCid] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const ctl = new AbortController();
    versionCid(v.record, v.version, ctl.signal).then(setCid, () => setCid(null));
    return () => ctl.abort();
  }, [v.record, v.version]);
  if (cid === undefined) return <span class="muted">…</span>;
  return cid === null ? <span class="muted small">needs the versionInfo query</span> : <Hash value={cid} />;
}

export function Versions({ versions }: { versions: readonly VersionRow[] }) {
  if (versions.length === 0) return <p class="state empty">No records anchored for this patient.</p>;
  return (
    <table class="stack" aria-label="Record versions">
      <thead>
        <tr>
          <th scope="col">Record</th>
          <th scope="col">Version</th>
          <th scope="col">Category</th>
          <th scope="col">Content id (ciphertext)</th>
          <th scope="col">Author</th>
          <th scope="col">Anchored</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={`${v.record}/${v.version}`}>
            <td data-label="Record">
              <code title={v.record}>{short(v.record)}</code>
            </td>
            <td data-label="Version">v{v.version}</td>
            <td data-label="Category">{v.category}</td>
            <td data-label="Content id">
              <Cid v={v} />
            </td>
            <td data-label="Author">
              <Hash value={v.author} href={`#/consent/actor/${v.author}`} abbrev />
            </td>
            <td data-label="Anchored" title={dateTime(v.at)}>
              {dateTime(v.at)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function subjectOf(e: AuditEntry): string {
  if (e.op === 'grant' || e.op === 'revoke') return `grant #${int(e.subject)}`;
  if (e.op === 'requestEmergency' || e.op === 'cosignEmergency') return `emergency #${int(e.subject)}`;
  if (e.op === 'anchor' || e.op === 'read') {
    const r = recordRef(e.subject);
    return `record ${short(r.record)} v${r.version}`;
  }
  return e.subject.length === 32 ? `actor ${short(toHex(e.subject))}` : txt(e.subject);
}

function detailOf(e: AuditEntry): string {
  if (e.op === 'grant') return `to ${short(granteeOf(e.detail), 24, 6)}`;
  if (e.op === 'registerActor') return roleName(decodeInt(e.detail));
  if (e.op === 'updateLicence') return `licence until ${dateTime(int(e.detail))}`;
  if (e.op === 'cosignEmergency') return `requested by ${short(toHex(e.detail))}`;
  return e.detail.length === 0 ? '' : txt(e.detail);
}

/** Row highlight: emergency access (break the glass), reads served, and refused reads. */
export function entryKind(e: AuditEntry): 'emergency' | 'violation' | 'read' | '' {
  const reason = txt(e.detail);
  if (e.op === 'requestEmergency' || e.op === 'cosignEmergency') return 'emergency';
  if (e.op !== 'read') return '';
  if (reason === 'emergency') return 'emergency';
  return ALLOWED_REASONS.has(reason) ? 'read' : 'violation';
}

const KIND_LABEL = { emergency: 'emergency', violation: 'refused read', read: 'read served' } as const;

export function Trail({ entries, length }: { entries: readonly AuditEntry[]; length: number }) {
  if (entries.length === 0) return <p class="state empty">The audit trail is empty.</p>;
  return (
    <>
      {length > entries.length && (
        <p class="muted">
          Showing the newest {entries.length} of {length} entries.
        </p>
      )}
      <table class="stack trail" aria-label="Audit trail, newest first">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Time</th>
            <th scope="col">Operation</th>
            <th scope="col">By</th>
            <th scope="col">Subject</th>
            <th scope="col">Purpose</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {[...entries].reverse().map((e) => {
            const k = entryKind(e);
            return (
              <tr key={e.seq} class={k === '' ? undefined : `hl-${k}`}>
                <td data-label="Seq">{e.seq}</td>
                <td data-label="Time">{dateTime(e.at)}</td>
                <td data-label="Operation">
                  <strong>{e.op}</strong>{' '}
                  {k !== '' && <Badge kind={k === 'read' ? 'info' : 'bad'}>{KIND_LABEL[k]}</Badge>}
                </td>
                <td data-label="By">
                  <Hash value={e.by} href={`#/consent/actor/${e.by}`} abbrev />
                  {e.via !== '' && <div class="small muted">via node {short(e.via)}</div>}
                </td>
                <td data-label="Subject">{subjectOf(e)}</td>
                <td data-label="Purpose">{purposeNames(e.purpose).join(', ') || '—'}</td>
                <td data-label="Detail">{detailOf(e)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
