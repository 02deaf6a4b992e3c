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
      { node: 'node2', leader_seen_ms: 510, leader_known_ms: null },
      { node: 'node3', leader_seen_ms: 400, leader_known_ms: null },
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

describe("the survivors' own stamps of the new leader (leaderSince)", () => {
  it('a majority knew the leader at the later stamp of two survivors, before the polls saw it', () => {
    const w = watch();
    w.observe('node3', 'node3', 1400, 1310);
    w.observe('node2', 'node3', 1510, 1380);
    expect(w.agreed()).toBe('node3');
    expect(w.knownByMajorityMs('node3')).toBe(380);
    expect(w.views('node3').map((v) => v.leader_known_ms)).toEqual([380, 310]);
  });

  it('three of four survivors: the third-earliest stamp', () => {
    const w = new LeaderWatch('node1', ['node2', 'node3', 'node4', 'node5'], 0);
    w.observe('node2', null, 300);
    w.observe('node3', 'node3', 300, 100);
    w.observe('node4', 'node3', 300, 250);
    w.observe('node5', 'node3', 300, 180);
    expect(w.knownByMajorityMs('node3')).toBe(250);
  });

  it('a stamp of another leader, or none (a build without the field), gives no figure', () => {
    const w = watch();
    w.observe('node2', 'node2', 1100, 1090);
    w.observe('node2', 'node3', 1300);
    w.observe('node3', 'node3', 1300, 1200);
    expect(w.agreed()).toBe('node3');
    expect(w.knownByMajorityMs('node3')).toBeNull();
    expect(w.views('node3').map((v) => v.leader_known_ms)).toEqual([null, 200]);
  });
});
