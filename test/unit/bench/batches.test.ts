/**
 * `--batch N`: how a worker cuts its entries into requests (cli/bench/load/batches.ts). Every entry
 * is sent once, a batch goes to one node, and each consent-mix sender's txs leave in nonce order on
 * one node. No network.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountOf,
  type ConsentShape,
  DEFAULT_CONSENT_MIX,
  OP_CAN_ACCESS,
  OP_REGISTER,
  OP_REVOKE,
  walkPlan,
} from '../../../cli/bench/consent/plan.js';
import { type BatchRouting, type BatchWindow, nextBatchWindow } from '../../../cli/bench/load/batches.js';
import { parseBenchOptions } from '../../../cli/bench/options.js';

/** Every window from 0 to n, as the closed loop takes them (budget per window from `budgets`). */
function windows(n: number, size: number, r: BatchRouting, budgets: readonly number[] = []): BatchWindow[] {
  const out: BatchWindow[] = [];
  for (let from = 0, i = 0; from < n; i++) {
    const w = nextBatchWindow(from, n, size, budgets[i % Math.max(1, budgets.length)] ?? Infinity, r);
    out.push(w);
    from = w.to;
  }
  return out;
}

describe('batch windows', () => {
  it('kv and noop: consecutive txs, size at most, one batch per window (as before)', () => {
    const ws = windows(45, 20, { nodeOf: () => 0, isQuery: () => false }, [Infinity, 7]);
    expect(ws.map((w) => w.batches.map((b) => [b[0], b.length]))).toEqual([[[0, 20]], [[20, 7]], [[27, 18]]]);
  });

  it('a window ends when one node batch is full', () => {
    // nodes of entries 0..: 0 1 0 q 1 1; size 3: node 1 fills at entry 5.
    const nodes = [0, 1, 0, -1, 1, 1, 0];
    const r: BatchRouting = { nodeOf: (k) => nodes[k] ?? 0, isQuery: (k) => nodes[k] === -1 };
    expect(nextBatchWindow(0, 7, 3, Infinity, r)).toEqual({
      to: 6,
      batches: [
        [0, 2],
        [1, 4, 5],
      ],
      queries: [3],
      full: true,
    });
    expect(nextBatchWindow(0, 3, 3, Infinity, r)).toMatchObject({ to: 3, full: false });
  });

  it('every entry goes out once; a batch is one node, in entry order, within size and budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.integer({ min: -5, max: 60 }), { minLength: 1, maxLength: 5 }),
        (nodes, size, budgets) => {
          const r: BatchRouting = { nodeOf: (k) => nodes[k] ?? 0, isQuery: (k) => nodes[k] === -1 };
          const seen: number[] = [];
          let from = 0;
          windows(nodes.length, size, r, budgets).forEach((w, i) => {
            const budget = Math.max(1, budgets[i % budgets.length] ?? 0);
            const txs = w.batches.reduce((a, b) => a + b.length, 0);
            expect(txs).toBeLessThanOrEqual(budget);
            expect(w.to).toBeGreaterThan(from);
            // It stops only for a reason: a full batch, the budget, or the end.
            if (w.to < nodes.length && !w.full) expect(txs).toBe(budget);
            for (const b of w.batches) {
              expect(b.length).toBeLessThanOrEqual(size);
              expect(new Set(b.map(r.nodeOf)).size).toBe(1);
              expect([...b].sort((x, y) => x - y)).toEqual(b);
              seen.push(...b);
            }
            for (const q of w.queries) expect(r.isQuery(q)).toBe(true);
            seen.push(...w.queries);
            for (const k of seen.slice(-(w.to - from))) expect(k >= from && k < w.to).toBe(true);
            from = w.to;
          });
          expect(seen.sort((x, y) => x - y)).toEqual(nodes.map((_, k) => k));
        },
      ),
    );
  });
});

describe('consent-mix in batches', () => {
  const shape: ConsentShape = { hospitals: 3, patients: 10, doctors: 5, extraAdmins: 1, recordsPerDoctor: 2 };
  const workers = 2;
  const urls = 3;
  const cls = (op: number) => (op === OP_REGISTER ? 'a' : op <= OP_REVOKE || op === 6 ? 'p' : 'd');

  it.each([
    [1, 20],
    [0, 50],
    [1, 3],
  ])('worker %i, batches of %i: each sender on one node, its nonces in order, every tx once', (w, size) => {
    // The worker's entries as pregen lays them out: op, account, the sender and its nonce offset.
    const entries: { op: number; account: number; sender: string; seq: number }[] = [];
    const mix = { ...DEFAULT_CONSENT_MIX, request: 8, approve: 7 };
    walkPlan(shape, mix, w, workers, 1500, (p) =>
      entries.push({
        op: p.op,
        account: accountOf(shape, p.op, p.actor),
        sender: `${cls(p.op)}${p.actor}`,
        seq: p.seq,
      }),
    );
    // As the worker routes: an account sticks to node (account + worker) mod nodes.
    const r: BatchRouting = {
      nodeOf: (k) => ((entries[k]?.account ?? 0) + w) % urls,
      isQuery: (k) => entries[k]?.op === OP_CAN_ACCESS,
    };
    const nodeOfSender = new Map<string, number>();
    const nextSeq = new Map<string, number>();
    let sent = 0;
    let queries = 0;
    for (const win of windows(entries.length, size, r)) {
      queries += win.queries.length;
      for (const b of win.batches) {
        expect(b.length).toBeLessThanOrEqual(size);
        for (const k of b) {
          const e = entries[k];
          if (e === undefined) throw new Error(`no entry ${k}`);
          expect(nodeOfSender.get(e.sender) ?? r.nodeOf(k)).toBe(r.nodeOf(k));
          nodeOfSender.set(e.sender, r.nodeOf(k));
          // In launch order (window by window, batch by batch), a sender's nonces are consecutive.
          expect(e.seq).toBe(nextSeq.get(e.sender) ?? 0);
          nextSeq.set(e.sender, e.seq + 1);
          sent++;
        }
      }
    }
    expect(sent + queries).toBe(entries.length);
    expect(queries).toBe(entries.filter((e) => e.op === OP_CAN_ACCESS).length);
    // Batches are per node: with 3 nodes, they stay near the size asked for.
    expect(new Set(nodeOfSender.values()).size).toBe(urls);
  });
});

describe('--batch options', () => {
  it('consent-mix batches', () => {
    expect(parseBenchOptions({ workload: 'consent-mix', batch: 20 }).batch).toBe(20);
  });
});
