import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../consensus/storage.js';
import type { Entry, HardState, Storage } from '../../../consensus/types.js';
import { openDb } from '../../../node/store/db.js';
import { StoreError } from '../../../node/store/errors.js';
import { RaftLogStore } from '../../../node/store/raft-log.js';
import { tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openLog(dir: string) {
  const db = await openDb(dir);
  const log = new RaftLogStore(db, { sync: false });
  await log.load();
  return { db, log };
}

function ent(index: number, term: number, data = `e${index}t${term}`): Entry {
  return { index, term, type: 0, data: new TextEncoder().encode(data) };
}

/** Everything Raft can read from a Storage, for comparing two of them. */
function dump(s: Storage) {
  const first = s.firstIndex();
  const last = s.lastIndex();
  return {
    init: s.initialState(),
    first,
    last,
    snap: s.snapshot(),
    terms: Array.from({ length: last - first + 2 }, (_, i) => s.term(first - 1 + i)),
    entries: s.entries(first, last + 1),
  };
}

describe('RaftLogStore', () => {
  it('persists entries, hard state and bootstrap conf; reload equals the mirror', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.bootstrap({ voters: ['n1', 'n2', 'n3'], learners: [] });
    await a.log.persist({
      entries: [ent(1, 1), ent(2, 1), ent(3, 2)],
      hardState: { term: 2, vote: 'n1', commit: 2 },
    });
    const before = dump(a.log.storage);
    expect(before.last).toBe(3);
    expect(before.init.confState.voters).toEqual(['n1', 'n2', 'n3']);
    await a.db.level.close();
    const b = await openLog(dir);
    expect(dump(b.log.storage)).toEqual(before);
    await b.db.level.close();
  });

  it('truncates a conflicting suffix on disk, as in memory', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.persist({ entries: [1, 2, 3, 4, 5].map((i) => ent(i, 1)) });
    await a.log.persist({ entries: [ent(3, 2), ent(4, 2)] });
    expect(a.log.storage.lastIndex()).toBe(4);
    await a.db.level.close();
    const b = await openLog(dir);
    expect(b.log.storage.lastIndex()).toBe(4);
    expect(b.log.storage.entries(1, 5).map((e) => e.term)).toEqual([1, 1, 2, 2]);
    await b.db.level.close();
  });

  it('concurrent persists run in call order (each batch computed from the previous result)', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await Promise.all([
      a.log.persist({ entries: [ent(1, 1), ent(2, 1), ent(3, 1)] }),
      a.log.persist({ entries: [ent(2, 2)] }),
      a.log.persist({ entries: [ent(3, 2)] }),
    ]);
    expect(a.log.storage.entries(1, 4).map((e) => e.term)).toEqual([1, 2, 2]);
    await a.db.level.close();
    const b = await openLog(dir);
    expect(b.log.storage.entries(1, 4).map((e) => e.term)).toEqual([1, 2, 2]);
    await b.db.level.close();
  });

  it('refuses a gap without writing anything', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.persist({ entries: [ent(1, 1)] });
    await expect(
      a.log.persist({ entries: [ent(3, 1)], hardState: { term: 9, vote: null, commit: 0 } }),
    ).rejects.toThrow(StoreError);
    expect(a.log.storage.initialState().hardState.term).toBe(0);
    await a.db.level.close();
  });

  it('snapshot + compaction delete entries below it; an installed snapshot replaces the log', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.persist({ entries: [1, 2, 3, 4, 5, 6].map((i) => ent(i, 1)) });
    await a.log.createSnapshot(4, { voters: ['n1'], learners: [] }, new Uint8Array([9]), true);
    expect(a.log.storage.firstIndex()).toBe(5);
    let keys = 0;
    for await (const _ of a.db.raft.keys({ gte: new Uint8Array([1]), lt: new Uint8Array([2]) })) keys++;
    expect(keys).toBe(2);
    const snap = {
      meta: { index: 10, term: 3, conf: { voters: ['n1', 'n2'], learners: ['n9'] } },
      data: new Uint8Array([1, 2]),
    };
    await a.log.persist({
      snapshot: snap,
      entries: [ent(11, 3)],
      hardState: { term: 3, vote: null, commit: 10 },
    });
    const before = dump(a.log.storage);
    expect(before.first).toBe(11);
    expect(before.init.confState).toEqual(snap.meta.conf);
    await a.db.level.close();
    const b = await openLog(dir);
    expect(dump(b.log.storage)).toEqual(before);
    await b.db.level.close();
  });

  it('a commit-only hard state goes to disk with the next batch, not on its own', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.persist({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 'n1', commit: 0 } });
    await a.log.persist({ entries: [], hardState: { term: 1, vote: 'n1', commit: 2 } });
    expect(a.log.storage.initialState().hardState.commit).toBe(2);
    await a.db.level.close();
    const b = await openLog(dir);
    expect(b.log.storage.initialState().hardState).toEqual({ term: 1, vote: 'n1', commit: 0 });
    await b.log.persist({ entries: [], hardState: { term: 1, vote: 'n1', commit: 2 } });
    await b.log.persist({ entries: [ent(3, 1)] });
    await b.db.level.close();
    const c = await openLog(dir);
    expect(c.log.storage.initialState().hardState).toEqual({ term: 1, vote: 'n1', commit: 2 });
    await c.db.level.close();
  });

  it.each([
    { scenario: 'applied above the stored commit raises it', applied: 2, commit: 2 },
    { scenario: 'applied below the stored commit leaves it', applied: 0, commit: 1 },
    { scenario: 'applied beyond the log raises it only to the last index', applied: 9, commit: 3 },
  ])('load: $scenario', async ({ applied, commit }) => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const a = await openLog(dir);
    await a.log.persist({
      entries: [ent(1, 1), ent(2, 1), ent(3, 1)],
      hardState: { term: 1, vote: null, commit: 1 },
    });
    await a.db.level.close();
    const db = await openDb(dir);
    const log = new RaftLogStore(db, { sync: false });
    await log.load(applied);
    expect(log.storage.initialState().hardState).toEqual({ term: 1, vote: null, commit });
    await db.level.close();
  });

  it('random persist sequences: reloaded storage equals a MemoryStorage fed the same', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    // Each step: append a run of entries at some index in [first, last+1], with a term.
    const arbStep = fc.record({
      back: fc.nat({ max: 5 }),
      n: fc.integer({ min: 1, max: 4 }),
      hs: fc.boolean(),
      compact: fc.nat({ max: 3 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(arbStep, { minLength: 1, maxLength: 15 }), async (steps) => {
        const sub = `${dir}/r${run++}`;
        const a = await openLog(sub);
        const model = new MemoryStorage();
        let term = 1;
        for (const s of steps) {
          const last = model.lastIndex();
          const start = Math.max(model.firstIndex(), last + 1 - s.back);
          term++;
          const es = Array.from({ length: s.n }, (_, i) => ent(start + i, term));
          const hs: HardState | undefined = s.hs ? { term, vote: 'n1', commit: 0 } : undefined;
          await a.log.persist(hs === undefined ? { entries: es } : { entries: es, hardState: hs });
          model.append(es);
          if (hs) model.setHardState(hs);
          const to = model.firstIndex() + s.compact - 1;
          if (s.compact > 0 && to < model.lastIndex()) {
            await a.log.createSnapshot(to, { voters: ['n1'], learners: [] }, new Uint8Array([to]), true);
            model.createSnapshot(to, { voters: ['n1'], learners: [] }, new Uint8Array([to]));
            model.compact(to);
          }
          expect(dump(a.log.storage)).toEqual(dump(model));
        }
        await a.db.level.close();
        const b = await openLog(sub);
        expect(dump(b.log.storage)).toEqual(dump(model));
        await b.db.level.close();
      }),
      { numRuns: 25 },
    );
  });
});
