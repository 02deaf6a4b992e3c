/**
 * Faults on a schedule, relative to the start of the load: kill the leader (SIGKILL), kill or
 * restart a named node, or partition a node (via the proxy) for a while. Each fault is recorded
 * with the time it fired; after a leader is killed, the time until the surviving nodes agree on a
 * new leader; after the run, the time until throughput recovered.
 */

import type { FaultKind, FaultSpec } from '../options.js';
import type { SeriesPoint } from '../report/aggregate.js';
import type { LocalNetwork } from './network.js';

/** One fault as it happened. */
export interface FaultRecord {
  /** Seconds since the load started. */
  t: number;
  readonly kind: FaultKind;
  node: string | null;
  /** kill-leader / kill of the leader / partition of the leader: ms until a new leader was agreed. */
  new_leader_ms?: number;
  /** ms from the fault until a whole second's commits reached 80% of the pre-fault mean. */
  recovered_ms?: number | null;
  /** Partition: seconds since start when it healed. */
  healed_t?: number;
  /** Partition: proxied connections whose source validator could not be identified (not cut). */
  unidentified_links?: number;
  error?: string;
}

const secs = (ms: number) => Math.round(ms) / 1000;

/** Runs a fault schedule against a local network. */
export class FaultRunner {
  readonly records: FaultRecord[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running: Promise<void>[] = [];
  #t0 = 0;

  constructor(
    private readonly net: LocalNetwork,
    private readonly specs: readonly FaultSpec[],
  ) {}

  /** Arms the timers; `t0` is the epoch ms at which the load started. */
  start(t0: number): void {
    this.#t0 = t0;
    for (const f of this.specs) {
      const delay = Math.max(0, t0 + f.atMs - Date.now());
      this.#timers.push(setTimeout(() => this.#running.push(this.#fire(f)), delay));
    }
  }

  /** Cancels faults not yet fired and waits for the ones under way (heals partitions). */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    await Promise.all(this.#running);
  }

  async #fire(f: FaultSpec): Promise<void> {
    const rec: FaultRecord = { t: secs(Date.now() - this.#t0), kind: f.kind, node: f.node ?? null };
    this.records.push(rec);
    try {
      const leader = await this.net.leader();
      if (f.kind === 'kill-leader') {
        if (leader === null) throw new Error('no leader to kill');
        rec.node = leader;
      }
      const name = rec.node ?? '';
      const killedAt = Date.now();
      rec.t = secs(killedAt - this.#t0);
      if (f.kind === 'kill-leader' || f.kind === 'kill') await this.net.kill(name);
      else if (f.kind === 'restart') {
        await this.net.kill(name);
        this.net.startNode(name);
      } else {
        const proxy = this.net.proxy;
        if (proxy === null) throw new Error('partition needs the proxy');
        const idx = this.net.nodes.findIndex((n) => n.name === name);
        proxy.partition(idx);
        const heal = new Promise<void>((r) =>
          setTimeout(() => {
            proxy.heal(idx);
            rec.healed_t = secs(Date.now() - this.#t0);
            rec.unidentified_links = proxy.unidentified;
            r();
          }, f.durationMs ?? 0),
        );
        this.#running.push(heal);
      }
      if (leader === name && f.kind !== 'restart') {
        const others = this.net.nodes.filter((n) => n.name !== name);
        await this.#waitNewLeader(
          name,
          others.map((n) => n.name),
        );
        rec.new_leader_ms = Date.now() - killedAt;
      }
    } catch (err) {
      rec.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Waits (at most 30 s) until the other nodes agree on a leader that is not `old`. */
  async #waitNewLeader(old: string, others: readonly string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const st = await this.net.statuses();
      const views = st.filter((_, i) => others.includes(this.net.nodes[i]?.name ?? ''));
      const names = views.map((s) => s?.validators.find((v) => v.peerId === s.leader)?.name ?? null);
      const first = names[0] ?? null;
      if (first !== null && first !== old && names.filter((x) => x === first).length > others.length / 2)
        return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no new leader within 30 s');
  }
}

/**
 * For each fault, ms until throughput recovered: from the fault to the end of the first whole
 * second, after the first dip below 80% of the pre-fault mean (seconds 1.. before the fault, to
 * skip the ramp-up), whose commits are back at 80% or more. 0 when throughput never dipped; null
 * when it never recovered, or when there was no steady state before the fault.
 */
export function recoveryTimes(
  series: readonly SeriesPoint[],
  faults: readonly { t: number }[],
): (number | null)[] {
  return faults.map((f) => {
    const before = series.filter((p) => p.t >= 1 && p.t + 1 <= f.t);
    if (before.length === 0) return null;
    const mean = before.reduce((s, p) => s + p.committed_tps, 0) / before.length;
    if (mean <= 0) return null;
    const after = series.filter((p) => p.t + 1 > f.t);
    const dip = after.findIndex((p) => p.committed_tps < 0.8 * mean);
    if (dip < 0) return 0;
    const back = after.slice(dip).find((p) => p.committed_tps >= 0.8 * mean);
    return back === undefined ? null : Math.round((back.t + 1 - f.t) * 1000);
  });
}
