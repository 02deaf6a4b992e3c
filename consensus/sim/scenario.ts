/**
 * A scenario: fault rates and Raft settings drawn from the seed, and the per-step fault injector
 * (partitions, crashes and restarts, snapshots with compaction, client proposals, leadership
 * transfers). Every decision draws from the scenario's seeded generator.
 */
import type { Cluster } from './cluster.js';
import { MembershipDriver } from './membership.js';
import type { NetworkFaults } from './network.js';
import type { SimRaftSettings } from './node.js';
import type { Prng } from './prng.js';

/** Everything random about a run, fixed up front from the seed. */
export interface Scenario {
  readonly size: number;
  /** Steps with faults; then the network heals and liveness is checked. */
  readonly faultSteps: number;
  readonly faults: NetworkFaults;
  readonly tickSkip: number;
  readonly settings: SimRaftSettings;
  /** Per-step probabilities. */
  readonly pPartition: number;
  readonly pHeal: number;
  readonly pCrash: number;
  readonly pRestart: number;
  readonly maxDown: number;
  readonly pSnapshot: number;
  readonly pPropose: number;
  readonly maxBatch: number;
  readonly pTransfer: number;
  /** Per-step probability of proposing a membership change (0 for most seeds). */
  readonly pMembership: number;
  /** Added nodes start with no membership and wait for a snapshot (else: from genesis). */
  readonly joinEmpty: boolean;
  /** Entries a compaction keeps behind the snapshot index (as etcd advises), one drawn per snapshot. */
  readonly compactKeep: readonly number[];
}

/** Draws a scenario for a cluster of `size` nodes. */
export function makeScenario(rng: Prng, size: number, faultSteps?: number): Scenario {
  const calm = rng.chance(0.1);
  const electionTick = rng.pick([8, 10, 12]);
  const drawnSteps = rng.range(200, 1200); // drawn even when overridden, so the rest stays the same
  return {
    size,
    faultSteps: faultSteps ?? drawnSteps,
    faults: {
      drop: calm ? 0 : rng.pick([0, 0.01, 0.05, 0.1, 0.2]),
      duplicate: calm ? 0 : rng.pick([0, 0.02, 0.1]),
      delay: calm ? 0 : rng.pick([0, 0.1, 0.3]),
      maxDelay: rng.range(1, 6),
      reorder: !calm && rng.chance(0.6),
    },
    tickSkip: rng.pick([0, 0, 0.1, 0.3]),
    settings: {
      electionTick,
      heartbeatTick: rng.pick([1, 2, 3]),
      preVote: rng.chance(0.8),
      checkQuorum: rng.chance(0.8),
      maxSizePerMsg: rng.pick([64, 256, 1024, 1 << 20]),
      maxInflightMsgs: rng.pick([1, 4, 16, 256]),
      maxUncommittedBytes: rng.pick([0, 0, 4096]),
    },
    pPartition: calm ? 0 : rng.pick([0, 0.005, 0.01, 0.03]),
    pHeal: rng.pick([0.01, 0.03, 0.1]),
    pCrash: calm ? 0 : rng.pick([0, 0.003, 0.01, 0.02]),
    pRestart: rng.pick([0.02, 0.05, 0.2]),
    maxDown: rng.range(1, size),
    pSnapshot: rng.pick([0, 0.01, 0.05, 0.1]),
    pPropose: rng.pick([0.05, 0.2, 0.5]),
    maxBatch: rng.pick([1, 3, 10]),
    pTransfer: rng.pick([0, 0, 0.002, 0.01]),
    pMembership: rng.pick([0, 0, 0, 0.01, 0.03]),
    joinEmpty: rng.chance(0.5),
    compactKeep: [0, 0, 2, 10],
  };
}

/** What the fault injector did (counts). */
export interface FaultCounts {
  partitions: number;
  isolatedLeader: number;
  minoritySplits: number;
  threeWaySplits: number;
  heals: number;
  crashes: number;
  restarts: number;
  snapshots: number;
  proposals: number;
  proposalsAccepted: number;
  transfers: number;
}

/** Fresh zero counts. */
function zeroFaultCounts(): FaultCounts {
  return {
    partitions: 0,
    isolatedLeader: 0,
    minoritySplits: 0,
    threeWaySplits: 0,
    heals: 0,
    crashes: 0,
    restarts: 0,
    snapshots: 0,
    proposals: 0,
    proposalsAccepted: 0,
    transfers: 0,
  };
}

/** Encodes a unique client payload: 4-byte sequence number plus random filler. */
export function payload(rng: Prng, seq: number, maxFill: number): Uint8Array {
  const out = new Uint8Array(4 + rng.int(maxFill + 1));
  new DataView(out.buffer).setUint32(0, seq);
  for (let i = 4; i < out.length; i++) out[i] = rng.int(256);
  return out;
}

/** Injects this step's faults and client traffic; call before `cluster.step()`. */
export class FaultInjector {
  readonly counts = zeroFaultCounts();
  private seq = 0;
  /** Present when the scenario changes membership. */
  readonly membership: MembershipDriver | undefined;

  constructor(
    private readonly s: Scenario,
    private readonly rng: Prng,
    private readonly c: Cluster,
  ) {
    this.membership =
      s.pMembership > 0
        ? new MembershipDriver(c, rng.fork(), Math.min(9, s.size + 2), s.joinEmpty)
        : undefined;
  }

  /** Next unique payload sequence number. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** One step's worth of random events. */
  inject(): void {
    const { s, rng, c } = this;
    if (c.net.partitioned) {
      if (rng.chance(s.pHeal)) this.heal();
    } else if (rng.chance(s.pPartition)) this.partition();
    this.membership?.step(s.pMembership);
    const down = c.ids.filter((id) => !c.node(id).up && !c.retired.has(id));
    for (const id of down) if (rng.chance(s.pRestart)) this.restart(id);
    if (down.length < s.maxDown && rng.chance(s.pCrash)) {
      const up = c.upNodes();
      const leader = c.leader();
      // Crash the leader a third of the time: it is the interesting case.
      const victim = leader && rng.chance(0.33) ? leader : up.length > 0 ? rng.pick(up) : undefined;
      if (victim && rng.chance(0.3)) {
        // Crash inside its next Ready handling: a leader's early appends sent but nothing persisted
        // (thesis 10.2.1), or persisted and maybe not sent; never applied.
        const at = rng.int(3);
        victim.crashAt = at === 0 ? 'afterEarlySend' : at === 1 ? 'afterPersist' : 'afterSend';
      } else if (victim) {
        c.crash(victim.id);
        this.counts.crashes++;
      }
    }
    if (rng.chance(s.pSnapshot)) {
      const up = c.upNodes();
      const node = up.length > 0 ? rng.pick(up) : undefined;
      const keep = node ? rng.pick(s.compactKeep) : 0;
      if (node?.snapshotAndCompact(keep)) this.counts.snapshots++;
    }
    if (rng.chance(s.pPropose)) this.propose(rng.range(1, s.maxBatch));
    if (s.pTransfer > 0 && rng.chance(s.pTransfer)) {
      const leader = c.leader();
      if (leader?.raft) {
        leader.raft.transferLeadership(rng.pick(c.ids.filter((id) => id !== leader.id)));
        this.counts.transfers++;
      }
    }
  }

  /** Proposes `n` entries to a random node that believes it leads. */
  propose(n: number): void {
    const leaders = this.c.upNodes().filter((x) => x.role === 'leader');
    if (leaders.length === 0) return;
    const node = this.rng.pick(leaders);
    for (let i = 0; i < n; i++) {
      this.counts.proposals++;
      const r = node.raft?.propose(payload(this.rng, this.nextSeq(), 48));
      if (r?.ok) this.counts.proposalsAccepted++;
    }
  }

  private partition(): void {
    const { rng, c } = this;
    const ids = rng.shuffle([...c.ids]);
    const kind = rng.int(3);
    const leader = c.leader();
    let groups: string[][];
    if (kind === 0 && leader) {
      groups = [ids.filter((id) => id !== leader.id), [leader.id]];
      this.counts.isolatedLeader++;
    } else if (kind === 1 || ids.length < 3) {
      const cut = rng.range(1, ids.length - 1);
      groups = [ids.slice(0, cut), ids.slice(cut)];
      this.counts.minoritySplits++;
    } else {
      const a = rng.range(1, ids.length - 2);
      const b = rng.range(a + 1, ids.length - 1);
      groups = [ids.slice(0, a), ids.slice(a, b), ids.slice(b)];
      this.counts.threeWaySplits++;
    }
    c.net.partition(groups);
    // Half the reports as certain (a refused connect), which only a buggy transport would say of a
    // live peer: safety must not depend on the transport being right.
    c.reportPartition(groups, rng.chance(0.5));
    this.counts.partitions++;
    c.log?.(`partition ${JSON.stringify(ids)}`);
  }

  /** Ends any partition. */
  heal(): void {
    if (!this.c.net.partitioned) return;
    this.c.net.heal();
    this.counts.heals++;
    this.c.log?.('heal');
  }

  /** Restarts a crashed node. */
  restart(id: string): void {
    this.c.restart(id);
    this.counts.restarts++;
  }
}
