/**
 * The patient's consent: the inbox of access requests (approve as asked, approve narrower, deny),
 * my grants (active, upcoming, expired, revoked; revoke) and giving a grant, with a summary in
 * plain words shown before anything is signed.
 */
import { useState } from 'preact/hooks';
import type { ConsentClient } from '../../client/consent.js';
import type { GrantView, RequestView, TrailEntry } from '../../client/consent-views.js';
import { ActorName } from './actors.js';
import type { Session } from './chain.js';
import { day, grantSummary, list, purposeWords, short } from './text.js';
import { ListState, Section, TxStatus, useLoad, useTx } from './ui.js';

type Terms = NonNullable<Parameters<ConsentClient['approve']>[1]>;
type Grantee = Parameters<ConsentClient['grant']>[0];
type Purpose = Terms['purposes'][number];
type Action = Terms['actions'][number];

const scopeWords = (t: Terms): string[] =>
  t.scope.kind === 'categories'
    ? [...t.scope.categories]
    : t.scope.kind === 'record'
      ? [`record ${short(t.scope.recordId)}`]
      : [];
const exceptWords = (t: Terms): string[] =>
  t.exceptions.map((x) => (x.kind === 'category' ? x.category : `record ${short(x.recordId)}`));
const summaryOf = (who: string, t: Terms) =>
  grantSummary({
    who,
    actions: t.actions,
    purposes: t.purposes,
    categories: scopeWords(t),
    exceptCategories: exceptWords(t),
    start: t.start,
    end: t.end,
    now: Date.now(),
  });
const dateInput = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const fromDateInput = (s: string) => Date.parse(`${s}T00:00:00Z`);

function RequestCard({ s, r, onDone }: { s: Session; r: RequestView; onDone: () => void }) {
  const tx = useTx(onDone);
  const [mode, setMode] = useState<'none' | 'narrow' | 'deny'>('none');
  const [end, setEnd] = useState(dateInput(r.terms.end));
  const [actions, setActions] = useState<Action[]>([...r.terms.actions]);
  const [reason, setReason] = useState('not-needed');
  const narrowed: Terms = { ...r.terms, actions, end: Math.min(r.terms.end, fromDateInput(end)) };
  return (
    <article class="request" data-request={r.id}>
      <p>
        <ActorName s={s} id={r.requester} /> asks: “{r.reason}”
      </p>
      <p class="summary">{summaryOf('They', r.terms)}</p>
      <p class="muted small">
        Asked {day(r.requestedAt)}, open until {day(r.expiresAt)}.
      </p>
      <div class="row">
        <button
          type="button"
          disabled={tx.busy}
          onClick={() => tx.run('Approve request', () => s.consent.approve(r.id))}
        >
          Approve as asked
        </button>
        <button
          type="button"
          class="secondary"
          disabled={tx.busy}
          onClick={() => setMode(mode === 'narrow' ? 'none' : 'narrow')}
        >
          Approve narrower…
        </button>
        <button
          type="button"
          class="secondary"
          disabled={tx.busy}
          onClick={() => setMode(mode === 'deny' ? 'none' : 'deny')}
        >
          Deny…
        </button>
      </div>
      {mode === 'narrow' ? (
        <form
          class="stack narrow"
          onSubmit={(e) => {
            e.preventDefault();
            void tx.run('Approve narrower', () => s.consent.approve(r.id, narrowed));
          }}
        >
          <fieldset>
            <legend>Allow only</legend>
            {r.terms.actions.map((a) => (
              <label key={a} class="check">
                <input
                  type="checkbox"
                  checked={actions.includes(a)}
                  onChange={(e) =>
                    setActions(e.currentTarget.checked ? [...actions, a] : actions.filter((x) => x !== a))
                  }
                />
                {a}
              </label>
            ))}
          </fieldset>
          <label for={`end-${r.id}`}>Until</label>
          <input
            id={`end-${r.id}`}
            type="date"
            value={end}
            max={dateInput(r.terms.end)}
            onInput={(e) => setEnd(e.currentTarget.value)}
          />
          <p class="summary" data-testid="narrow-summary">
            You will sign: {summaryOf('They', narrowed)}
          </p>
          <button type="submit" disabled={tx.busy || actions.length === 0}>
            Sign and approve narrower
          </button>
        </form>
      ) : null}
      {mode === 'deny' ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void tx.run('Deny request', () => s.consent.deny(r.id, reason));
          }}
        >
          <label for={`deny-${r.id}`}>Reason</label>
          <select id={`deny-${r.id}`} value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
            <option value="not-needed">Not needed</option>
            <option value="too-broad">Asks for too much</option>
            <option value="unknown-requester">I do not know them</option>
          </select>
          <button type="submit" disabled={tx.busy}>
            Deny
          </button>
        </form>
      ) : null}
      <TxStatus state={tx.state} />
    </article>
  );
}

/** The inbox of open access requests. */
export function InboxSection({ s, tick, onChange }: { s: Session; tick: number; onChange: () => void }) {
  const inbox = useLoad(async () => {
    const ids = await s.consent.openRequests(s.id);
    const rs = await Promise.all(ids.map((id) => s.consent.requestInfo(id)));
    return rs.filter((r): r is RequestView => r !== null);
  }, [s, tick]);
  return (
    <div>
      <ListState
        error={inbox.error}
        loading={inbox.data === null}
        empty={inbox.data?.length === 0 ? 'No open requests.' : null}
      />
      {inbox.data?.map((r) => (
        <RequestCard key={r.id} s={s} r={r} onDone={onChange} />
      ))}
    </div>
  );
}

/** Where a grant stands now. */
export function grantState(g: GrantView, now: number): 'active' | 'upcoming' | 'expired' | 'revoked' {
  if (g.revokedAt !== null && g.revokedAt <= now) return 'revoked';
  if (now < g.terms.start) return 'upcoming';
  if (now >= g.terms.end) return 'expired';
  return 'active';
}

function granteeWords(g: GrantView['grantee']): string {
  return g.kind === 'actor'
    ? `actor ${short(g.id)}`
    : g.kind === 'org'
      ? `everyone at ${g.id}`
      : `every ${g.id}`;
}

/** My grants and the form to give one. */
export function GrantsSection({
  s,
  trail,
  onChange,
}: {
  s: Session;
  trail: readonly TrailEntry[];
  onChange: () => void;
}) {
  const ids = trail.filter((e) => e.op === 'grant').map((e) => Number.parseInt(e.subject, 16));
  const key = ids.join(',');
  const grants = useLoad(async () => {
    const gs = await Promise.all(ids.map((id) => s.consent.grantInfo(id)));
    return gs.filter((g): g is GrantView => g !== null).reverse();
  }, [s, key, trail.length]);
  const tx = useTx(onChange);
  const now = Date.now();
  return (
    <>
      <Section title="My grants" id="grants">
        <ListState
          error={grants.error}
          loading={grants.data === null}
          empty={grants.data?.length === 0 ? 'You have given no grants.' : null}
        />
        <ul class="grants">
          {grants.data?.map((g) => {
            const st = grantState(g, now);
            return (
              <li key={g.id} class={`grant grant-${st}`} data-grant={g.id} data-state={st}>
                <span class={`badge state-${st}`}>{st}</span>{' '}
                {g.grantee.kind === 'actor' ? <ActorName s={s} id={g.grantee.id} /> : granteeWords(g.grantee)}
                : {summaryOf('they', g.terms).replace(/^they /, '')}
                {st === 'active' || st === 'upcoming' ? (
                  <button
                    type="button"
                    class="secondary"
                    disabled={tx.busy}
                    onClick={() => tx.run(`Revoke grant ${g.id}`, () => s.consent.revoke(g.id))}
                  >
                    Revoke
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
        <TxStatus state={tx.state} />
      </Section>
      <Section title="Give a grant" id="give">
        <GiveGrant s={s} onDone={onChange} />
      </Section>
    </>
  );
}

const PURPOSES: readonly [Purpose, string][] = [
  ['TREAT', 'treatment'],
  ['HPAYMT', 'payment'],
  ['HRESCH', 'research'],
];

function GiveGrant({ s, onDone }: { s: Session; onDone: () => void }) {
  const tx = useTx(onDone);
  const [kind, setKind] = useState<'actor' | 'org' | 'role'>('actor');
  const [who, setWho] = useState('');
  const [actions, setActions] = useState<Action[]>(['read']);
  const [purposes, setPurposes] = useState<Purpose[]>(['TREAT']);
  const [cats, setCats] = useState('');
  const [except, setExcept] = useState('');
  const [end, setEnd] = useState(dateInput(Date.now() + 90 * 86_400_000));
  const [review, setReview] = useState(false);
  const split = (t: string) =>
    t
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const terms: Terms = {
    actions,
    purposes,
    scope: split(cats).length === 0 ? { kind: 'all' } : { kind: 'categories', categories: split(cats) },
    start: Date.now(),
    end: fromDateInput(end),
    exceptions: split(except).map((category) => ({ kind: 'category' as const, category })),
  };
  const grantee = { kind, id: who.trim() } as Grantee;
  const whoWords =
    kind === 'actor'
      ? `Actor ${short(who.trim())}`
      : kind === 'org'
        ? `Everyone at ${who.trim()}`
        : `Every ${who.trim()}`;
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!review) setReview(true);
        else
          void tx
            .run('Give grant', () => s.consent.grant(grantee, terms))
            .then((ok) => ok && setReview(false));
      }}
    >
      <label for="g-kind">To</label>
      <select
        id="g-kind"
        value={kind}
        onChange={(e) => {
          setKind(e.currentTarget.value as typeof kind);
          setReview(false);
        }}
      >
        <option value="actor">a person (actor id)</option>
        <option value="org">an organisation (code)</option>
        <option value="role">a role (doctor, insurer, researcher)</option>
      </select>
      <label for="g-who">
        {kind === 'actor' ? 'Actor id (64 hex digits)' : kind === 'org' ? 'Organisation code' : 'Role'}
      </label>
      <input
        id="g-who"
        value={who}
        onInput={(e) => {
          setWho(e.currentTarget.value);
          setReview(false);
        }}
      />
      <fieldset>
        <legend>May</legend>
        {(['read', 'write'] as Action[]).map((a) => (
          <label key={a} class="check">
            <input
              type="checkbox"
              checked={actions.includes(a)}
              onChange={(e) => {
                setActions(e.currentTarget.checked ? [...actions, a] : actions.filter((x) => x !== a));
                setReview(false);
              }}
            />
            {a === 'write' ? 'add records' : 'read'}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>For</legend>
        {PURPOSES.map(([p, w]) => (
          <label key={p} class="check">
            <input
              type="checkbox"
              checked={purposes.includes(p)}
              onChange={(e) => {
                setPurposes(e.currentTarget.checked ? [...purposes, p] : purposes.filter((x) => x !== p));
                setReview(false);
              }}
            />
            {w}
          </label>
        ))}
      </fieldset>
      <label for="g-cats">Only these categories (comma-separated; empty: all records)</label>
      <input
        id="g-cats"
        value={cats}
        onInput={(e) => {
          setCats(e.currentTarget.value);
          setReview(false);
        }}
      />
      <label for="g-except">Except these categories</label>
      <input
        id="g-except"
        value={except}
        onInput={(e) => {
          setExcept(e.currentTarget.value);
          setReview(false);
        }}
      />
      <label for="g-end">Until</label>
      <input
        id="g-end"
        type="date"
        value={end}
        onInput={(e) => {
          setEnd(e.currentTarget.value);
          setReview(false);
        }}
      />
      {review ? (
        <p class="summary" id="grant-summary">
          You are about to sign: {summaryOf(whoWords, terms)}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={tx.busy || who.trim() === '' || actions.length === 0 || purposes.length === 0}
      >
        {review ? 'Sign and give grant' : 'Review'}
      </button>
      <p class="muted small">
        Purposes: {purposeWords(purposes)}. Actions: {list(actions)}.
      </p>
      <TxStatus state={tx.state} />
    </form>
  );
}
