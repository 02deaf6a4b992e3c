/** Tests of the simulator itself: determinism, faults really happen, failures name their replay. */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../consensus/sim/cluster.js';
import { nodesForSeed, replayCommand, runSimulation, SimFailure } from '../../consensus/sim/run.js';
import { MemoryStorage } from '../../consensus/storage.js';

/**
 * Deliberately broken durability, to show the checker catches what it should: every crash loses
 * the node's last 1-3 persisted entries, as if appends were acknowledged before they were durable.
 * The checker is told (its shadow of the node is reset to what survived).
 */
function loseTailOnCrash(c: Cluster): void {
  const crash = c.crash.bind(c);
  c.crash = (id) => {
    crash(id);
    const node = c.node(id);
    const old = node.storage;
    const { hardState } = old.initialState();
    const snap = old.snapshot();
    const fresh = new MemoryStorage({ voters: node.initialConf.voters, learners: node.initialConf.learners });
    if (snap.meta.index > 0) fresh.applySnapshot(snap);
    // Drawn from the node's generator, as when this lived in the simulator: same seeds, same runs.
    const last = Math.max(old.firstIndex() - 1, old.lastIndex() - node.rng.range(1, 3));
    const entries = last >= old.firstIndex() ? old.entries(old.firstIndex(), last + 1) : [];
    fresh.append(entries);
    const hs = { term: hardState.term, vote: hardState.vote, commit: Math.min(hardState.commit, last) };
    fresh.setHardState(hs);
    node.storage = fresh;
    c.checker.forget(id);
    if (snap.meta.index > 0) c.checker.snapshot(id, snap.meta);
    c.checker.append(id, entries);
    c.checker.hardState(id, hs);
  };
}

describe('raft simulator', () => {
  it('replays a seed identically (same trace hash and counts)', () => {
    for (const seed of [1, 2, 3, 77]) {
      const a = runSimulation({ seed, nodes: nodesForSeed(seed) });
      const b = runSimulation({ seed, nodes: nodesForSeed(seed) });
      expect(b.traceHash).toBe(a.traceHash);
      expect(b.network).toEqual(a.network);
      expect(b.faults).toEqual(a.faults);
      expect(b.steps).toBe(a.steps);
    }
    const x = runSimulation({ seed: 5, nodes: 5 });
    const y = runSimulation({ seed: 6, nodes: 5 });
    expect(x.traceHash).not.toBe(y.traceHash);
  });

  it('tracing does not change the run', () => {
    const a = runSimulation({ seed: 11, nodes: 5 });
    const b = runSimulation({ seed: 11, nodes: 5, trace: true });
    expect(b.traceHash).toBe(a.traceHash);
  });

  it('injects every kind of fault and the checker sees real traffic (60 seeds)', () => {
    const sum: Record<string, number> = {};
    const add = (o: object): void => {
      for (const [k, v] of Object.entries(o)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
    };
    let maxLiveness = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = runSimulation({ seed, nodes: nodesForSeed(seed) });
      add(r.faults);
      add(r.membership);
      add(r.network);
      add(r.checks);
      add({
        midReadyCrashes: r.midReadyCrashes,
        snapshotsInstalled: r.snapshotsInstalled,
        committed: r.committed,
        terms: r.maxTerm,
      });
      maxLiveness = Math.max(maxLiveness, r.livenessSteps);
    }
    for (const k of [
      'dropped',
      'duplicated',
      'delayed',
      'reordered',
      'partitionLost',
      'downLost',
      'isolatedLeader',
      'minoritySplits',
      'threeWaySplits',
      'heals',
      'crashes',
      'midReadyCrashes',
      'restarts',
      'snapshots',
      'snapshotsInstalled',
      'transfers',
      'nodesAdded',
      'retired',
      'proposalsAccepted',
      'leaders',
      'completeness',
      'applies',
      'storageScans',
    ]) {
      expect(sum[k] ?? 0, k).toBeGreaterThan(0);
    }
    // Leaders changed many times, and a lot was committed.
    expect(sum.leaders ?? 0).toBeGreaterThan(120);
    expect(sum.committed ?? 0).toBeGreaterThan(5000);
    expect(maxLiveness).toBeGreaterThan(0);
  });

  it('a failure names the seed, the node count and the replay command', () => {
    const err = new SimFailure(1234, 5, 99, new Error('election_safety: two leaders'), [
      '[98] n1 leader term 3',
    ]);
    expect(err.message).toContain('seed=1234 nodes=5 step=99');
    expect(err.message).toContain(replayCommand(1234, 5));
    expect(replayCommand(1234, 5)).toBe('SIM_SEED=1234 SIM_NODES=5 SIM_TRACE=1 npx vitest run test/sim');
  });
});

describe('the checker has teeth', () => {
  it('catches lost durable writes (loseTailOnCrash) as a Raft property violation', () => {
    const caught: string[] = [];
    // Seeds 45-120 until the first is caught (seed 50 today; 9 and 12 were, before crashed peers
    // were reported lost to the others and elections got faster). Some sabotaged seeds (5) are
    // slow: a follower missing entries below its acknowledged match makes the leader retry
    // without end, and duplication amplifies that into a message storm.
    for (let seed = 45; seed <= 120 && caught.length === 0; seed++) {
      try {
        runSimulation({ seed, nodes: nodesForSeed(seed), instrument: loseTailOnCrash, skipLiveness: true });
      } catch (err) {
        expect(err).toBeInstanceOf(SimFailure);
        caught.push((err as Error).message);
      }
    }
    expect(caught.length).toBeGreaterThan(0);
    for (const m of caught) {
      expect(m).toMatch(/leader_completeness|state_machine_safety|log_matching|election_safety/);
      expect(m).toMatch(/replay: SIM_SEED=\d+ SIM_NODES=\d/);
    }
  });
});
