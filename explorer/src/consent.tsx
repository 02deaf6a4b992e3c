/** Consent views: look up an actor (role, organisation) or a patient (grants, records, audit trail). */
import { sha256 } from '@noble/hashes/sha2.js';
import { useState } from 'preact/hooks';
import { api } from './api.js';
import {
  type Actor,
  actorInfo,
  auditTrail,
  ConsentMissing,
  consentQuery,
  type GrantInfo,
  grantInfo,
  NoSuchMethod,
  type VersionInfo,
  versionInfo,
} from './consent-data.js';
import { derive, Grants, Trail, Versions } from './consent-trail.js';
import { dateTime, fromHex, HASH_RE, toHex } from './format.js';
import { go, useAsync } from './hooks.js';
import { Badge, ErrorState, Fields, Hash, Loading, NotFound, Page } from './ui.js';

const TRAIL_MAX = 500;

function NotDeployed() {
  return (
    <section class="state notdeployed" role="alert" aria-labelledby="nd-title">
      <h2 id="nd-title">Consent contract not deployed on this chain</h2>
      <p>
        The node answered <code>404 unknown_contract</code> for <code>consent</code> queries: this chain runs
        without the consent contract, so there are no actors, grants, records or audit trails to show.
      </p>
    </section>
  );
}

/** Shows a consent query's failure: not deployed, or an error. */
function Failure({ error, what }: { error: unknown; what: string }) {
  return error instanceof ConsentMissing ? <NotDeployed /> : <ErrorState error={error} what={what} />;
}

function IdForm({ kind, label }: { kind: 'actor' | 'patient'; label: string }) {
  const [v, setV] = useState('');
  const [bad, setBad] = useState(false);
  const id = `consent-${kind}`;
  return (
    <form
      class="idform"
      onSubmit={(e) => {
        e.preventDefault();
        const x = v.trim().toLowerCase().replace(/^0x/, '');
        if (!HASH_RE.test(x)) return setBad(true);
        go(`/consent/${kind}/${x}`);
      }}
    >
      <label for={id}>{label}</label>
      <div class="inline">
        <input
          id={id}
          value={v}
          onInput={(e) => {
            setV(e.currentTarget.value);
            setBad(false);
          }}
          placeholder="64 hex characters"
          spellcheck={false}
          autocomplete="off"
          aria-invalid={bad}
          aria-describedby={bad ? `${id}-err` : undefined}
        />
        <button type="submit">Look up</button>
      </div>
      {bad && (
        <p id={`${id}-err`} class="field-error">
          An id is the sha256 of the actor's public key: 64 hex characters.
        </p>
      )}
    </form>
  );
}

/** A query every consent contract answers (the trail length of a nobody): is it deployed? */
const probe = (s: AbortSignal) => consentQuery('trailLength', [new Uint8Array(32)], s);

export function ConsentHome() {
  const res = useAsync(probe, []);
  return (
    <Page
      title="Consent"
      sub="Who may read a patient's records, and every access, from the consent contract's state."
    >
      {res.state === 'loading' && <Loading what="the consent contract" />}
      {res.state === 'error' && <Failure error={res.error} what="the consent contract" />}
      {res.state === 'ok' && (
        <>
          <p>
            <Badge kind="ok">deployed</Badge> The consent contract runs on this chain. Look up an actor by id,
            or a patient for their grants, record versions and audit trail.
          </p>
          <div class="forms">
            <IdForm kind="actor" label="Actor id (role and organisation)" />
            <IdForm kind="patient" label="Patient id (grants, records, audit trail)" />
          </div>
        </>
      )}
    </Page>
  );
}

function ActorFields({ a, id }: { a: Actor; id: string }) {
  return (
    <Fields
      label="Actor"
      rows={[
        ['Actor id', <Hash value={id} />],
        ['Role', <strong data-field="role">{a.role}</strong>],
        ['Organisation', <code data-field="org">{a.org}</code>],
        ['Status', a.suspended ? <Badge kind="bad">suspended</Badge> : <Badge kind="ok">active</Badge>],
        ['Licence', a.licenceExpiry === 0 ? 'no expiry' : `valid until ${dateTime(a.licenceExpiry)}`],
        ['Certificate hash', <Hash value={a.certHash} />],
        ['Registered', dateTime(a.registeredAt)],
      ]}
    />
  );
}

function UnknownActor({ id }: { id: string }) {
  return (
    <NotFound title="Actor not found">
      <p>
        No actor <code class="hash">{id}</code> is registered in the consent contract. An actor id is the
        sha256 of the actor's public key.
      </p>
    </NotFound>
  );
}

export function ActorPage({ id }: { id: string }) {
  const res = useAsync((s) => actorInfo(id, s), [id]);
  if (!HASH_RE.test(id)) return <UnknownActor id={id} />;
  return (
    <Page title="Actor">
      {res.state === 'loading' && <Loading what="the actor" />}
      {res.state === 'error' && <Failure error={res.error} what="the actor" />}
      {res.state === 'ok' &&
        (res.value === null ? (
          <UnknownActor id={id} />
        ) : (
          <>
            <ActorFields a={res.value} id={id} />
            {res.value.role === 'patient' && (
              <p>
                <a href={`#/consent/patient/${id}`}>Grants, records and audit trail of this patient →</a>
              </p>
            )}
          </>
        ))}
    </Page>
  );
}

/** Runs `f` over `xs`, at most `n` at a time, keeping the order. */
async function pooled<X, Y>(xs: readonly X[], n: number, f: (x: X) => Promise<Y>): Promise<Y[]> {
  const out: Y[] = new Array(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i] as X);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
  return out;
}

/** A patient's grants (by id, null without the grantInfo query) and record versions. */
async function patientState(id: string, s: AbortSignal) {
  const actor = await actorInfo(id, s);
  if (actor === null || actor.role !== 'patient') return { actor, trail: null };
  const trail = await auditTrail(id, TRAIL_MAX, s);
  const named = derive(trail.entries);
  let grants: Map<number, GrantInfo> | null = new Map();
  try {
    for (const g of await pooled(named.grants, 6, (g) => grantInfo(g, s)))
      if (g !== null) grants.set(g.id, g);
  } catch (e) {
    if (!(e instanceof NoSuchMethod)) throw e;
    grants = null;
  }
  // The validators by actor id, to name the nodes that recorded reads (best effort).
  const nodes = new Map<string, string>();
  const status = await api.status(s).catch(() => null);
  for (const v of status?.validators ?? []) nodes.set(toHex(sha256(fromHex(v.publicKey))), v.name);
  const versions = (await pooled(named.versions, 6, (v) => versionInfo(v.record, v.version, s))).filter(
    (v): v is VersionInfo => v !== null,
  );
  return { actor, trail: { ...trail, grantIds: named.grants, grants, versions, nodes } };
}

export function PatientPage({ id }: { id: string }) {
  const res = useAsync((s) => patientState(id, s), [id]);
  if (!HASH_RE.test(id)) return <UnknownActor id={id} />;
  return (
    <Page title="Patient">
      {res.state === 'loading' && <Loading what="the patient's consent state" />}
      {res.state === 'error' && <Failure error={res.error} what="the patient" />}
      {res.state === 'ok' && res.value.actor === null && <UnknownActor id={id} />}
      {res.state === 'ok' && res.value.actor !== null && res.value.trail === null && (
        <NotFound title="Not a patient">
          <p>
            This actor is a <strong>{res.value.actor.role}</strong>, not a patient.{' '}
            <a href={`#/consent/actor/${id}`}>Show the actor</a>.
          </p>
        </NotFound>
      )}
      {res.state === 'ok' && res.value.actor !== null && res.value.trail !== null && (
        <>
          <ActorFields a={res.value.actor} id={id} />
          <h2>Grants</h2>
          <Grants ids={res.value.trail.grantIds} infos={res.value.trail.grants} />
          <h2>Record versions</h2>
          <p class="muted small">Ids, content ids of the ciphertext, authors and times; never content.</p>
          <Versions versions={res.value.trail.versions} />
          <h2>Audit trail</h2>
          <p class="legend small">
            <span>
              <span class="hl-emergency swatch" /> emergency access
            </span>
            <span>
              <span class="hl-read swatch" /> read served
            </span>
            <span>
              <span class="hl-violation swatch" /> read the rules did not allow
            </span>
          </p>
          <Trail
            entries={res.value.trail.entries}
            length={res.value.trail.length}
            nodes={res.value.trail.nodes}
          />
        </>
      )}
    </Page>
  );
}
