/**
 * Seeds and minimal cases the simulator found. A core bug is `it.fails` until the core's owner
 * fixes it (vitest then reports it as passing unexpectedly: turn it into a plain `it`). Fixed bugs,
 * in the core or in the simulator, stay here as plain replays.
 */
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../consensus/confchange.js';
import { defaultRaftOptions } from '../../consensus/options.js';
import { Raft } from '../../consensus/raft.js';
import { Cluster } from '../../consensus/sim/cluster.js';
import { reliableNetwork } from '../../consensus/sim/network.js';
import { Prng } from '../../consensus/sim/prng.js';
import { runSimulation } from '../../consensus/sim/run.js';
import type { Scenario } from '../../consensus/sim/scenario.js';
import { MemoryStorage } from '../../consensus/storage.js';
import { type Entry, EntryType } from '../../consensus/types.js';

/**
 * Compaction never keeps entries behind the snapshot index: how seeds were hunted while the core
 * bug of conf changes re-applied on restart (fixed in fa60f00) was known. Same draws, all zero, so
 * a seed found that way replays exactly.
 */
function compactAtSnapshot(s: Scenario): Scenario {
  return { ...s, compactKeep: s.compactKeep.map(() => 0) };
}

function confEntry(index: number, type: 'addLearner' | 'addVoter', node: string): Entry {
  return { index, term: 1, type: EntryType.ConfChange, data: encodeConfChange({ type, node }) };
}

describe('core bugs found by the simulator (fixed in fa60f00)', () => {
  // CORE BUG, FIXED (seeds 1260/3, 1244/7, 1882/5; replay: SIM_SEED=1260 SIM_NODES=3 SIM_TRACE=1 npx vitest
  // run test/sim). A node that snapshotted at index S but compacted its log only up to
  // C < S (keeping a few entries for slow followers, which MemoryStorage allows) restarts with
  // `applied = S`. `new Raft` replays conf changes in (log.applied, S], but RaftLog starts
  // `applied` at firstIndex - 1 = C, not at the snapshot index S, so the changes in (C, S], which
  // are already in the snapshot's ConfState, are applied a second time: addLearner(n4) on a conf
  // where n4 is already a voter throws "n4 is a voter; demotion is not supported", and the node
  // cannot restart. Fix: start the replay after max(firstIndex - 1, storage.snapshot().meta.index).
  it('restart after compacting below the snapshot index does not re-apply conf changes in the snapshot', () => {
    const voters = ['a', 'b', 'c'];
    const storage = new MemoryStorage({ voters });
    storage.append([
      { index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array() },
      confEntry(2, 'addLearner', 'n4'),
      confEntry(3, 'addVoter', 'n4'),
    ]);
    storage.setHardState({ term: 1, vote: 'a', commit: 3 });
    storage.createSnapshot(3, { voters: [...voters, 'n4'], learners: [] }, new Uint8Array());
    storage.compact(1); // keep entries 2..3 behind the snapshot at 3
    const raft = new Raft({ ...defaultRaftOptions, id: 'a', storage, random: () => 0.5, applied: 3 });
    expect(raft.status().conf.voters).toEqual([...voters, 'n4']);
  });

  it('sim seed 1260 on 3 nodes (membership changes, compaction that keeps entries, restart)', () => {
    runSimulation({ seed: 1260, nodes: 3 });
  });

  // CORE BUG, FIXED: liveness (seed 5502/3 under compactAtSnapshot; replay: npx vitest run
  // test/sim/regressions.test.ts -t 5502). n4 and n5 joined
  // with no membership (empty storage, as MemoryStorage's docs intend) and were promoted to voters
  // before they had any data; n1 was then removed, so every commit needs n4 or n5. Leader n2
  // (term 15) probes n4 with `append prev=508/14 n=32` every step; follower.ts handleAppend drops
  // an append that carries entries when the node has no membership and an empty log, without an
  // answer, so the leader never learns that n4's log is empty: its `next` for n4 stays at 509,
  // above its first index (361), and it never falls back to a snapshot. Commit stalls at 360, the
  // leader cannot compact past it, and the cluster is stuck for good (heartbeats still flow).
  // Fix: answer with a reject (rejectHint 0) so the leader backs off and sends a snapshot.
  it('sim seed 5502 on 3 nodes: a voter that joined with no membership gets a snapshot', () => {
    runSimulation({ seed: 5502, nodes: 3, scenario: compactAtSnapshot });
  });

  // The same bug, minimal and deterministic: n4 joins empty while down, is promoted, n3 crashes
  // (every commit now needs n4), and leadership moves to a new leader whose `next` for n4 is its
  // last index + 1. It probes `append prev=8/1 n=134` forever; n4 answers only heartbeats.
  it('a promoted voter that joined with no membership and is needed for quorum is caught up', () => {
    const settings = { ...defaultRaftOptions, heartbeatTick: 2, maxUncommittedBytes: 0 };
    const c = new Cluster({
      size: 3,
      settings,
      rng: new Prng(1),
      faults: reliableNetwork,
      tickSkip: 0,
      joinEmpty: true,
    });
    const run = (n: number, each?: (k: number) => void): void => {
      for (let k = 0; k < n; k++) {
        each?.(k);
        c.step();
      }
    };
    run(100);
    const first = c.leader();
    if (!first?.raft) throw new Error('no leader');
    const [other, third] = c.ids.filter((id) => id !== first.id) as [string, string];
    c.addNode('n4');
    c.crash('n4');
    expect(first.raft.proposeConfChange({ type: 'addLearner', node: 'n4' }).ok).toBe(true);
    run(10);
    expect(first.raft.proposeConfChange({ type: 'addVoter', node: 'n4' }).ok).toBe(true);
    run(10);
    c.crash(third);
    c.restart('n4');
    first.raft.transferLeadership(other);
    run(60);
    const leader = c.leader();
    expect(leader?.id).toBe(other);
    run(400, (k) => {
      if (k % 3 === 0) leader?.raft?.propose(new Uint8Array([7, k & 255]));
      if (k % 25 === 0) leader?.snapshotAndCompact(0);
    });
    expect(c.node('n4').storage.lastIndex()).toBeGreaterThan(0);
    expect(leader?.storage.initialState().hardState.commit).toBeGreaterThan(20);
  });
});

describe('simulator bugs found and fixed (replays)', () => {
  it('seed 435 on 3 nodes: a large backlog (64-byte messages, 1 in flight) needs more than the base bound', () => {
    expect(runSimulation({ seed: 435, nodes: 3 }).livenessSteps).toBeGreaterThan(500);
  });

  it('seeds 1274/7 and 1321/5: a crash scheduled inside a Ready must not fire after the heal', () => {
    expect(runSimulation({ seed: 1274, nodes: 7 }).livenessSteps).toBeGreaterThan(0);
    expect(runSimulation({ seed: 1321, nodes: 5 }).livenessSteps).toBeGreaterThan(0);
  });
});
