/**
 * Membership changes in the simulator: the leader is asked to add a fresh node as a learner,
 * promote a learner to voter, or remove a member (possibly itself), one change at a time, at random
 * steps. A removed node is shut down for good once the leader has applied its removal; removed ids
 * are never reused.
 */

import { encodeConfChange } from '../confchange.js';
import { RaftError } from '../errors.js';
import { type ConfChange, EntryType, type ProposeResult } from '../types.js';
import { entryFingerprint } from './checker.js';
import type { Cluster } from './cluster.js';
import type { Prng } from './prng.js';

/** Counts of membership work, for reports and tests. */
export interface MembershipCounts {
  proposed: number;
  refused: number;
  nodesAdded: number;
  retired: number;
}

/** Drives random single-server membership changes; see the file comment. */
export class MembershipDriver {
  readonly counts: MembershipCounts = { proposed: 0, refused: 0, nodesAdded: 0, retired: 0 };
  /** Removals proposed and not yet known to be committed: node -> the entry's index and fingerprint. */
  private readonly removing = new Map<string, { index: number; fp: number }>();
  private nextId: number;

  constructor(
    private readonly c: Cluster,
    private readonly rng: Prng,
    private readonly maxNodes: number,
    private readonly joinEmpty: boolean,
  ) {
    this.nextId = c.ids.length + 1;
  }

  /** Maybe proposes one change (with probability p), then retires nodes whose removal was applied. */
  step(p: number): void {
    if (this.rng.chance(p)) this.proposeOne();
    this.retireRemoved();
  }

  /** Shuts down nodes whose removal some node has applied (so it is committed); forgets lost removals. */
  retireRemoved(): void {
    for (const [id, want] of this.removing) {
      const got = this.c.checker.appliedAt(want.index);
      if (got === undefined) continue;
      this.removing.delete(id);
      if (got !== want.fp) continue; // the proposal was overwritten by another leader's log
      this.c.retire(id);
      this.counts.retired++;
    }
  }

  private proposeOne(): void {
    const { c, rng } = this;
    const leader = c.leader();
    if (!leader?.raft) return;
    const conf = leader.sm.conf;
    const members = conf.voters.length + conf.learners.length;
    // Nodes created for an add whose entry was lost: offer them again before creating more.
    const idle = c.ids.filter(
      (id) =>
        !c.retired.has(id) &&
        !this.removing.has(id) &&
        !conf.voters.includes(id) &&
        !conf.learners.includes(id),
    );
    let cc: ConfChange;
    const r = rng.next();
    if (r < 0.4 && members < this.maxNodes) {
      let node = idle[0];
      if (!node) {
        node = `n${this.nextId++}`;
        c.addNode(node);
        this.counts.nodesAdded++;
      }
      cc = { type: 'addLearner', node };
    } else if (r < 0.75 && conf.learners.length > 0) {
      cc = { type: 'addVoter', node: rng.pick(conf.learners) };
    } else if (conf.voters.length > 3 || conf.learners.length > 0) {
      const pool = conf.voters.length > 3 ? [...conf.voters, ...conf.learners] : [...conf.learners];
      cc = { type: 'removeNode', node: rng.pick(pool) };
    } else {
      return;
    }
    let res: ProposeResult;
    try {
      res = leader.raft.proposeConfChange(cc);
    } catch (err) {
      if (!(err instanceof RaftError)) throw err;
      this.counts.refused++;
      return;
    }
    if (!res.ok) {
      this.counts.refused++;
      return;
    }
    this.counts.proposed++;
    // A node that joins with no membership waits for a snapshot: compact the leader's log now.
    if (cc.type === 'addLearner' && this.joinEmpty) leader.snapshotAndCompact(0);
    if (cc.type === 'removeNode') {
      const entry = {
        index: res.index,
        term: res.term,
        type: EntryType.ConfChange,
        data: encodeConfChange(cc),
      };
      this.removing.set(cc.node, { index: res.index, fp: entryFingerprint(entry) });
    }
    c.log?.(`propose ${cc.type} ${cc.node} via ${leader.id}`);
  }
}
