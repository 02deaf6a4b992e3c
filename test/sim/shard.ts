/** Defines the vitest cases of one shard of simulator seeds; each seed is one test. */
import { describe, expect, it } from 'vitest';
import { runSimulation, type SimReport } from '../../consensus/sim/run.js';
import { KNOWN_CORE_BUG_SEEDS, replaying, seedsFor, tracing } from './seeds.js';

/** Aggregate of a shard's reports, printed when replaying. */
function summary(r: SimReport): string {
  return JSON.stringify({
    seed: r.seed,
    nodes: r.nodes,
    steps: r.steps,
    livenessSteps: r.livenessSteps,
    maxTerm: r.maxTerm,
    committed: r.committed,
    snapshotsInstalled: r.snapshotsInstalled,
    faults: r.faults,
    network: r.network,
  });
}

/** Registers shard `shard` of `shards`. */
export function defineShard(shard: number, shards: number): void {
  const cases = seedsFor(shard, shards);
  describe(`raft simulator, shard ${shard + 1}/${shards}`, () => {
    if (cases.length === 0) {
      it.skip('no seeds in this shard', () => {});
      return;
    }
    for (const c of cases) {
      const bug = replaying() ? undefined : KNOWN_CORE_BUG_SEEDS.get(c.seed);
      if (bug) {
        it.skip(`seed ${c.seed} on ${c.nodes} nodes (known core bug: ${bug})`, () => {});
        continue;
      }
      it(`seed ${c.seed} on ${c.nodes} nodes`, () => {
        const report = runSimulation({ seed: c.seed, nodes: c.nodes, trace: tracing() });
        if (replaying()) console.log(summary(report));
        expect(report.livenessSteps).toBeGreaterThan(0);
      });
    }
  });
}
