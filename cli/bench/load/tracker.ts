/**
 * Learns commit times from `/v1/events?receipts=true` instead of polling each tx: one SSE stream per
 * worker, on one node. A `block` event carries the header time (the leader's clock when it cut the
 * block); the `receipts` event of the same height lists the tx hashes. If the stream drops (the node
 * was killed), the tracker moves to the next node and fetches the blocks it missed from
 * `/v1/blocks`; txs learnt that way are stamped with the time they were learnt (later than their
 * real commit, so the figures err on the slow side) and counted as `caughtUp`.
 */

import { SseParser } from '../report/latency.js';
import { followStream, getJson, type HttpPool } from './http.js';

/** What the tracker reports per committed tx. */
export type CommitListener = (
  hash: string,
  status: 'ok' | 'reverted',
  blockTimeMs: number,
  nowMs: number,
  error?: string,
) => void;

interface ReceiptsEvent {
  readonly height: number;
  readonly receipts: readonly {
    readonly hash: string;
    readonly status: 'ok' | 'reverted';
    readonly error?: string;
  }[];
}

interface BlockEvent {
  readonly block: { readonly height: number; readonly time: number };
}

interface BlocksPage {
  readonly head: number;
  readonly blocks: readonly {
    readonly height: number;
    readonly time: number;
    readonly txs: readonly string[];
  }[];
}

/** The wall clock with sub-millisecond resolution (comparable across threads and processes). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Follows commits on one node at a time, failing over to the next. */
export class CommitTracker {
  #abort = new AbortController();
  #blockTimes = new Map<number, number>();
  #last = -1;
  #urlIndex: number;
  #running: Promise<void> | null = null;
  #stopped = false;
  caughtUp = 0;
  reconnects = 0;

  constructor(
    private readonly urls: readonly string[],
    startIndex: number,
    private readonly pool: HttpPool,
    private readonly onCommit: CommitListener,
  ) {
    this.#urlIndex = startIndex % urls.length;
  }

  /** Connects; resolves once the first stream is open and the current head is known. */
  async start(): Promise<void> {
    const url = this.urls[this.#urlIndex] ?? '';
    const st = await getJson<{ height: number }>(this.pool, `${url}/v1/status`);
    this.#last = st.height;
    let opened!: () => void;
    const open = new Promise<void>((r) => {
      opened = r;
    });
    this.#running = this.#loop(opened);
    await Promise.race([open, new Promise((r) => setTimeout(r, 5000))]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#running;
  }

  async #loop(opened: () => void): Promise<void> {
    // Bounded: at most 10,000 reconnects, and it ends when stopped.
    for (let attempt = 0; attempt < 10_000 && !this.#stopped; attempt++) {
      const url = this.urls[this.#urlIndex] ?? '';
      const parser = new SseParser();
      let first = true;
      try {
        await followStream(
          `${url}/v1/events?receipts=true`,
          (chunk) => {
            if (first) {
              first = false;
              opened();
            }
            parser.feed(chunk, (e) => this.#onEvent(e.event, e.data, url));
          },
          this.#abort.signal,
        );
      } catch {
        // the node is down or refused: try the next one
      }
      if (this.#stopped) return;
      this.reconnects++;
      this.#urlIndex = (this.#urlIndex + 1) % this.urls.length;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #onEvent(event: string, data: string, url: string): void {
    if (event === 'block') {
      const b = (JSON.parse(data) as BlockEvent).block;
      this.#blockTimes.set(b.height, b.time);
      return;
    }
    if (event !== 'receipts') return;
    const now = wallNow();
    const r = JSON.parse(data) as ReceiptsEvent;
    if (r.height <= this.#last) return;
    if (r.height > this.#last + 1) void this.#catchUp(url, this.#last + 1, r.height - 1);
    this.#last = r.height;
    const time = this.#blockTimes.get(r.height) ?? Number.NaN;
    this.#blockTimes.delete(r.height);
    if (this.#blockTimes.size > 1000) this.#blockTimes.clear();
    for (const x of r.receipts) this.onCommit(x.hash, x.status, time, now, x.error);
  }

  /** Fetches blocks [from, to] that were committed while no stream was open. */
  async #catchUp(url: string, from: number, to: number): Promise<void> {
    // Bounded by the gap, 100 blocks a page.
    for (let h = from; h <= to && !this.#stopped; ) {
      let page: BlocksPage;
      try {
        page = await getJson<BlocksPage>(this.pool, `${url}/v1/blocks?from=${h}&limit=100`);
      } catch {
        return;
      }
      if (page.blocks.length === 0) return;
      const now = wallNow();
      for (const b of page.blocks) {
        if (b.height > to) return;
        // Receipts are not in a block view: a caught-up tx counts as ok.
        for (const hash of b.txs) {
          this.caughtUp++;
          this.onCommit(hash, 'ok', b.time, now);
        }
        h = b.height + 1;
      }
    }
  }
}
