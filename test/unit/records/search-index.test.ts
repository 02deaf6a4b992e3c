/**
 * The search-index store (real LevelDB in a temp dir) against a naive model: a map from (record,
 * version) to (patient, token set). Random writes, rewrites and erasures, then every query's
 * answer equals the model's conjunction over the patient's versions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchIndexStore } from '../../../node/records/search-index.js';

const byte32 = (n: number) => new Uint8Array(32).fill(n);
const token = (n: number) => new Uint8Array(16).fill(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Op =
  | { op: 'put'; patient: number; record: number; version: number; tokens: number[] }
  | { op: 'erase'; record: number };

/** The naive model: "record:version" -> patient and tokens. */
class Model {
  readonly versions = new Map<string, { patient: number; tokens: Set<number> }>();
  apply(o: Op): void {
    if (o.op === 'put')
      this.versions.set(`${o.record}:${o.version}`, { patient: o.patient, tokens: new Set(o.tokens) });
    else for (const k of [...this.versions.keys()]) if (k.startsWith(`${o.record}:`)) this.versions.delete(k);
  }
  match(patient: number, tokens: number[]): string[] {
    return [...this.versions]
      .filter(([, v]) => v.patient === patient && tokens.every((t) => v.tokens.has(t)))
      .map(([k]) => k)
      .sort();
  }
}

// Records 1..6 belong to one patient each (record r to patient r % 2), as on chain.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        op: fc.constant('put' as const),
        record: fc.integer({ min: 1, max: 6 }),
        version: fc.integer({ min: 1, max: 3 }),
        tokens: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 5 }),
      })
      .map((o) => ({ ...o, patient: o.record % 2 })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('erase' as const), record: fc.integer({ min: 1, max: 6 }) }),
  },
);

describe('SearchIndexStore against a naive model', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-index-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every conjunction as the model does, after writes, rewrites and erasures', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 30 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 1 }),
            fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        async (ops, queries) => {
          const store = await SearchIndexStore.open(join(dir, `run-${run++}`));
          const model = new Model();
          try {
            for (const o of ops) {
              model.apply(o);
              if (o.op === 'put')
                await store.putTokens(byte32(o.patient), byte32(o.record), o.version, o.tokens.map(token));
              else await store.deleteRecord(byte32(o.record));
            }
            for (const [patient, tokens] of queries) {
              const got = await store.match(byte32(patient), tokens.map(token), 1000);
              expect(got.truncated).toBe(false);
              const keys = got.postings.map((p) => `${p.recordId[0]}:${p.version}`).sort();
              expect(keys).toEqual(model.match(patient, tokens));
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('says truncated when a posting list is longer than the limit', async () => {
    const store = await SearchIndexStore.open(join(dir, 'truncated'));
    try {
      for (let r = 1; r <= 5; r++) await store.putTokens(byte32(0), byte32(r), 1, [token(1)]);
      const got = await store.match(byte32(0), [token(1)], 3);
      expect([got.postings.length, got.truncated]).toEqual([3, true]);
    } finally {
      await store.close();
    }
  });

  it('keeps wrapped keys per (patient, reader)', async () => {
    const store = await SearchIndexStore.open(join(dir, 'keys'));
    try {
      await store.putKeys(byte32(1), [{ reader: byte32(2), wrapped: new Uint8Array(105).fill(9) }]);
      expect(hex((await store.getKey(byte32(1), byte32(2)))!)).toBe('09'.repeat(105));
      expect(await store.getKey(byte32(2), byte32(1))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
