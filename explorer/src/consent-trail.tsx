/**
 * A patient's consent picture: the grant ids and record versions named on the audit trail, shown
 * with what the contract holds for each (`grantInfo`, `versionInfo`, `readersOf`), and the trail.
 */
import {
  ALLOWED_REASONS,
  type AuditEntry,
  actionNames,
  type Grantee,
  type GrantInfo,
  granteeOf,
  purposeNames,
  roleName,
  type VersionInfo,
} from './consent-data.js';
import { ago, dateTime, decodeInt, printable, short, toHex } from './format.js';
import { Badge, Hash } from './ui.js';

const int = (b: Uint8Array) => decodeInt(b) ?? Number.NaN;
const txt = (b: Uint8Array) => printable(b) ?? toHex(b);
/** `record ++ bytes(version)` of anchor, shareKey and read entries. */
const recordRef = (b: Uint8Array) => ({ record: toHex(b.subarray(0, 32)), version: int(b.subarray(32)) });

/** What the trail names: grant ids, and record versions in anchoring order. */
export function derive(entries: readonly AuditEntry[]) {
  const grants = new Set<number>();
  const versions: { record: string; version: number }[] = [];
  for (const e of entries) {
    if (e.op === 'grant') grants.add(int(e.subject));
    else if (e.op === 'anchor') versions.push(recordRef(e.subject));
  }
  return { grants: [...grants], versions };
}

export type GrantState = 'active' | 'expired' | 'not yet valid' | 'revoked';

export function grantState(g: GrantInfo, now: number): GrantState {
  if (g.revokedAt !== null && g.revokedAt <= now) return 'revoked';
  if (now < g.start) return 'not yet valid';
  return now >= g.end ? 'expired' : 'active';
}

const STATE_KIND = { active: 'ok', expired: 'warn', 'not yet valid': 'info', revoked: 'bad' } as const;
const ORDER: readonly GrantState[] = ['active', 'not yet valid', 'expired', 'revoked'];

function GranteeCell({ g }: { g: Grantee }) {
  if (g.kind === 'actor')
    return (
      <>
        <span class="muted small">actor </span>
        <Hash value={g.id} href={`#/consent/actor/${g.id}`} abbrev />
      </>
    );
  if (g.kind === 'org')
    return (
      <>
        <span class="muted small">organisation </span>
        <code>{g.org}</code>
      </>
    );
  return (
    <>
      <span class="muted small">any </span>
      {g.role}
    </>
  );
}

function Terms({ g }: { g: GrantInfo }) {
  const except = [...g.exceptCategories, ...g.exceptRecords.map((r) => `record ${short(r)}`)];
  return (
    <span class="small terms">
      <span data-field="actions">{actionNames(g.actions).join(' + ')}</span> ·{' '}
      <span data-field="purposes">{purposeNames(g.purposes).join(', ')}</span> ·{' '}
      <span data-field="scope">{g.scope}</span>
      {except.length > 0 && <> · except {except.join(', ')}</>}
      <br />
      <span class="muted">
        {dateTime(g.start)} → {dateTime(g.end)}
      </span>
    </span>
  );
}

/**
 * The grants on the patient's trail with their stored terms. `infos` null: the contract has no
 * grantInfo query (an older contract), so only ids are known.
 */
export function Grants({
  ids,
  infos,
}: {
  ids: readonly number[];
  infos: ReadonlyMap<number, GrantInfo> | null;
}) {
  if (ids.length === 0) return <p class="state empty">No grants on this patient's trail.</p>;
  if (infos === null)
    return (
      <p class="state empty">
        Grants {ids.map((i) => `#${i}`).join(', ')}: this contract has no <code>grantInfo</code> query, so
        their terms cannot be shown.
      </p>
    );
  const now = Date.now();
  const rows = ids
    .map((id) => infos.get(id))
    .filter((g): g is GrantInfo => g !== undefined)
    .sort((a, b) => ORDER.indexOf(grantState(a, now)) - ORDER.indexOf(grantState(b, now)) || a.id - b.id);
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
          const st = grantState(g, now);
          return (
            <tr key={g.id} data-grant={g.id} data-state={st}>
              <td data-label="Grant">#{g.id}</td>
              <td data-label="State">
                <Badge kind={STATE_KIND[st]}>{st}</Badge>
                {g.revokedAt !== null && (
                  <div class="small" data-field="revoked">
                    revoked {dateTime(g.revokedAt)}
                  </div>
                )}
              </td>
              <td data-label="Grantee">
                <GranteeCell g={g.grantee} />
              </td>
              <td data-label="Terms">
                <Terms g={g} />
              </td>
              <td data-label="Granted">
                <span title={ago(g.grantedAt)}>{dateTime(g.grantedAt)}</span>
                {g.grantor !== g.patient && (
                  <div class="small">
                    by <Hash value={g.grantor} href={`#/consent/actor/${g.grantor}`} abbrev />
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The record versions anchored for the patient, as `versionInfo` and `readersOf` give them. */
export function Versions({ versions }: { versions: readonly VersionInfo[] }) {
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
          <th scope="col">Key wrapped for</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={`${v.record}/${v.version}`} data-record={v.record} data-version={v.version}>
            <td data-label="Record">
              <code class="hash abbrev" title={v.record}>
                {short(v.record)}
              </code>
            </td>
            <td data-label="Version">v{v.version}</td>
            <td data-label="Category">{v.category}</td>
            <td data-label="Content id">
              <code class="hash cid" data-field="cid">
                {v.cid}
              </code>
            </td>
            <td data-label="Author">
              <Hash value={v.author} href={`#/consent/actor/${v.author}`} abbrev />
            </td>
            <td data-label="Anchored" data-field="anchored">
              {dateTime(v.anchoredAt)}
            </td>
            <td data-label="Key wrapped for" data-field="readers">
              {v.erasedAt !== null ? (
                <>
                  <Badge kind="bad">erased</Badge>
                  <div class="small">{dateTime(v.erasedAt)}: keys and blobs deleted</div>
                </>
              ) : (
                `${v.readers.length} reader${v.readers.length === 1 ? '' : 's'}`
              )}
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
  if (
    e.op === 'anchor' ||
    e.op === 'read' ||
    e.op === 'shareKey' ||
    (e.op === 'consult' && e.subject.length === 40)
  ) {
    const r = recordRef(e.subject);
    return `record ${short(r.record)} v${r.version}`;
  }
  if (e.op === 'erase') return `record ${short(toHex(e.subject))}`;
  if (e.op === 'disclose') return `export ${short(toHex(e.subject))}`;
  return e.subject.length === 32 ? `actor ${short(toHex(e.subject))}` : txt(e.subject);
}

function detailOf(e: AuditEntry): string {
  if (e.op === 'grant') return `to ${short(granteeOf(e.detail), 24, 6)}`;
  if (e.op === 'registerActor') return roleName(decodeInt(e.detail));
  if (e.op === 'updateLicence') return `licence until ${dateTime(int(e.detail))}`;
  if (e.op === 'cosignEmergency') return `requested by ${short(toHex(e.detail))}`;
  if (e.op === 'shareKey') return `key for ${short(toHex(e.detail))}`;
  if (e.op === 'disclose') return `released to researcher ${short(toHex(e.detail))}`;
  if (e.op === 'erase') return `${int(e.detail)} version(s) shredded`;
  return e.detail.length === 0 ? '' : txt(e.detail);
}

/** Row highlight: emergency access (break the glass), reads served, refused reads, consults answered. */
export function entryKind(e: AuditEntry): 'emergency' | 'violation' | 'read' | 'consult' | '' {
  const reason = txt(e.detail);
  if (e.op === 'requestEmergency' || e.op === 'cosignEmergency') return 'emergency';
  if (e.op === 'consult') return 'consult';
  if (e.op !== 'read') return '';
  if (reason === 'emergency') return 'emergency';
  return ALLOWED_REASONS.has(reason) ? 'read' : 'violation';
}

const KIND_LABEL = {
  emergency: 'emergency',
  violation: 'refused read',
  read: 'read served',
  consult: 'consult answered',
} as const;

/**
 * Trail of a patient. `nodes` names the serving nodes that recorded reads: actor id (sha256 of the
 * validator key) -> validator name.
 */
export function Trail({
  entries,
  length,
  nodes,
}: {
  entries: readonly AuditEntry[];
  length: number;
  nodes: ReadonlyMap<string, string>;
}) {
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
                  {k !== '' && (
                    <Badge kind={k === 'read' || k === 'consult' ? 'info' : 'bad'}>{KIND_LABEL[k]}</Badge>
                  )}
                </td>
                <td data-label="By">
                  <Hash value={e.by} href={`#/consent/actor/${e.by}`} abbrev />
                  {e.via !== '' && (
                    <div class="small muted" title={e.via}>
                      recorded by {nodes.get(e.via) ?? `node ${short(e.via)}`}
                    </div>
                  )}
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
