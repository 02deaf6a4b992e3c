/**
 * Runs one seeded simulation: a fault phase of `scenario.faultSteps` steps with safety checked after
 * every step, then the network heals, crashed nodes restart, and liveness is required: within
 * `LIVENESS_BOUND` steps a leader must be elected and a fresh proposal applied on every node.
 * Any failure throws a `SimFailure` whose message names the seed, the node count and the command
 * that replays it.
 */
import { EntryType } from '../types.js';
import { entryFingerprint, SafetyViolation } from './checker.js';
import { Cluster } from './cluster.js';
import type { MembershipCounts } from './membership.js';
import { type NetworkStats, reliableNetwork } from './network.js';
import { Prng } from './prng.js';
import { type FaultCounts, FaultInjector, makeScenario, payload, type Scenario } from './scenario.js';

/**
 * Steps (one tick each, less clock skew) after the heal within which a leader must be elected and a
 * new proposal applied on all nodes, plus `BACKLOG_STEPS` per entry of backlog at the heal (highest
 * last index minus lowest applied index: with one message in flight and tiny messages a follower
 * catches up one entry per round trip of 2 steps). Generous against the worst election timeout
 * (2 x 12 ticks): about 20 election rounds, to absorb split votes and catch-up by snapshot.
 */
export const LIVENESS_BOUND = 500;
/** Extra liveness steps allowed per entry of backlog at the heal. */
export const BACKLOG_STEPS = 2;
/** Steps between storage scans (full comparison of each node's storage with the checker's shadow). */
const SCAN_EVERY = 64;
/** Steps before re-proposing the liveness marker if it has not been applied everywhere. */
const REPROPOSE_EVERY = 50;

/** Inputs of one run. */
export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Override the scenario's fault-phase length. */
  readonly faultSteps?: number;
  /** Keep an event log and attach its tail to a failure. */
  readonly trace?: boolean;
  /** Adjusts the scenario drawn from the seed before the run (the fault injector reads it). */
  readonly scenario?: (drawn: Scenario) => Scenario;
  /** Stop after the fault phase and the heal, without requiring liveness. */
  readonly skipLiveness?: boolean;
  /** Called with the cluster before the first step, to observe or wrap it. */
  readonly instrument?: (c: Cluster) => void;
}

/** What a run did. */
export interface SimReport {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly faultSteps: number;
  /** Steps after the heal until the liveness proposal was applied everywhere. */
  readonly livenessSteps: number;
  readonly traceHash: number;
  readonly maxTerm: number;
  readonly committed: number;
  readonly snapshotsInstalled: number;
  /** Crashes in the middle of a Ready (after persisting, before sending or applying). */
  readonly midReadyCrashes: number;
  readonly faults: FaultCounts;
  readonly membership: MembershipCounts;
  readonly network: NetworkStats;
  readonly checks: SafetyChecker['counts'];
}
type SafetyChecker = Cluster['checker'];

/** The one-line command that replays a seed. */
export function replayCommand(seed: number, nodes: number): string {
  return `SIM_SEED=${seed} SIM_NODES=${nodes} SIM_TRACE=1 npx vitest run test/sim`;
}

/** A failed simulation, with everything needed to replay it. */
export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly nodes: number,
    readonly step: number,
    override readonly cause: unknown,
    readonly recent: readonly string[],
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const tail = recent.length > 0 ? `\nlast events:\n  ${recent.join('\n  ')}` : '';
    super(
      `raft sim failed (seed=${seed} nodes=${nodes} step=${step}): ${why}\n  replay: ${replayCommand(seed, nodes)}${tail}`,
    );
    this.name = 'SimFailure';
  }
}

/** Node count for a seed when none is given: spread over 3, 5 and 7. */
export function nodesForSeed(seed: number): number {
  return [3, 5, 7][seed % 3] as number;
}

/** Runs one simulation; throws `SimFailure` on any violation. */
export function runSimulation(opts: SimOptions): SimReport {
  const rng = new Prng(opts.seed * 8 + opts.nodes);
  const drawn = makeScenario(rng.fork(), opts.nodes, opts.faultSteps);
  const scenario = opts.scenario ? opts.scenario(drawn) : drawn;
  let cluster: Cluster | undefined;
  try {
    cluster = new Cluster({
      size: opts.nodes,
      settings: scenario.settings,
      rng: rng.fork(),
      faults: scenario.faults,
      tickSkip: scenario.tickSkip,
      trace: opts.trace ?? false,
      joinEmpty: scenario.joinEmpty,
    });
    opts.instrument?.(cluster);
    return simulate(opts, scenario, cluster, new FaultInjector(scenario, rng.fork(), cluster));
  } catch (err) {
    const recent = cluster?.recent ?? [];
    throw new SimFailure(opts.seed, opts.nodes, cluster?.now ?? 0, err, recent);
  }
}

function simulate(opts: SimOptions, s: Scenario, c: Cluster, inject: FaultInjector): SimReport {
  for (let i = 0; i < s.faultSteps; i++) {
    inject.inject();
    c.step();
    if (c.now % SCAN_EVERY === 0) c.verifyStorage();
  }
  // Heal: reliable network, no partition, everyone up.
  inject.heal();
  c.net.faults = reliableNetwork;
  for (const id of c.ids) {
    c.node(id).crashAt = null; // cancel crashes scheduled inside a Ready
    if (!c.node(id).up && !c.retired.has(id)) inject.restart(id);
  }
  c.drainAll();
  const livenessSteps = opts.skipLiveness ? 0 : awaitLiveness(c, inject, opts.seed);
  c.verifyStorage();
  let maxTerm = 0;
  let committed = 0;
  let snapshotsInstalled = 0;
  for (const id of c.ids) {
    const n = c.node(id);
    maxTerm = Math.max(maxTerm, n.term);
    committed = Math.max(committed, n.sm.applied);
    snapshotsInstalled += n.stats.snapshotsInstalled;
  }
  return {
    seed: opts.seed,
    nodes: opts.nodes,
    steps: c.now,
    faultSteps: s.faultSteps,
    livenessSteps,
    traceHash: c.traceHash,
    maxTerm,
    committed,
    snapshotsInstalled,
    midReadyCrashes: c.midReadyCrashes,
    faults: inject.counts,
    membership: inject.membership?.counts ?? { proposed: 0, refused: 0, nodesAdded: 0, retired: 0 },
    network: c.net.stats,
    checks: c.checker.counts,
  };
}

/** Steps until a fresh proposal is applied on every node; throws a liveness violation past the bound. */
function awaitLiveness(c: Cluster, inject: FaultInjector, seed: number): number {
  const rng = new Prng(seed ^ 0x5eed);
  let marker: { index: number; fp: number; at: number } | undefined;
  const nodes = c.ids.filter((id) => !c.retired.has(id)).map((id) => c.node(id));
  const backlog =
    Math.max(...nodes.map((n) => n.storage.lastIndex())) - Math.min(...nodes.map((n) => n.sm.applied));
  const bound = LIVENESS_BOUND + BACKLOG_STEPS * backlog;
  for (let k = 1; k <= bound; k++) {
    if (!marker || k - marker.at >= REPROPOSE_EVERY) {
      const leader = c.leader();
      const data = payload(rng, inject.nextSeq(), 8);
      const r = leader?.raft?.propose(data);
      if (r?.ok) {
        const fp = entryFingerprint({ index: r.index, term: r.term, type: EntryType.Normal, data });
        marker = { index: r.index, fp, at: k };
      }
    }
    c.step();
    inject.membership?.retireRemoved();
    // Members that joined with no membership catch up only from a snapshot.
    if (k % 25 === 0 && c.members().some((id) => !c.retired.has(id) && c.node(id).storage.lastIndex() === 0))
      c.leader()?.snapshotAndCompact(0);
    if (marker && c.checker.appliedAt(marker.index) === marker.fp) {
      const m = marker;
      // Every member (per the leader's applied configuration) has applied the marker.
      const members = c.members();
      if (members.every((id) => !c.retired.has(id) && c.node(id).sm.applied >= m.index)) return k;
    }
  }
  const state = c.ids
    .filter((id) => !c.retired.has(id))
    .map((id) => {
      const n = c.node(id);
      return `${id}:${n.up ? n.role : 'down'}/t${n.term}/applied${n.sm.applied}/last${n.storage.lastIndex()}`;
    })
    .join(' ');
  throw new SafetyViolation(
    'liveness',
    `no proposal applied on all nodes within ${bound} steps after heal (backlog ${backlog}, marker ${marker ? marker.index : 'never accepted'}); ${state}`,
  );
}
