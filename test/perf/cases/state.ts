/**
 * Per-write CPU of the state root and of applying kv blocks in memory: inserts, updates of keys
 * written long ago (no memo), updates of a hot key (a sender's nonce), recomputing a root from
 * scratch per entry, and execute + stage + apply per tx. Synthetic keys and values.
 */
import { createKvContract } from '../../../node/contracts/kv.js';
import { JournaledState } from '../../../node/state/journal.js';
import { createExecutor, nextNonce } from '../../../node/state/registry.js';
import type { StateWrite } from '../../../node/state/view.js';
import { WorldState } from '../../../node/state/world.js';
import { createSignedTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import type { PerfCase } from './harness.js';

const enc = new TextEncoder();
const BLOCK = 500;
const value = (i: number) => enc.encode(`grant:${i}:`.padEnd(64, 'x'));
const key = (i: number) => enc.encode(`patient/${i}/consent`);

/** State-root and in-memory apply cases. */
export function stateCases(): PerfCase[] {
  // Inserts: 500 keys not in a 10,000-key state, staged (root computed, state unchanged) each run,
  // so every run sees the same state size.
  const base = WorldState.fromEntries(Array.from({ length: 10_000 }, (_, i) => [key(i), value(i)] as const));
  let next = 10_000;
  const insert: PerfCase = {
    name: 'state root: insert (per write)',
    ops: BLOCK,
    run: () => {
      const ws: StateWrite[] = [];
      for (let i = 0; i < BLOCK; i++) ws.push({ key: key(next), value: value(next++) });
      base.stage(ws);
    },
  };
  // Cold updates: 50,000 keys rewritten in turn, so the last write of each is far out of any memo.
  const COLD = 50_000;
  const cold = WorldState.fromEntries(Array.from({ length: COLD }, (_, i) => [key(i), value(i)] as const));
  let at = 0;
  let round = 1;
  const update: PerfCase = {
    name: 'state root: update, cold key (per write)',
    ops: BLOCK,
    run: () => {
      const ws: StateWrite[] = [];
      for (let i = 0; i < BLOCK; i++) {
        ws.push({ key: key(at), value: value(at + COLD * round) });
        at = (at + 1) % COLD;
        if (at === 0) round++;
      }
      cold.apply(ws);
    },
  };
  // Hot updates: the nonces of 500 busy senders, rewritten every block.
  const hot = new WorldState();
  const nonceKeys = Array.from({ length: BLOCK }, (_, i) => {
    const k = new Uint8Array(34).fill(i & 0xff, 2);
    k[0] = 0x00;
    k[1] = 0x01;
    k[2] = i >> 8;
    return k;
  });
  let n = 0;
  const hotCase: PerfCase = {
    name: 'state root: update, hot key (per write)',
    ops: BLOCK,
    run: () => {
      n++;
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigUint64(0, BigInt(n));
      hot.apply(nonceKeys.map((key) => ({ key, value: v })));
    },
  };
  const recompute: PerfCase = {
    name: 'state root: recompute from scratch (per entry)',
    ops: 10_000,
    run: () => base.recomputeRoot(),
  };
  return [insert, update, hotCase, recompute, applyCase()];
}

function applyCase(): PerfCase {
  const exec = createExecutor({ contracts: { kv: createKvContract() } });
  const state = new WorldState();
  const senders = Array.from({ length: 50 }, (_, i) => new Uint8Array(32).fill(i + 1));
  const sig = new Uint8Array(64);
  let h = 0;
  const txsFor = (): SignedTx[] => {
    const nonces = senders.map((s) => nextNonce(state, s));
    return Array.from({ length: BLOCK }, (_, i) => {
      const who = i % senders.length;
      const nonce = nonces[who]!;
      nonces[who] = nonce + 1;
      const k = (h * BLOCK + i) % 200_000;
      return createSignedTx(
        {
          chainId: 'bench',
          sender: senders[who]!,
          nonce,
          gasLimit: 1_000_000,
          contract: 'kv',
          method: 'put',
          args: [key(k), value(h)],
        },
        sig,
      );
    });
  };
  return {
    name: 'apply kv block in memory: execute + stage + apply (per tx)',
    ops: BLOCK,
    run: () => {
      h++;
      const txs = txsFor();
      const view = new JournaledState(state);
      exec.executeBlock({ height: h, time: h, proposer: senders[0]!, chainId: 'bench' }, txs, view);
      state.apply(view.writes());
    },
  };
}
