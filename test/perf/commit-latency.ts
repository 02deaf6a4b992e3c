/**
 * Commit latency of the real Raft driver (node/raft/driver.ts) in a 3-voter cluster in one
 * process, with a real durable write per Ready: each node appends its Ready's entries to a file of
 * its own and fdatasyncs it (through libuv's thread pool, as LevelDB's sync write does). Messages
 * cross to the receiving driver after `HOP_MS` (a timer: a turn of the other node's loop). The
 * leader proposes a block-sized entry every `INTERVAL_MS`; what is measured is propose -> the
 * entry handed to the leader's state machine (commit), and -> a follower's (its next append).
 *
 * Two ways of carrying out a Ready, alternated round by round:
 *   serial:   persist, then send everything (the leader's fsync before the followers' start);
 *   parallel: the leader's `early` appends before its own persist (thesis 10.2.1).
 *
 *   ROUNDS=4 BLOCKS=100 npm run bench:commit-latency   (about a minute)
 */
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRaftOptions } from '../../consensus/options.js';
import { Raft } from '../../consensus/raft.js';
import { MemoryStorage } from '../../consensus/storage.js';
import type { Entry, Message } from '../../consensus/types.js';
import { silentLogger } from '../../node/log.js';
import { RaftDriver } from '../../node/raft/driver.js';

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const BLOCKS = Number(process.env.BLOCKS ?? 100);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 50);
const HOP_MS = Number(process.env.HOP_MS ?? 1);
const ENTRY_BYTES = Number(process.env.ENTRY_BYTES ?? 20_000);
const TICK_MS = 100;

type Mode = 'serial' | 'parallel';

interface Cluster {
  readonly drivers: Map<string, RaftDriver>;
  readonly rafts: Map<string, Raft>;
  /** Per node: index -> when its state machine got it. */
  readonly appliedAt: Map<string, Map<number, number>>;
  close(): Promise<void>;
}

async function cluster(mode: Mode, dir: string): Promise<Cluster> {
  const ids = ['a', 'b', 'c'];
  const drivers = new Map<string, RaftDriver>();
  const rafts = new Map<string, Raft>();
  const appliedAt = new Map<string, Map<number, number>>();
  const files: { close(): Promise<void> }[] = [];
  const log = silentLogger();
  for (const id of ids) {
    const storage = new MemoryStorage({ voters: ids });
    const raft = new Raft({
      ...defaultRaftOptions,
      id,
      storage,
      random: () => (id === 'a' ? 0 : 0.9),
    });
    const fh = await open(join(dir, `${mode}-${id}.log`), 'w');
    files.push(fh);
    const applied = new Map<number, number>();
    appliedAt.set(id, applied);
    const driver = new RaftDriver(
      { tickMs: TICK_MS, maxApplyBacklog: 64, parallelPersist: mode === 'parallel' },
      {
        raft,
        persistence: {
          storage,
          persist: async (rd) => {
            let bytes = 64;
            for (const e of rd.entries) bytes += e.data.byteLength;
            await fh.write(new Uint8Array(bytes));
            await fh.datasync();
            if (rd.snapshot) storage.applySnapshot(rd.snapshot);
            storage.append([...rd.entries]);
            if (rd.hardState) storage.setHardState(rd.hardState);
          },
          saveConfState: async () => {},
        },
        hooks: {
          send: (m: Message) => {
            setTimeout(() => drivers.get(m.to)?.step(m), HOP_MS);
          },
          apply: async (entries: readonly Entry[]) => {
            const now = performance.now();
            for (const e of entries) applied.set(e.index, now);
          },
          restore: async () => {},
        },
        log,
        onFault: (err) => {
          throw err;
        },
      },
    );
    drivers.set(id, driver);
    rafts.set(id, raft);
  }
  for (const d of drivers.values()) d.start();
  return {
    drivers,
    rafts,
    appliedAt,
    close: async () => {
      for (const d of drivers.values()) await d.stop();
      for (const f of files) await f.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

async function round(mode: Mode, dir: string): Promise<{ leader: number[]; follower: number[] }> {
  const c = await cluster(mode, dir);
  const a = c.rafts.get('a')!;
  for (let i = 0; i < 100 && a.status().role !== 'leader'; i++) await sleep(TICK_MS);
  if (a.status().role !== 'leader') throw new Error('no leader');
  await sleep(200);
  const proposed = new Map<number, number>();
  const data = new Uint8Array(ENTRY_BYTES).fill(7);
  for (let k = 0; k < BLOCKS; k++) {
    const r = c.drivers.get('a')!.propose(data);
    if (r.ok) proposed.set(r.index, performance.now());
    await sleep(INTERVAL_MS);
  }
  await sleep(500);
  const leader: number[] = [];
  const follower: number[] = [];
  for (const [i, t] of proposed) {
    const l = c.appliedAt.get('a')!.get(i);
    const f = c.appliedAt.get('b')!.get(i);
    if (l !== undefined) leader.push(l - t);
    if (f !== undefined) follower.push(f - t);
  }
  await c.close();
  return { leader, follower };
}

const dir = join(tmpdir(), `commit-latency-${process.pid}`);
await rm(dir, { recursive: true, force: true });
await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
console.log(
  `3 voters, ${BLOCKS} entries of ${ENTRY_BYTES} B every ${INTERVAL_MS} ms, hop ${HOP_MS} ms, fdatasync per Ready`,
);
console.log(
  'round\tmode\tleader p50\tleader p99\tfollower p50\tfollower p99 (ms, propose -> handed to apply)',
);
const all: Record<Mode, { l: number[]; f: number[] }> = {
  serial: { l: [], f: [] },
  parallel: { l: [], f: [] },
};
for (let i = 0; i < ROUNDS; i++) {
  const order: Mode[] = i % 2 === 0 ? ['serial', 'parallel'] : ['parallel', 'serial'];
  for (const mode of order) {
    const r = await round(mode, dir);
    all[mode].l.push(pct(r.leader, 50));
    all[mode].f.push(pct(r.follower, 50));
    console.log(
      [
        String(i),
        mode,
        ...[pct(r.leader, 50), pct(r.leader, 99), pct(r.follower, 50), pct(r.follower, 99)].map((x) =>
          x.toFixed(1),
        ),
      ].join('\t'),
    );
  }
}
const med = (xs: number[]) => pct(xs, 50);
console.log(
  `median of round p50s: leader serial ${med(all.serial.l).toFixed(1)} parallel ${med(all.parallel.l).toFixed(1)} ms (${(med(all.parallel.l) / med(all.serial.l)).toFixed(2)}x); follower serial ${med(all.serial.f).toFixed(1)} parallel ${med(all.parallel.f).toFixed(1)} ms (${(med(all.parallel.f) / med(all.serial.f)).toFixed(2)}x)`,
);
await rm(dir, { recursive: true, force: true });
