import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JournaledState } from '../../../node/state/journal.js';
import { WorldState } from '../../../node/state/world.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { ctx, hex } from '../../unit/state/helpers.js';
import { kvExecutor, kvTxs, tempDir } from '../../unit/store/helpers.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const KILLS = 5;

/** Runs the child until it has committed at least one block, then SIGKILLs it after a random delay. */
function runAndKill(dir: string): Promise<{ printed: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed) {
        armed = true;
        setTimeout(() => p.kill('SIGKILL'), 20 + Math.floor(Math.random() * 400));
      }
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${err}`));
      const lines = out.trim().split('\n').filter(Boolean);
      resolve({ printed: Number(lines[lines.length - 1] ?? 0), signal });
    });
  });
}

/** The state after blocks 1..h, computed in memory from scratch. */
function replay(h: number): WorldState {
  const exec = kvExecutor();
  const w = new WorldState();
  for (let i = 1; i <= h; i++) {
    const view = new JournaledState(w);
    exec.executeBlock(ctx(i), kvTxs(w, 200, i), view);
    w.apply(view.writes());
  }
  return w;
}

describe('crash safety with a real child process', () => {
  const dirs: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of dirs) await c();
  });

  it(`survives ${KILLS} SIGKILLs at random moments: consistent, nothing lost, nothing applied twice`, async () => {
    const { dir, cleanup } = await tempDir();
    dirs.push(cleanup);
    let lastSeen = 0;
    for (let k = 0; k < KILLS; k++) {
      const { printed } = await runAndKill(dir);
      const store = await ChainStore.open(dir); // throws if the state does not hash to meta's root
      try {
        const h = store.latestHeight();
        // Nothing the child reported as committed is lost; progress only moves forward.
        expect(h).toBeGreaterThanOrEqual(printed);
        expect(h).toBeGreaterThanOrEqual(lastSeen);
        lastSeen = h;
        if (process.env.CRASH_DEBUG)
          console.log(`kill ${k}: printed ${printed}, height ${h}, applied ${store.appliedIndex()}`);
        // Meta, blocks and the raft applied index agree: no partial block.
        expect([2 * h, 2 * h + 1]).toContain(store.appliedIndex());
        expect(store.raft.storage.lastIndex()).toBeGreaterThanOrEqual(store.appliedIndex());
        const last = await store.getBlock(h);
        expect(last?.header.height).toBe(h);
        expect(store.lastBlockHash()).toEqual(last?.hash);
        expect(await store.getBlock(h + 1)).toBeUndefined();
        expect((await store.getReceipts(h))?.length).toBe(200);
        expect(await store.getReceipts(h + 1)).toBeUndefined();
        expect((await store.getTx(last!.txs[199]!.hash))?.height).toBe(h);
        // The state is exactly blocks 1..h applied once each.
        expect(hex(store.state.recomputeRoot())).toBe(hex(store.stateRoot()));
        expect(hex(store.stateRoot())).toBe(hex(replay(h).root()));
      } finally {
        await store.close();
      }
    }
    expect(lastSeen).toBeGreaterThan(0);
  }, 120_000);
});
