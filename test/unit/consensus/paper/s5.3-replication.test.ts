/** Raft paper §5.3: log replication, the log-matching property, and repairing follower logs. */
import { describe, expect, it } from 'vitest';
import type { AppendMsg, AppendRespMsg } from '../../../../consensus/types.js';
import { bytes, entry, Pump, storageWithLog } from '../helpers/pump.js';

describe('§5.3 Log replication', () => {
  it('§5.3: the leader appends a command to its log, replicates it, commits it on a majority and every node applies it', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    const res = p.propose('a', 'x=1');
    expect(res).toEqual({ ok: true, index: 2, term: 1 });
    for (const id of ['a', 'b', 'c']) {
      expect(p.raft(id).status().commit).toBe(2);
      expect(p.node(id).appliedData).toEqual(['x=1']);
    }
  });

  it('§5.2/§8: a new leader appends an empty entry of its own term', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    const a = p.raft('a');
    expect(a.log.lastIndex()).toBe(1);
    expect(a.log.term(1)).toBe(1);
    expect(a.log.slice(1, 2)[0]?.data.byteLength).toBe(0);
  });

  it('§5.3: an entry is committed once the leader replicated it on a majority, even if a minority never acks', () => {
    const p = new Pump(['a', 'b', 'c', 'd', 'e']);
    p.campaign('a');
    p.isolate('d');
    p.isolate('e');
    p.propose('a', 'v');
    expect(p.raft('a').status().commit).toBe(2);
    expect(p.raft('d').status().commit).toBe(1);
  });

  it('§5.3: an entry on only a minority is not committed', () => {
    const p = new Pump(['a', 'b', 'c', 'd', 'e']);
    p.campaign('a');
    p.isolate('c');
    p.isolate('d');
    p.isolate('e');
    p.propose('a', 'v');
    expect(p.raft('a').status().commit).toBe(1);
    expect(p.node('a').appliedData).toEqual([]);
    p.heal();
    p.tick(1, ['a']);
    expect(p.raft('a').status().commit).toBe(2);
  });

  it('§5.3: followers learn the commit index from later AppendEntries and heartbeats and apply in log order', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    // Drop a's appendResp-triggered commit broadcast to c: c learns commit from the heartbeat.
    p.filter = (m) => !(m.to === 'c' && m.type === 'append' && m.entries.length === 0);
    p.propose('a', 'one');
    p.propose('a', 'two');
    p.heal();
    p.tick(1, ['a']);
    expect(p.raft('c').status().commit).toBe(3);
    expect(p.node('c').appliedData).toEqual(['one', 'two']);
  });

  it('heartbeats carry min(commit, match) so a follower never commits past what it holds', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    p.isolate('c');
    p.propose('a', 'x');
    p.heal();
    p.filter = (m) => m.type !== 'append' && m.type !== 'appendResp';
    p.tick(1, ['a']);
    const hb = p.sentOf('heartbeat', { to: 'c' }).at(-1);
    expect(hb?.commit).toBe(1); // c's match is 1 while the leader's commit is 2
    expect(p.raft('c').status().commit).toBe(1);
  });

  it('§5.3 log matching: a follower refuses entries when it lacks an entry matching prevIndex/prevTerm', () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 2], { term: 2 }));
    const b = p.raft('b');
    const send = (prevIndex: number, prevTerm: number): AppendRespMsg => {
      b.step({
        type: 'append',
        from: 'a',
        to: 'b',
        term: 3,
        prevIndex,
        prevTerm,
        entries: [entry(prevIndex + 1, 3, 'n')],
        commit: 0,
      });
      const [m] = p.take('b');
      return m as AppendRespMsg;
    };
    expect(send(3, 3)).toMatchObject({ reject: true, index: 3 });
    expect(send(4, 2)).toMatchObject({ reject: true, index: 4 });
    expect(send(2, 1)).toMatchObject({ reject: false, index: 3 });
  });

  it('§5.3: a follower deletes a conflicting entry and all that follow it, then appends the new ones', () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 1, 1], { term: 1 }));
    const b = p.raft('b');
    b.step({
      type: 'append',
      from: 'a',
      to: 'b',
      term: 2,
      prevIndex: 2,
      prevTerm: 1,
      entries: [entry(3, 2, 'x')],
      commit: 0,
    });
    const rd = b.ready();
    expect(rd.entries.map((e) => [e.index, e.term])).toEqual([[3, 2]]);
    expect(b.log.lastIndex()).toBe(3);
    b.advance(rd);
    p.node('b').storage.append(rd.entries);
    expect(p.node('b').storage.lastIndex()).toBe(3);
  });

  it('§5.3: an append that repeats entries the follower already has truncates nothing (idempotent, reordered)', () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 1], { term: 1 }));
    const b = p.raft('b');
    // An old, delayed append covering only entry 2 must not drop entry 3.
    b.step({
      type: 'append',
      from: 'a',
      to: 'b',
      term: 1,
      prevIndex: 1,
      prevTerm: 1,
      entries: [entry(2, 1)],
      commit: 0,
    });
    expect(b.log.lastIndex()).toBe(3);
    expect(p.take('b')).toMatchObject([{ type: 'appendResp', reject: false, index: 2 }]);
  });

  // Figure 7 of the paper: the leader (term 8) must bring each of these follower logs into line.
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const figure7: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, followerLog] of Object.entries(figure7)) {
    it(`§5.3 Figure 7(${name}): the leader forces the follower's log to duplicate its own`, () => {
      const p = new Pump([]);
      p.addNode('L', storageWithLog(['L', 'F', 'X'], leaderLog, { term: 7 }));
      p.addNode('F', storageWithLog(['L', 'F', 'X'], followerLog, { term: 7 }));
      // X votes for L (its log is empty) so L can win while F keeps its divergent log.
      p.addNode('X', storageWithLog(['L', 'F', 'X'], [], { term: 7 }));
      p.filter = (m) => !(m.from === 'F' && m.type === 'voteResp');
      p.campaign('L');
      expect(p.raft('L').role).toBe('leader');
      p.heal();
      p.propose('L', 'cmd');
      const L = p.raft('L');
      const F = p.raft('F');
      expect(F.log.lastIndex()).toBe(L.log.lastIndex());
      for (let i = 1; i <= L.log.lastIndex(); i++) expect(F.log.term(i)).toBe(L.log.term(i));
      expect(F.status().commit).toBe(L.status().commit);
    });
  }

  it('fast back-off (findConflictByTerm): a long divergent follower is repaired in a few round trips, not one per entry', () => {
    const leaderTerms = [1, ...Array<number>(50).fill(4)];
    const followerTerms = [1, ...Array<number>(50).fill(2), ...Array<number>(50).fill(3)];
    const p = new Pump([]);
    p.addNode('L', storageWithLog(['L', 'F', 'X'], leaderTerms, { term: 4 }));
    p.addNode('F', storageWithLog(['L', 'F', 'X'], followerTerms, { term: 4 }));
    p.addNode('X', storageWithLog(['L', 'F', 'X'], [], { term: 4 }));
    p.filter = (m) => !(m.from === 'F' && m.type === 'voteResp');
    p.campaign('L');
    p.heal();
    p.stabilize();
    const rejects = p.sentOf('appendResp', { from: 'F' }).filter((m) => m.reject);
    expect(rejects.length).toBeLessThanOrEqual(3);
    expect(p.raft('F').log.lastIndex()).toBe(52);
    expect(p.raft('F').log.term(51)).toBe(4);
  });

  it("§5.3: a rejection carries a hint: the last index whose term is <= the leader's prevTerm, with that term", () => {
    const p = new Pump([]);
    p.addNode('F', storageWithLog(['L', 'F'], [1, 2, 2, 3, 3, 3], { term: 5 }));
    p.raft('F').step({
      type: 'append',
      from: 'L',
      to: 'F',
      term: 5,
      prevIndex: 8,
      prevTerm: 4,
      entries: [],
      commit: 0,
    });
    const [resp] = p.take('F') as AppendRespMsg[];
    expect(resp).toMatchObject({ reject: true, index: 8, rejectHint: 6, hintTerm: 3 });
    p.raft('F').step({
      type: 'append',
      from: 'L',
      to: 'F',
      term: 5,
      prevIndex: 6,
      prevTerm: 2,
      entries: [],
      commit: 0,
    });
    const [resp2] = p.take('F') as AppendRespMsg[];
    expect(resp2).toMatchObject({ reject: true, index: 6, rejectHint: 3, hintTerm: 2 });
  });

  it('§5.3: entries carry the leader term and consecutive indexes; AppendEntries name the preceding entry', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    p.raft('a').propose(bytes('p'));
    const appends = p.take('a').filter((m): m is AppendMsg => m.type === 'append');
    expect(appends.length).toBe(2);
    for (const m of appends) {
      expect(m).toMatchObject({ prevIndex: 1, prevTerm: 1 });
      expect(m.entries.map((e) => [e.index, e.term])).toEqual([[2, 1]]);
    }
  });
});
