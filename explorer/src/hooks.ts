/** Small hooks: hash routing and async loading with abort. */
import { useEffect, useState } from 'preact/hooks';

/** The current route: the hash without `#`, split into path segments and query parameters. */
export interface Route {
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  return { parts, query: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
}

/** Navigates to a route path like `/blocks/12` (replace: no history entry). */
export function go(path: string, replace = false): void {
  if (replace) location.replace(`#${path}`);
  else location.hash = path;
}

export type Async<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly error: unknown }
  | { readonly state: 'ok'; readonly value: T };

/** Runs `load` whenever `deps` change; aborts the previous run. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [res, setRes] = useState<Async<T>>({ state: 'loading' });
  useEffect(() => {
    const ctl = new AbortController();
    setRes({ state: 'loading' });
    load(ctl.signal).then(
      (value) => {
        if (!ctl.signal.aborted) setRes({ state: 'ok', value });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted) setRes({ state: 'error', error });
      },
    );
    return () => ctl.abort();
  }, deps);
  return res;
}

/** Re-renders every `ms` (for relative times like "3 s ago"). */
export function useTick(ms: number): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setN((x) => x + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
  return n;
}
