/**
 * Majority-quorum arithmetic for a single (non-joint) voter set: the commit index and the outcome of
 * an election. Hot path: called after every append acknowledgement on the leader.
 */
import type { NodeId } from './types.js';

// Reused scratch buffer so committedIndex allocates nothing for ordinary cluster sizes. `busy` guards
// against a `match` callback that re-enters committedIndex.
let scratch = new Float64Array(16);
let busy = false;

/**
 * The largest index replicated on a majority of `voters` (the value at the quorum position of the
 * sorted match indexes). 0 when there are no voters: with no one to agree, nothing is committed.
 */
export function committedIndex(voters: readonly NodeId[], match: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return 0;
  let buf: Float64Array;
  const reentrant = busy;
  if (reentrant) {
    buf = new Float64Array(n);
  } else {
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    buf = scratch;
    busy = true;
  }
  try {
    // Insertion sort, ascending: voter sets are small, so this beats Array.prototype.sort.
    for (let i = 0; i < n; i++) {
      const v = match(voters[i] as NodeId);
      let j = i - 1;
      while (j >= 0 && (buf[j] as number) > v) {
        buf[j + 1] = buf[j] as number;
        j--;
      }
      buf[j + 1] = v;
    }
    // With q = floor(n/2)+1 voters needed, the q-th largest value is at position n-q ascending.
    return buf[n - (Math.floor(n / 2) + 1)] as number;
  } finally {
    if (!reentrant) busy = false;
  }
}

/**
 * The outcome of an election among `voters` given the votes received so far. Votes from ids that are
 * not voters are ignored. 'won' once a majority granted, 'lost' once a majority can no longer be
 * reached, else 'pending'. With no voters the election is 'lost' (no majority can ever form), which
 * matches committedIndex returning 0 for the same case.
 */
export function voteResult(
  voters: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): 'won' | 'lost' | 'pending' {
  const n = voters.length;
  if (n === 0) return 'lost';
  const q = Math.floor(n / 2) + 1;
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
