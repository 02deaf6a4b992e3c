/** Consent views: look up an actor (role, organisation) or a patient (grants, records, audit trail). */
import { useMemo, useState } from 'preact/hooks';
import { type Actor, actorInfo, auditTrail, ConsentMissing, consentQuery } from './consent-data.js';
import { derive, Grants, Trail, Versions } from './consent-trail.js';
import { dateTime, decodeInt, HASH_RE, num } from './format.js';
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

export function ConsentHome() {
  const res = useAsync((s) => consentQuery('auditLength', [], s), []);
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
            <Badge kind="ok">deployed</Badge> The chain-wide audit log holds {num(decodeInt(res.value))}{' '}
            entries.
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

export function PatientPage({ id }: { id: string }) {
  const res = useAsync(
    async (s) => {
      const actor = await actorInfo(id, s);
      if (actor === null || actor.role !== 'patient') return { actor, trail: null };
      return { actor, trail: await auditTrail(id, TRAIL_MAX, s) };
    },
    [id],
  );
  const derived = useMemo(
    () => (res.state === 'ok' && res.value.trail !== null ? derive(res.value.trail.entries) : null),
    [res],
  );
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
      {res.state === 'ok' && res.value.actor !== null && res.value.trail !== null && derived !== null && (
        <>
          <ActorFields a={res.value.actor} id={id} />
          <h2>Grants</h2>
          <Grants grants={derived.grants} />
          <h2>Record versions</h2>
          <p class="muted small">Ids, content ids of the ciphertext, authors and times; never content.</p>
          <Versions versions={derived.versions} />
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
          <Trail entries={res.value.trail.entries} length={res.value.trail.length} />
        </>
      )}
    </Page>
  );
}
