/** Raft paper §7: log compaction and InstallSnapshot. */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../../consensus/storage.js';
import type { SnapshotMsg } from '../../../../consensus/types.js';
import { bytes, Pump, storageWithLog } from '../helpers/pump.js';

function laggingCluster(): Pump {
  const p = new Pump(['a', 'b', 'c']);
  p.elect('a');
  p.isolate('c');
  for (const x of ['1', '2', '3', '4']) p.propose('a', x);
  p.compact('a');
  return p;
}

describe('§7 Log compaction', () => {
  it('§7: after the driver snapshots and compacts, the log starts after the snapshot and everything still works', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    for (const x of ['1', '2']) p.propose('a', x);
    const snap = p.compact('a');
    expect(snap.meta).toMatchObject({ index: 3, term: 1 });
    expect(p.raft('a').log.firstIndex()).toBe(4);
    expect(p.raft('a').log.term(3)).toBe(1); // the snapshot's index still answers its term
    p.propose('a', '3');
    expect(p.node('b').appliedData).toEqual(['1', '2', '3']);
  });

  it('§7: a follower that needs compacted entries gets InstallSnapshot; the leader tracks it in snapshot state', () => {
    const p = laggingCluster();
    p.heal();
    p.filter = (m) => m.type !== 'snapshot';
    p.tick(1, ['a']);
    expect(p.raft('a').progress('c')?.state).toBe('snapshot');
    expect(p.sentOf('snapshot', { to: 'c' }).length).toBe(1);
    // In snapshot state nothing else is sent to c.
    const before = p.sentOf('append', { to: 'c' }).length;
    p.propose('a', '5');
    expect(p.sentOf('append', { to: 'c' }).length).toBe(before);
  });

  it('§7: the follower puts the snapshot in Ready.snapshot, resets its log, and replication resumes after its answer', () => {
    const p = laggingCluster();
    p.heal();
    p.tick(1, ['a']);
    const rd = p.node('c').readies.find((r) => r.snapshot);
    expect(rd?.snapshot?.meta).toMatchObject({ index: 5, term: 1 });
    expect(rd?.committedEntries).toEqual([]); // applied only after the snapshot is restored
    expect(p.node('c').appliedData).toEqual(['1', '2', '3', '4']);
    const c = p.raft('c');
    expect(c.log.firstIndex()).toBe(6);
    expect(c.status()).toMatchObject({ commit: 5, applied: 5 });
    expect(p.raft('a').progress('c')?.state).toBe('replicate');
    p.propose('a', '5');
    expect(p.node('c').appliedData).toEqual(['1', '2', '3', '4', '5']);
  });

  it("§7: a snapshot older than the follower's commit is ignored (answered with its commit)", () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 1], { term: 1, commit: 3 }));
    const snap = {
      meta: { index: 2, term: 1, conf: { voters: ['a', 'b'], learners: [] } },
      data: bytes('[]'),
    };
    p.raft('b').step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: snap });
    const rd = p.raft('b').ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.messages).toMatchObject([{ type: 'appendResp', index: 3, reject: false }]);
  });

  it('§7: a snapshot of index > 0 at term 0 (a log no leader can have) is dropped unanswered', () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1], { term: 1, commit: 1 }));
    const snap = {
      meta: { index: 3, term: 0, conf: { voters: ['a', 'b'], learners: [] } },
      data: bytes('[]'),
    };
    p.raft('b').step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: snap });
    const rd = p.raft('b').ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.messages).toEqual([]);
    expect(p.raft('b').log.lastIndex()).toBe(1);
  });

  it('§7: a snapshot whose last entry the follower already holds only fast-forwards the commit', () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 1, 1], { term: 1, commit: 1 }));
    const snap = {
      meta: { index: 3, term: 1, conf: { voters: ['a', 'b'], learners: [] } },
      data: bytes('[]'),
    };
    p.raft('b').step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: snap });
    const rd = p.raft('b').ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.hardState?.commit).toBe(3);
    expect(p.raft('b').log.lastIndex()).toBe(4); // entry 4 is kept
  });

  it("§7: a snapshot that conflicts with the follower's log replaces the whole log and the membership", () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b'], [1, 1, 2, 2], { term: 3, commit: 1 }));
    const conf = { voters: ['a', 'b', 'c'], learners: [] };
    const snap = { meta: { index: 3, term: 3, conf }, data: bytes('["s"]') };
    p.raft('b').step({ type: 'snapshot', from: 'a', to: 'b', term: 3, snapshot: snap });
    const b = p.raft('b');
    expect(b.log.lastIndex()).toBe(3);
    expect(b.status().conf).toEqual(conf);
    p.handleReady('b');
    expect(p.node('b').storage.firstIndex()).toBe(4);
    expect(p.node('b').appliedData).toEqual(['s']);
  });

  it('§7: a brand-new member (empty storage) is brought up with a snapshot', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    for (const x of ['1', '2']) p.propose('a', x);
    p.compact('a');
    p.addNode('d', new MemoryStorage());
    p.raft('a').proposeConfChange({ type: 'addVoter', node: 'd' });
    p.stabilize();
    p.tick(2, ['a']);
    expect(p.sentOf('snapshot', { to: 'd' }).length).toBe(1);
    expect(p.node('d').appliedData).toEqual(['1', '2']);
    expect(p.raft('d').status().conf.voters.toSorted()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('§7: a lost snapshot is sent again after an election timeout', () => {
    const p = laggingCluster();
    p.heal();
    p.filter = (m) => m.type !== 'snapshot';
    p.tick(1, ['a']);
    expect(p.sentOf('snapshot', { to: 'c' }).length).toBe(1);
    p.heal();
    p.tick(12, ['a']);
    expect(p.sentOf('snapshot', { to: 'c' }).length).toBe(2);
    expect(p.node('c').appliedData).toEqual(['1', '2', '3', '4']);
  });

  it('§7: a restarted node recovers from its snapshot plus the entries after it', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    for (const x of ['1', '2']) p.propose('a', x);
    p.compact('b');
    p.propose('a', '3');
    p.restart('b');
    const b = p.raft('b');
    expect(b.status()).toMatchObject({ applied: 3, commit: 4, lastIndex: 4 });
    p.stabilize();
    expect(p.node('b').appliedData).toEqual(['1', '2', '3']);
  });

  it('§7: a snapshot message carries the storage snapshot (index, term, conf, data)', () => {
    const p = laggingCluster();
    p.heal();
    p.tick(1, ['a']);
    const [m] = p.sentOf('snapshot', { to: 'c' }) as SnapshotMsg[];
    expect(m?.snapshot.meta).toEqual({ index: 5, term: 1, conf: { voters: ['a', 'b', 'c'], learners: [] } });
    expect(JSON.parse(new TextDecoder().decode(m?.snapshot.data))).toEqual(['1', '2', '3', '4']);
  });
});
