/** Raft paper §6 / thesis §4.1: single-server membership changes (and learners, thesis §4.2.1). */
import { describe, expect, it } from 'vitest';
import { decodeConfChange, encodeConfChange } from '../../../../consensus/confchange.js';
import { RaftError } from '../../../../consensus/errors.js';
import { Raft } from '../../../../consensus/raft.js';
import { MemoryStorage } from '../../../../consensus/storage.js';
import { EntryType } from '../../../../consensus/types.js';
import { Pump, storageWithLog, testOptions } from '../helpers/pump.js';

describe('§6 Cluster membership changes (single-server)', () => {
  it('§4.1: adding a voter: the new node (empty storage) catches up, the config changes everywhere, quorum grows', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.propose('a', 'before');
    // A node joining with no configuration learns it from a snapshot, so the leader must have one.
    p.compact('a');
    p.addNode('d', new MemoryStorage());
    const res = p.raft('a').proposeConfChange({ type: 'addVoter', node: 'd' });
    expect(res.ok).toBe(true);
    p.stabilize();
    p.tick(2, ['a']);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(p.raft(id).status().conf.voters.toSorted()).toEqual(['a', 'b', 'c', 'd']);
    }
    expect(p.node('d').appliedData).toEqual(['before']);
    // With 4 voters, 3 are needed: a, b alone cannot commit.
    p.isolate('c');
    p.isolate('d');
    p.propose('a', 'needs3');
    expect(p.node('a').appliedData).not.toContain('needs3');
    p.heal();
    p.tick(1, ['a']);
    expect(p.node('d').appliedData).toContain('needs3');
  });

  it('§4.1: removing a voter shrinks the quorum', () => {
    const p = new Pump(['a', 'b', 'c', 'd']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'removeNode', node: 'd' });
    p.stabilize();
    expect(p.raft('a').status().conf.voters.toSorted()).toEqual(['a', 'b', 'c']);
    p.isolate('c');
    p.isolate('d');
    p.propose('a', 'two-of-three');
    expect(p.node('a').appliedData).toEqual(['two-of-three']);
  });

  it('§4.1: only one membership change may be pending at a time', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('b');
    p.isolate('c');
    expect(p.raft('a').proposeConfChange({ type: 'addLearner', node: 'x' }).ok).toBe(true);
    expect(p.raft('a').proposeConfChange({ type: 'addLearner', node: 'y' })).toEqual({
      ok: false,
      code: 'conf_change_pending',
      leader: 'a',
    });
    p.heal();
    p.tick(1, ['a']);
    expect(p.raft('a').proposeConfChange({ type: 'addLearner', node: 'y' }).ok).toBe(true);
  });

  it('§4.1: a new leader accepts no membership change until it has applied its whole log', () => {
    // b inherits entries 2 and 3 (which might hold a conf change) that are not yet committed.
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b', 'c'], [1, 1, 1], { term: 1, commit: 1 }));
    p.addNode('c', storageWithLog(['a', 'b', 'c'], [1], { term: 1, commit: 1 }));
    p.isolate('c');
    const b = p.raft('b');
    while (b.role === 'follower') b.tick();
    b.step({ type: 'voteResp', from: 'c', to: 'b', term: b.term, reject: false });
    expect(b.role).toBe('leader');
    p.handleReady('b');
    expect(b.proposeConfChange({ type: 'addLearner', node: 'z' })).toMatchObject({
      code: 'conf_change_pending',
    });
    // Once its log (through its own empty entry) is committed and applied, it may propose.
    p.heal();
    p.tick(2, ['b']);
    expect(b.status().applied).toBe(4);
    expect(b.proposeConfChange({ type: 'addLearner', node: 'z' }).ok).toBe(true);
  });

  it('§4.2.2: a leader removed from the configuration steps down once the removal is committed', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'removeNode', node: 'a' });
    expect(p.raft('a').role).toBe('leader'); // not yet committed
    p.stabilize();
    expect(p.raft('a').role).toBe('follower');
    // The others learned the commit before a stepped down, and elect a leader among themselves.
    expect(p.raft('b').status().conf.voters.toSorted()).toEqual(['b', 'c']);
    p.elect('b');
    p.propose('b', 'after');
    expect(p.node('c').appliedData).toEqual(['after']);
  });

  it('§4.2.3: a node that is not in the configuration never campaigns', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'removeNode', node: 'c' });
    p.stabilize();
    expect(p.raft('c').promotable()).toBe(false);
    const before = p.sent.length;
    p.isolate('a');
    p.tick(100, ['c']);
    expect(p.raft('c').role).toBe('follower');
    expect(p.sent.slice(before).filter((m) => m.from === 'c').length).toBe(0);
  });

  it('§4.2.3: a node joining with no configuration does not campaign; it waits for the leader', () => {
    const p = new Pump(['a']);
    p.addNode('n', new MemoryStorage());
    p.tick(100, ['n']);
    expect(p.raft('n').role).toBe('follower');
    expect(p.raft('n').term).toBe(0);
  });

  it('messages to nodes outside the configuration are dropped by the leader', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'removeNode', node: 'c' });
    p.stabilize();
    const before = p.sent.length;
    p.tick(5, ['a']);
    p.propose('a', 'x');
    expect(p.sent.slice(before).filter((m) => m.to === 'c').length).toBe(0);
  });

  it('invalid changes are refused with RaftError invalid_conf_change (remove the last voter, demote a voter)', () => {
    const p = new Pump(['a']);
    p.elect('a');
    const bad = [
      { type: 'removeNode', node: 'a' },
      { type: 'addLearner', node: 'a' },
      { type: 'addVoter', node: '' },
    ] as const;
    for (const cc of bad) {
      try {
        p.raft('a').proposeConfChange(cc);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RaftError);
        expect((e as RaftError).code).toBe('invalid_conf_change');
      }
    }
  });

  it('a follower refuses a conf-change proposal with not_leader', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    expect(p.raft('b').proposeConfChange({ type: 'addVoter', node: 'd' })).toEqual({
      ok: false,
      code: 'not_leader',
      leader: 'a',
    });
  });

  it('on restart, conf changes applied after the last snapshot are replayed from the log', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'addLearner', node: 'l' });
    p.stabilize();
    const n = p.node('b');
    const applied = n.raft.status().applied;
    expect(n.storage.initialState().confState.learners).toEqual([]); // storage only has the bootstrap conf
    n.raft = new Raft({ ...n.opts, id: 'b', storage: n.storage, random: n.random, applied });
    expect(n.raft.status().conf.learners).toEqual(['l']);
  });
});

describe('learners (thesis §4.2.1)', () => {
  it('a learner receives and applies the log but its acknowledgements do not count toward commit', () => {
    const p = new Pump(['a', 'b'], { learners: ['l'] });
    p.elect('a');
    p.propose('a', 'one');
    expect(p.node('l').appliedData).toEqual(['one']);
    p.isolate('b');
    p.propose('a', 'two');
    expect(p.raft('l').log.lastIndex()).toBe(3);
    expect(p.raft('a').status().commit).toBe(2);
  });

  it('a learner never campaigns and its vote does not count', () => {
    const p = new Pump(['a', 'b'], { learners: ['l'] });
    p.isolate('a');
    p.tick(100, ['l']);
    expect(p.raft('l').role).toBe('follower');
    expect(p.sent.filter((m) => m.from === 'l').length).toBe(0);
    // b campaigns; only a's vote could make a majority of {a, b}.
    p.heal();
    p.isolate('a');
    for (let i = 0; i < 25; i++) p.tick(1, ['b']);
    expect(p.raft('b').role).not.toBe('leader');
  });

  it('promoting a learner (addVoter on an existing learner) makes it count and campaign', () => {
    const p = new Pump(['a', 'b'], { learners: ['l'] });
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'addVoter', node: 'l' });
    p.stabilize();
    expect(p.raft('l').status().conf).toEqual({ voters: ['a', 'b', 'l'], learners: [] });
    expect(p.raft('l').promotable()).toBe(true);
    p.isolate('b');
    p.propose('a', 'with-l');
    expect(p.node('a').appliedData).toEqual(['with-l']);
  });

  it('adding a learner to a running cluster: it catches up without changing the quorum', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.propose('a', 'x');
    p.compact('a');
    p.addNode('l', new MemoryStorage());
    p.raft('a').proposeConfChange({ type: 'addLearner', node: 'l' });
    p.stabilize();
    p.tick(2, ['a']);
    expect(p.node('l').appliedData).toEqual(['x']);
    expect(p.raft('a').status().conf).toEqual({ voters: ['a', 'b', 'c'], learners: ['l'] });
  });
});

describe('joining with no configuration', () => {
  it('a joiner with no configuration refuses a log from index 1 (it would apply changes to an empty set) and waits for a snapshot', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.addNode('d', new MemoryStorage());
    p.raft('a').proposeConfChange({ type: 'addVoter', node: 'd' });
    p.stabilize();
    p.tick(5, ['a']);
    expect(p.raft('d').log.lastIndex()).toBe(0);
    expect(p.raft('d').status().conf.voters).toEqual([]);
    p.tick(50, ['d']);
    expect(p.raft('d').role).toBe('follower');
    // Once the leader has a snapshot, the joiner installs it and follows the log from there.
    p.compact('a');
    p.tick(3, ['a']);
    expect(p.raft('d').status().conf.voters.toSorted()).toEqual(['a', 'b', 'c', 'd']);
    expect(p.raft('d').log.lastIndex()).toBe(p.raft('a').log.lastIndex());
  });
});

describe('unapplied membership changes', () => {
  it('a node does not campaign while a committed conf change is still unapplied (etcd rule)', () => {
    const s = new MemoryStorage({ voters: ['a', 'b', 'c'] });
    s.append([
      { index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) },
      {
        index: 2,
        term: 1,
        type: EntryType.ConfChange,
        data: encodeConfChange({ type: 'addLearner', node: 'l' }),
      },
    ]);
    s.setHardState({ term: 1, vote: null, commit: 2 });
    const a = new Raft({ ...testOptions, id: 'a', storage: s, random: () => 0 });
    for (let i = 0; i < 30; i++) a.tick();
    expect(a.role).toBe('follower');
    const rd = a.ready();
    for (const e of rd.committedEntries)
      if (e.type === EntryType.ConfChange) a.applyConfChange(decodeConfChange(e.data));
    a.advance(rd);
    for (let i = 0; i < 10; i++) a.tick();
    expect(a.role).toBe('candidate');
  });
});
