/** Small shared pieces: a pending-transaction tracker, a loader hook, sections. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorSentence } from './text.js';

/** Where a signed transaction stands. */
export type TxPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'pending'; readonly label: string }
  | { readonly phase: 'committed'; readonly label: string }
  | { readonly phase: 'refused'; readonly label: string; readonly sentence: string };

/**
 * Runs one signed action at a time and shows its progress until it is committed or refused
 * (the clients wait for the block that includes the transaction).
 */
export function useTx(onDone?: () => void) {
  const [state, setState] = useState<TxPhase>({ phase: 'idle' });
  const run = useCallback(
    async (label: string, f: () => Promise<unknown>): Promise<boolean> => {
      setState({ phase: 'pending', label });
      try {
        await f();
        setState({ phase: 'committed', label });
        onDone?.();
        return true;
      } catch (err) {
        setState({ phase: 'refused', label, sentence: errorSentence(err) });
        return false;
      }
    },
    [onDone],
  );
  return { state, run, busy: state.phase === 'pending' };
}

/** The progress line of useTx. */
export function TxStatus({ state }: { state: TxPhase }) {
  if (state.phase === 'idle') return null;
  const text =
    state.phase === 'pending'
      ? `${state.label}: signed and sent, waiting for a block…`
      : state.phase === 'committed'
        ? `${state.label}: committed.`
        : `${state.label}: refused. ${state.sentence}`;
  return (
    <p class={`tx tx-${state.phase}`} role="status" aria-live="polite" data-phase={state.phase}>
      {state.phase === 'pending' ? <span class="spinner" aria-hidden="true" /> : null}
      {text}
    </p>
  );
}

/** Loads with `f` whenever a dependency changes; keeps the last error as a sentence. */
export function useLoad<T>(f: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    f().then(
      (d) => {
        if (live) {
          setData(d);
          setError(null);
        }
      },
      (e: unknown) => {
        if (live) setError(errorSentence(e));
      },
    );
    return () => {
      live = false;
    };
  }, deps);
  return { data, error };
}

/** A titled section. */
export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={`${id}-h`} id={id}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

/** A loading / error / empty line for a list. */
export function ListState({
  error,
  loading,
  empty,
}: {
  error: string | null;
  loading: boolean;
  empty: string | null;
}) {
  if (error !== null)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (loading) return <p class="muted">Loading…</p>;
  if (empty !== null) return <p class="muted">{empty}</p>;
  return null;
}
