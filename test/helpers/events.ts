/**
 * Follows a node's server-sent events (`/v1/events?receipts=true`): what the node reported
 * committed, tx by tx, and the blocks it applied. Survives the node dying (the stream just ends).
 */
import type { NodeEvent } from '../../protocol/api.js';
import type { TestNode } from './network.js';

export interface ReportedReceipt {
  readonly height: number;
  readonly status: 'ok' | 'reverted';
}

export interface ReceiptWatch {
  readonly node: string;
  /** Tx hash -> what the node reported when it committed it. */
  readonly receipts: Map<string, ReportedReceipt>;
  /** Highest block height reported. */
  readonly height: () => number;
  /** Resolves once the stream is open. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Starts following `n`'s receipts. */
export function watchReceipts(n: TestNode): ReceiptWatch {
  const receipts = new Map<string, ReportedReceipt>();
  const ac = new AbortController();
  let height = 0;
  let opened!: () => void;
  const ready = new Promise<void>((r) => {
    opened = r;
  });
  const onEvent = (e: NodeEvent) => {
    if (e.type === 'receipts') {
      for (const r of e.receipts) receipts.set(r.hash, { height: e.height, status: r.status });
      height = Math.max(height, e.height);
    }
  };
  void (async () => {
    try {
      const res = await fetch(`${n.url}/v1/events?receipts=true`, { signal: ac.signal });
      opened();
      if (res.body === null) return;
      const dec = new TextDecoder();
      let buf = '';
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data !== '') onEvent(JSON.parse(data) as NodeEvent);
        }
      }
    } catch {
      // The node died or we closed: what was reported stays reported.
    } finally {
      opened();
    }
  })();
  return { node: n.name, receipts, height: () => height, ready, close: () => ac.abort() };
}
