import { describe, expect, it } from 'vitest';
import { LeaderWatch } from '../../../cli/bench/network/faults.js';

// node1 led and was killed at epoch ms 1000; node2 and node3 survive.
const watch = () => new LeaderWatch('node1', ['node2', 'node3'], 1000);

describe('the survivors of a killed leader, as the bench polls them', () => {
  it('each survivor is timed from the kill to the first answer that named the agreed leader', () => {
    const w = watch();
    const polls: [string, string | null, number][] = [
      ['node2', 'node1', 1020],
      ['node3', null, 1030],
      ['node3', 'node3', 1400],
      ['node2', null, 1420],
      ['node2', 'node3', 1510],
    ];
    for (const [node, leader, at] of polls) w.observe(node, leader, at);
    expect(w.agreed()).toBe('node3');
    expect(w.views('node3')).toEqual([
      { node: 'node2', leader_seen_ms: 510 },
      { node: 'node3', leader_seen_ms: 400 },
    ]);
  });

  it('no agreement while a survivor still names the old leader or none', () => {
    const w = watch();
    w.observe('node2', 'node1', 1100);
    w.observe('node3', 'node3', 1100);
    expect(w.agreed()).toBeNull();
    w.observe('node2', null, 1200);
    expect(w.agreed()).toBeNull();
  });

  it('a leader one survivor named before the vote moved on does not count for the agreed one', () => {
    const w = watch();
    w.observe('node2', 'node2', 1100); // a term that did not last
    w.observe('node3', 'node3', 1300);
    w.observe('node2', 'node3', 1350);
    expect(w.agreed()).toBe('node3');
    expect(w.views('node3').map((v) => v.leader_seen_ms)).toEqual([350, 300]);
  });

  it('a survivor that has not named the agreed leader yet is null (five nodes, three of four agree)', () => {
    const w = new LeaderWatch('node1', ['node2', 'node3', 'node4', 'node5'], 0);
    w.observe('node2', null, 200);
    for (const n of ['node3', 'node4', 'node5']) w.observe(n, 'node3', 200);
    expect(w.agreed()).toBe('node3');
    expect(w.views('node3').find((v) => v.node === 'node2')?.leader_seen_ms).toBeNull();
  });
});
