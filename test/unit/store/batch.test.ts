/**
 * The store's batch writes keys with their sublevel's prefix straight to LevelDB: what it writes is
 * exactly what the sublevels (and abstract-level's own batch) read and write, so the layout of
 * docs/state.md §5 is unchanged.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Batch, openDb } from '../../../node/store/db.js';
import { tempDir } from './helpers.js';

const u = (s: string) => new TextEncoder().encode(s);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fresh() {
  const { dir, cleanup } = await tempDir();
  const db = await openDb(dir);
  cleanups.push(cleanup, async () => {
    if (db.level.status === 'open') await db.level.close();
  });
  return db;
}

describe('Batch', () => {
  it('puts land where each sublevel reads them, under the !name! prefix of the root', async () => {
    const db = await fresh();
    const b = new Batch(db);
    b.put(u('k'), u('in txs'), { sublevel: db.txs });
    b.put(u('k'), u('in state'), { sublevel: db.state });
    expect(b.length).toBe(2);
    await b.write({ sync: false });
    expect(await db.txs.get(u('k'))).toEqual(u('in txs'));
    expect(await db.state.get(u('k'))).toEqual(u('in state'));
    expect(await db.level.get(u('!txs!k'))).toEqual(u('in txs'));
    expect(await db.level.get(u('!state!k'))).toEqual(u('in state'));
  });

  it('deletes what the sublevel wrote, and only in that sublevel', async () => {
    const db = await fresh();
    await db.state.put(u('a'), u('1'));
    await db.meta.put(u('a'), u('2'));
    const b = new Batch(db);
    b.del(u('a'), { sublevel: db.state });
    await b.write({ sync: true });
    expect(await db.state.get(u('a'))).toBeUndefined();
    expect(await db.meta.get(u('a'))).toEqual(u('2'));
  });

  it('applies its operations in order: the last one on a key wins', async () => {
    const db = await fresh();
    await db.state.put(u('c'), u('old'));
    const b = new Batch(db);
    b.put(u('a'), u('1'), { sublevel: db.state });
    b.del(u('a'), { sublevel: db.state });
    b.del(u('b'), { sublevel: db.state });
    b.put(u('b'), u('2'), { sublevel: db.state });
    b.put(u('c'), u('3'), { sublevel: db.state });
    b.put(u('c'), u('4'), { sublevel: db.state });
    expect(b.length).toBe(6);
    await b.write({ sync: false });
    expect(await db.state.get(u('a'))).toBeUndefined();
    expect(await db.state.get(u('b'))).toEqual(u('2'));
    expect(await db.state.get(u('c'))).toEqual(u('4'));
  });

  it('copies keys and small values as they are added: a buffer reused afterwards changes nothing', async () => {
    const db = await fresh();
    const b = new Batch(db);
    const k = u('key-1');
    const v = u('value-1');
    b.put(k, v, { sublevel: db.state });
    k.set(u('key-2'));
    v.set(u('value-2'));
    b.put(k, v, { sublevel: db.state });
    await b.write({ sync: false });
    expect(await db.state.get(u('key-1'))).toEqual(u('value-1'));
    expect(await db.state.get(u('key-2'))).toEqual(u('value-2'));
  });

  it('keys and values of every size, over many chunks, read back as a map of the last writes (property)', async () => {
    const db = await fresh();
    const op = fc.record({
      key: fc.uint8Array({ minLength: 1, maxLength: 80 }),
      value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 400 }), async (ops) => {
        const model = new Map<string, Uint8Array | null>();
        const b = new Batch(db);
        for (const { key, value } of ops) {
          if (value === null) b.del(key, { sublevel: db.txs });
          else b.put(key, value, { sublevel: db.txs });
          model.set(Buffer.from(key).toString('hex'), value === null ? null : value.slice());
        }
        await b.write({ sync: false });
        for (const [k, v] of model) {
          const got = await db.txs.get(Buffer.from(k, 'hex'));
          expect(got === undefined ? null : Buffer.from(got).toString('hex')).toBe(
            v === null ? null : Buffer.from(v).toString('hex'),
          );
        }
      }),
      { numRuns: 25 },
    );
  });

  it('leaves no native batch attached to the database once written', async () => {
    const db = await fresh();
    const level = db.level as unknown as { detachResource(r: unknown): void };
    const detach = level.detachResource.bind(level);
    let detached = 0;
    level.detachResource = (r) => {
      detached++;
      detach(r);
    };
    for (let i = 0; i < 3; i++) {
      const b = new Batch(db);
      b.put(u(`k${i}`), u('v'), { sublevel: db.state });
      await b.write({ sync: false });
    }
    expect(detached).toBe(3);
  });

  it('an empty batch writes nothing; a batch on a closed database is refused', async () => {
    const db = await fresh();
    await new Batch(db).write({ sync: false });
    await db.level.close();
    const b = new Batch(db);
    b.put(u('x'), u('y'), { sublevel: db.state });
    await expect(b.write({ sync: false })).rejects.toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN' });
  });
});
