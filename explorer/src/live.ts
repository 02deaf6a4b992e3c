/**
 * The live feed: one EventSource on `/v1/events` for the whole app, seeded with the newest page of
 * blocks so the charts start with history. Views subscribe with `useLive()`.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type BlockHeaderView, type NodeEvent, type StatusView } from './api.js';

const KEEP = 400;

export interface LiveState {
  readonly connected: 'connecting' | 'open' | 'closed';
  /** Recent block headers, ascending height. */
  readonly blocks: readonly BlockHeaderView[];
  readonly leader: { readonly id: string | null; readonly term: number } | null;
  /** Number of SSE block events received (for tests and the "live" indicator). */
  readonly received: number;
}

let state: LiveState = { connected: 'connecting', blocks: [], leader: null, received: 0 };
const listeners = new Set<(s: LiveState) => void>();
let source: EventSource | null = null;

function set(patch: Partial<LiveState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l(state);
}

function addBlocks(hs: readonly BlockHeaderView[]): void {
  const byHeight = new Map(state.blocks.map((b) => [b.height, b]));
  for (const h of hs) byHeight.set(h.height, h);
  const all = [...byHeight.values()].sort((a, b) => a.height - b.height);
  set({ blocks: all.slice(-KEEP) });
}

function start(): void {
  if (source !== null) return;
  api.blocks(null, 100).then(
    (p) => addBlocks(p.blocks),
    () => undefined,
  );
  const es = new EventSource('/v1/events');
  source = es;
  es.onopen = () => set({ connected: 'open' });
  es.onerror = () => set({ connected: es.readyState === EventSource.CLOSED ? 'closed' : 'connecting' });
  es.addEventListener('block', (ev) => {
    const e = JSON.parse((ev as MessageEvent<string>).data) as Extract<NodeEvent, { type: 'block' }>;
    addBlocks([e.block]);
    set({ received: state.received + 1 });
  });
  es.addEventListener('leader', (ev) => {
    const e = JSON.parse((ev as MessageEvent<string>).data) as Extract<NodeEvent, { type: 'leader' }>;
    set({ leader: { id: e.leader, term: e.term } });
  });
}

export function useLive(): LiveState {
  const [s, setS] = useState(state);
  useEffect(() => {
    start();
    listeners.add(setS);
    setS(state);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

export type Series = (number | null)[][];

/** Committed tx/s per second of block time over the last `windowS` seconds up to `nowMs`. */
export function txRate(blocks: readonly BlockHeaderView[], nowMs: number, windowS = 120): Series {
  const end = Math.floor(Math.max(nowMs, blocks.at(-1)?.time ?? 0) / 1000);
  const startS = end - windowS + 1;
  const counts = new Array<number>(windowS).fill(0);
  for (const b of blocks) {
    const s = Math.floor(b.time / 1000);
    if (s >= startS && s <= end) counts[s - startS] = (counts[s - startS] ?? 0) + b.txCount;
  }
  return [counts.map((_, i) => startS + i), counts];
}

/** Per block: x = block time (s), block interval since the previous block (ms), txs in the block. */
export function perBlock(blocks: readonly BlockHeaderView[]): { interval: Series; txs: Series } {
  const xs: number[] = [];
  const dt: (number | null)[] = [];
  const n: number[] = [];
  blocks.forEach((b, i) => {
    const prev = blocks[i - 1];
    xs.push(b.time / 1000);
    dt.push(prev !== undefined && prev.height === b.height - 1 ? b.time - prev.time : null);
    n.push(b.txCount);
  });
  return { interval: [xs, dt], txs: [xs, n] };
}

/** The node status, shared by every view and refreshed slowly while anything shows it. */
const STATUS_REFRESH_MS = 5_000;
interface StatusState {
  readonly status: StatusView | null;
  readonly error: unknown;
}
let statusState: StatusState = { status: null, error: null };
const statusListeners = new Set<(s: StatusState) => void>();
let statusTimer: ReturnType<typeof setInterval> | null = null;

function loadStatus(): void {
  api.status().then(
    (status) => setStatusState({ status, error: null }),
    (error: unknown) => setStatusState({ status: statusState.status, error }),
  );
}

function setStatusState(s: StatusState): void {
  statusState = s;
  for (const l of statusListeners) l(s);
}

/** Status (validator health, mempool...); errors keep the last good value. */
export function useStatus(): StatusState {
  const [s, setS] = useState(statusState);
  useEffect(() => {
    statusListeners.add(setS);
    if (statusTimer === null) {
      loadStatus();
      statusTimer = setInterval(loadStatus, STATUS_REFRESH_MS);
    }
    return () => {
      statusListeners.delete(setS);
      if (statusListeners.size === 0 && statusTimer !== null) {
        clearInterval(statusTimer);
        statusTimer = null;
      }
    };
  }, []);
  return s;
}
