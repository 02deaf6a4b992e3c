/** Chain agreement checks over the HTTP API. */
import type { BlockView } from '../../protocol/api.js';
import type { TestNode } from './network.js';
import { waitFor } from './wait.js';

/** Every block of a node, from its lowest stored height to its head, in pages of 100. */
export async function allBlocks(n: TestNode): Promise<BlockView[]> {
  const out: BlockView[] = [];
  let next = 1;
  for (;;) {
    const page = await n.client.getBlocks(next, 100);
    out.push(...page.blocks);
    const last = page.blocks[page.blocks.length - 1];
    if (last === undefined || last.height >= page.head) return out;
    next = last.height + 1;
  }
}

/**
 * Waits until the nodes agree on height and state root, then checks over HTTP that they hold the
 * same block hash at every height each of them stores (a node restored from a snapshot lacks the
 * blocks the snapshot covers), that stored neighbours link parent to child, and returns the head.
 */
export async function sameChain(
  nodes: readonly TestNode[],
  timeoutMs = 30_000,
): Promise<{ height: number; stateRoot: string }> {
  let head = { height: 0, stateRoot: '' };
  await waitFor(
    async () => {
      const st = await Promise.all(nodes.map((n) => n.status()));
      const a = st[0];
      if (a === undefined) return true;
      head = { height: a.height, stateRoot: a.stateRoot };
      return st.every((s) => s.height === a.height && s.stateRoot === a.stateRoot && s.divergence === null);
    },
    'nodes to agree on height and state root',
    timeoutMs,
  );
  const chains = await Promise.all(nodes.map((n) => allBlocks(n)));
  const byHeight = new Map<number, string>();
  for (const [i, chain] of chains.entries()) {
    const name = nodes[i]?.name;
    const tip = chain[chain.length - 1];
    if (head.height > 0 && tip?.height !== head.height) throw new Error(`${name} lacks its head block`);
    for (const [j, b] of chain.entries()) {
      const prev = chain[j - 1];
      // A node restored from a snapshot has a gap below the snapshot height: link only neighbours.
      if (prev !== undefined && prev.height + 1 === b.height && prev.hash !== b.parentHash) {
        throw new Error(`${name}: block ${b.height} does not extend block ${prev.height}`);
      }
      const h = byHeight.get(b.height);
      if (h === undefined) byHeight.set(b.height, b.hash);
      else if (h !== b.hash) throw new Error(`${name} holds another block at height ${b.height}`);
    }
  }
  return head;
}
