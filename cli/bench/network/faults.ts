/**
 * Faults on a schedule, relative to the start of the load: kill the leader (SIGKILL), kill or
 * restart a named node, or partition a node (via the proxy) for a while. Each fault is recorded
 * with the time it fired; after a leader is killed, the time until the surviving nodes agree on a
 * new leader; after the run, the time until throughput recovered.
 */

import type { FaultKind, FaultSpec } from '../options.js';
import type { SeriesPoint } from '../report/aggregate.js';
import { type LocalNetwork, nodeStatus } from './network.js';

/** One fault as it happened. */
export interface FaultRecord {
  /** Seconds since the load started. */
  t: number;
  readonly kind: FaultKind;
  node: string | null;
  /** Epoch ms at which the fault fired (SIGKILL sent): aligns the nodes' logs with the fault. */
  fired_at_ms?: number;
  /**
   * Kills: ms from the SIGKILL until the bench saw the process exit (its kernel closes the
   * process's sockets on the way: an upper bound on when its peers could see them close).
   */
  exit_ms?: number;
  /**
   * kill-leader / kill of the leader / partition of the leader: ms until a new leader was agreed,
   * as the bench polled the survivors' /v1/status (their HTTP answers included).
   */
  new_leader_ms?: number;
  /**
   * With new_leader_ms: ms from the fault until a majority of the survivors knew the agreed leader,
   * by the survivors' own `leaderSince` stamps (one machine, one clock); absent for nodes without
   * the field.
   */
  new_leader_node_ms?: number;
  /**
   * With new_leader_ms: per surviving node, ms from the fault until its own /v1/status first named
   * the agreed new leader (null if it had not when the others agreed).
   */
  survivors?: SurvivorView[];
  /** ms from the fault until a whole second's commits reached 80% of the pre-fault mean. */
  recovered_ms?: number | null;
  /** Partition: seconds since start when it healed. */
  healed_t?: number;
  /** Partition: proxied connections whose source validator could not be identified (not cut). */
  unidentified_links?: number;
  error?: string;
}

/** One surviving node's view of a failover. */
export interface SurvivorView {
  readonly node: string;
  readonly leader_seen_ms: number | null;
  /** ms from the fault until the node learned the agreed leader, by its own stamp (null: unknown). */
  readonly leader_known_ms: number | null;
}

const secs = (ms: number) => Math.round(ms) / 1000;

/**
 * The survivors' views of a failover as they are polled: when each first named each leader other
 * than the old one, and whether a majority of them name the same one now.
 */
export class LeaderWatch {
  readonly #firstSeen = new Map<string, Map<string, number>>();
  readonly #now = new Map<string, string | null>();
  /** Per survivor, its own stamp (epoch ms) of learning the leader its latest answer named. */
  readonly #since = new Map<string, number | null>();

  constructor(
    private readonly old: string,
    readonly survivors: readonly string[],
    private readonly firedAt: number,
  ) {}

  /**
   * `node`'s status, answered at epoch ms `at`, named `leader` (null: none, or no answer), learnt at
   * epoch ms `since` by its own clock (its `leaderSince`; null if it has none).
   */
  observe(node: string, leader: string | null, at: number, since: number | null = null): void {
    this.#now.set(node, leader);
    this.#since.set(node, leader === null ? null : since);
    if (leader === null || leader === this.old) return;
    const seen = this.#firstSeen.get(node) ?? new Map<string, number>();
    this.#firstSeen.set(node, seen);
    if (!seen.has(leader)) seen.set(leader, Math.max(0, at - this.firedAt));
  }

  /** The new leader a strict majority of the survivors name in their latest answers, or null. */
  agreed(): string | null {
    const votes = new Map<string, number>();
    for (const s of this.survivors) {
      const l = this.#now.get(s) ?? null;
      if (l !== null && l !== this.old) votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    for (const [l, n] of votes) if (n > this.survivors.length / 2) return l;
    return null;
  }

  /** Per survivor, ms from the fault until it first named `leader`, and until it knew it by its stamp. */
  views(leader: string): SurvivorView[] {
    return this.survivors.map((node) => ({
      node,
      leader_seen_ms: this.#firstSeen.get(node)?.get(leader) ?? null,
      leader_known_ms: this.#knownMs(node, leader),
    }));
  }

  /**
   * ms from the fault until a strict majority of the survivors knew `leader`, by their own stamps
   * (the majority-th earliest stamp of those naming it now); null if too few stamps are known.
   */
  knownByMajorityMs(leader: string): number | null {
    const known = this.survivors
      .map((node) => this.#knownMs(node, leader))
      .filter((ms): ms is number => ms !== null)
      .sort((a, b) => a - b);
    return known[Math.floor(this.survivors.length / 2)] ?? null;
  }

  #knownMs(node: string, leader: string): number | null {
    const since = this.#since.get(node) ?? null;
    return this.#now.get(node) === leader && since !== null ? Math.max(0, since - this.firedAt) : null;
  }
}

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
      rec.fired_at_ms = killedAt;
      if (f.kind === 'kill-leader' || f.kind === 'kill') {
        await this.net.kill(name);
        rec.exit_ms = Date.now() - killedAt;
      } else if (f.kind === 'restart') {
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
        const watch = new LeaderWatch(
          name,
          this.net.nodes.filter((n) => n.name !== name).map((n) => n.name),
          killedAt,
        );
        const agreed = await this.#waitNewLeader(watch);
        rec.new_leader_ms = Date.now() - killedAt;
        const nodeMs = watch.knownByMajorityMs(agreed);
        if (nodeMs !== null) rec.new_leader_node_ms = nodeMs;
        rec.survivors = watch.views(agreed);
      }
    } catch (err) {
      rec.error = err instanceof Error ? err.message : String(err);
    }
  }

  /**
   * Waits (at most 30 s) until a majority of the other nodes agree on a new leader; returns its
   * name. Each survivor is polled on its own every 25 ms, so `watch` times each answer.
   */
  async #waitNewLeader(watch: LeaderWatch): Promise<string> {
    const deadline = Date.now() + 30_000;
    const survivors = this.net.nodes.filter((n) => watch.survivors.includes(n.name));
    while (Date.now() < deadline) {
      await Promise.all(
        survivors.map(async (n) => {
          const s = await nodeStatus(n.url);
          const name = s?.validators.find((v) => v.peerId === s.leader)?.name ?? null;
          watch.observe(n.name, name, Date.now(), s?.leaderSince ?? null);
        }),
      );
      const agreed = watch.agreed();
      if (agreed !== null) return agreed;
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
  series: readonly Pick<SeriesPoint, 't' | 'committed_tps'>[],
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
