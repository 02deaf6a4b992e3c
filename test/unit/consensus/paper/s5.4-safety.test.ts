/** Raft paper §5.4: safety. The election restriction and the commitment rule of Figure 8. */
import { describe, expect, it } from 'vitest';
import type { VoteRespMsg } from '../../../../consensus/types.js';
import { bytes, Pump, storageWithLog } from '../helpers/pump.js';

describe('§5.4 Safety', () => {
  it("§5.4.1: a voter denies its vote if its own log is more up-to-date than the candidate's", () => {
    // Voter log: terms [1, 1, 2] -> last (index 3, term 2).
    const cases: [lastLogIndex: number, lastLogTerm: number, granted: boolean][] = [
      [3, 2, true], // same last entry
      [4, 2, true], // same last term, longer
      [2, 2, false], // same last term, shorter
      [9, 1, false], // longer but older last term
      [1, 3, true], // shorter but newer last term
      [0, 0, false], // empty log
    ];
    for (const [lastLogIndex, lastLogTerm, granted] of cases) {
      const p = new Pump([]);
      p.addNode('v', storageWithLog(['v', 'c', 'x'], [1, 1, 2], { term: 2 }));
      p.raft('v').step({
        type: 'vote',
        from: 'c',
        to: 'v',
        term: 3,
        lastLogIndex,
        lastLogTerm,
        transfer: false,
      });
      const [resp] = p.take('v') as VoteRespMsg[];
      expect(resp?.reject, `candidate last (${lastLogIndex}, ${lastLogTerm})`).toBe(!granted);
    }
  });

  it('§5.4.1: a candidate missing a committed entry cannot be elected (leader completeness)', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    p.isolate('c');
    p.propose('a', 'committed');
    expect(p.raft('a').status().commit).toBe(2);
    // a goes away; c (which lacks entry 2) cannot win against b.
    p.heal();
    p.isolate('a');
    p.campaign('c');
    expect(p.raft('c').role).not.toBe('leader');
    p.campaign('b');
    expect(p.raft('b').role).toBe('leader');
    p.stabilize();
    expect(p.node('c').appliedData).toEqual(['committed']);
  });

  it('§5.4.2: a leader does not commit an entry from a previous term by counting replicas', () => {
    // a holds an entry of term 2 at index 2 that only b has; a is elected in term 3.
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const p = new Pump([]);
    p.addNode('a', storageWithLog(ids, [1, 2], { term: 2 }));
    p.addNode('b', storageWithLog(ids, [1, 2], { term: 2 }));
    for (const id of ['c', 'd', 'e']) p.addNode(id, storageWithLog(ids, [1], { term: 2 }));
    const a = p.raft('a');
    while (a.role !== 'candidate') a.tick();
    p.take('a');
    for (const from of ['b', 'c']) a.step({ type: 'voteResp', from, to: 'a', term: 3, reject: false });
    expect(a.role).toBe('leader');
    expect(a.log.term(3)).toBe(3); // its empty entry of term 3
    p.take('a');
    // a, b, c now hold index 2: a majority, but index 2 is from term 2.
    const ack = (from: string, index: number) =>
      a.step({
        type: 'appendResp',
        from,
        to: 'a',
        term: 3,
        index,
        reject: false,
        rejectHint: 0,
        hintTerm: 0,
      });
    ack('b', 2);
    ack('c', 2);
    expect(a.status().commit).toBe(0);
    ack('b', 3);
    expect(a.status().commit).toBe(0);
    // Once an entry of the current term is on a majority, it and everything before it commit.
    ack('c', 3);
    expect(a.status().commit).toBe(3);
  });

  it('§5.4.2 Figure 8: an old-term entry replicated on a majority is not committed and may be overwritten', () => {
    const ids = ['s1', 's2', 's3', 's4', 's5'];
    // Every entry travels in its own append so the scenario can let index 2 through but not index 3.
    const p = new Pump(ids, { options: { maxSizePerMsg: 1 } });
    const electLoop = (id: string) => {
      for (let i = 0; i < 100 && p.raft(id).role !== 'leader'; i++) p.tick(1, [id]);
      expect(p.raft(id).role).toBe('leader');
    };
    // (a) s1 leads and replicates index 2 only to s2.
    electLoop('s1');
    for (const id of ['s3', 's4', 's5']) p.isolate(id);
    p.propose('s1', 'xx');
    expect(p.raft('s2').log.lastIndex()).toBe(2);
    expect(p.raft('s1').status().commit).toBe(1);
    const term2 = p.raft('s1').log.term(2);
    // (b) s1 is cut off; s5 wins with s3, s4 and appends a different index 2, which nobody receives.
    p.heal();
    p.isolate('s1');
    p.restart('s1'); // crashes: it comes back as a follower
    p.filter = (m) => !(m.from === 's5' && m.type === 'append');
    electLoop('s5');
    expect(p.raft('s5').log.term(2)).toBeGreaterThan(term2);
    p.heal();
    p.isolate('s5');
    p.restart('s5');
    // (c) s1 returns and leads again; it replicates its old index 2 to s3 but not yet its new entry.
    // (Appends carrying index 3 are dropped, except to a node that will reject them anyway.)
    p.isolate('s4');
    p.filter = (m) =>
      !(m.type === 'append' && m.entries.some((e) => e.index >= 3) && p.raft(m.to).log.lastIndex() >= 2);
    electLoop('s1');
    p.tick(3, ['s1']);
    expect(p.raft('s3').log.term(2)).toBe(term2); // a majority (s1, s2, s3) holds index 2...
    expect(p.raft('s1').status().commit).toBe(1); // ...but it is not committed
    // (d) s1 crashes before its current-term entry spreads; s5 wins and overwrites index 2.
    p.heal();
    p.isolate('s1');
    p.restart('s1');
    electLoop('s5');
    p.stabilize();
    for (const id of ['s2', 's3', 's4', 's5']) {
      expect(p.raft(id).log.term(2)).toBe(p.raft('s5').log.term(2));
      expect(p.node(id).appliedData).not.toContain('xx');
    }
    expect(p.raft('s5').status().commit).toBeGreaterThanOrEqual(3);
  });

  it('§5.4.3: committed entries survive a change of leader and are applied once, in order, everywhere', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    for (const x of ['1', '2', '3']) p.propose('a', x);
    p.isolate('a');
    for (let i = 0; i < 5 && p.raft('b').role !== 'leader'; i++) p.campaign('b');
    p.raft('b').propose(bytes('4'));
    p.heal();
    p.stabilize();
    p.tick(1, ['b']);
    for (const id of ['a', 'b', 'c']) expect(p.node(id).appliedData).toEqual(['1', '2', '3', '4']);
  });
});
