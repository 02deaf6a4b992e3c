/** Shared presentational pieces: states (loading, error, not found), fields, hashes, badges. */
import type { ComponentChildren } from 'preact';
import { describeError, HttpError } from './api.js';
import { printable, short } from './format.js';
import type { Async } from './hooks.js';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function NotFound({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <section class="state notfound" role="alert" aria-labelledby="nf-title">
      <h2 id="nf-title">{title}</h2>
      {children}
      <p>
        <a href="#/">Back to the network</a>
      </p>
    </section>
  );
}

export function ErrorState({ error, what }: { error: unknown; what: string }) {
  const unreachable = error instanceof HttpError && error.status === 0;
  return (
    <section class="state error" role="alert">
      <h2>{unreachable ? 'Node unreachable' : `Could not load ${what}`}</h2>
      <p>{describeError(error)}</p>
      <p>
        <button type="button" onClick={() => location.reload()}>
          Retry
        </button>
      </p>
    </section>
  );
}

/**
 * Renders an async value: loading, a 404 as `notFound`, other errors, or `children(value)`.
 */
export function Load<T>(props: {
  res: Async<T>;
  what: string;
  notFound?: ComponentChildren;
  children: (v: T) => ComponentChildren;
}) {
  const { res } = props;
  if (res.state === 'loading') return <Loading what={props.what} />;
  if (res.state === 'error') {
    if (res.error instanceof HttpError && res.error.notFound && props.notFound !== undefined) {
      return <>{props.notFound}</>;
    }
    return <ErrorState error={res.error} what={props.what} />;
  }
  return <>{props.children(res.value)}</>;
}

/** A definition list of label/value rows. */
export function Fields({ rows, label }: { rows: readonly [string, ComponentChildren][]; label?: string }) {
  return (
    <dl class="fields" aria-label={label}>
      {rows.map(([k, v]) => (
        <div class="row" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A full hash in monospace that wraps anywhere; `href` makes it a link. */
export function Hash({ value, href, abbrev }: { value: string; href?: string; abbrev?: boolean }) {
  const shown = abbrev === true ? short(value) : value;
  const inner = (
    <code class={abbrev === true ? 'hash abbrev' : 'hash'} title={value}>
      {shown === '' ? '(empty)' : shown}
    </code>
  );
  return href === undefined ? inner : <a href={href}>{inner}</a>;
}

/** Bytes shown as hex, and as text when they are printable. */
export function Bytes({ hex, bytes }: { hex: string; bytes: Uint8Array }) {
  const t = printable(bytes);
  return (
    <span class="bytes">
      <Hash value={hex} />
      {t !== null && (
        <span class="as-text">
          <span class="muted">text</span> “{t}”
        </span>
      )}
    </span>
  );
}

export function Badge({
  kind,
  children,
}: {
  kind: 'ok' | 'warn' | 'bad' | 'info';
  children: ComponentChildren;
}) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

export function Page({
  title,
  children,
  sub,
}: {
  title: string;
  sub?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {sub !== undefined && <p class="sub">{sub}</p>}
      {children}
    </section>
  );
}
