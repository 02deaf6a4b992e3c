/**
 * The world state's shortcuts give the roots the plain construction gives: the entry-vector memo
 * (nonces) and the key strings the block overlay hands to `stage`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JournaledState } from '../../../node/state/journal.js';
import { KeySpace } from '../../../node/state/keys.js';
import type { StateWrite } from '../../../node/state/view.js';
import { keyString } from '../../../node/state/view.js';
import { WorldState } from '../../../node/state/world.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Few keys in both spaces (the memo keeps only the system space's), so blocks overwrite each
// other's keys; short values, so an overwrite often brings back a value a key held before.
const arbKey = fc
  .tuple(fc.constantFrom(KeySpace.System, KeySpace.Contract), fc.integer({ min: 0, max: 7 }))
  .map(([space, i]) => new Uint8Array([space, 1, i]));
const arbWrite: fc.Arbitrary<StateWrite> = fc.record({
  key: arbKey,
  value: fc.option(fc.uint8Array({ minLength: 0, maxLength: 2 }), { nil: null, freq: 5 }),
});
// A block: its writes, and whether it is applied or only staged (a proposal that lost).
const arbBlocks = fc.array(fc.tuple(fc.array(arbWrite, { maxLength: 8 }), fc.boolean()), { maxLength: 30 });

describe('WorldState', () => {
  it('the memo gives the root recomputed from scratch, with staged-only blocks in between', () => {
    fc.assert(
      fc.property(arbBlocks, (blocks) => {
        const w = new WorldState();
        for (const [writes, applied] of blocks) {
          const staged = w.stage(writes);
          if (!applied) continue;
          w.applyStaged(staged);
          expect(hex(w.root())).toBe(hex(w.recomputeRoot()));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('staging the overlay writes with their key strings gives the root staging the bytes gives', () => {
    fc.assert(
      fc.property(arbBlocks, (blocks) => {
        const a = new WorldState();
        const b = new WorldState();
        for (const [writes] of blocks) {
          const j = new JournaledState(a);
          for (const x of writes) x.value === null ? j.delete(x.key) : j.set(x.key, x.value);
          const withStr = j.writes();
          for (const x of withStr) expect(x.keyStr).toBe(keyString(x.key));
          const bare = withStr.map(({ key, value }) => ({ key, value }));
          const ra = a.apply(withStr);
          const rb = b.apply(bare);
          expect(hex(ra)).toBe(hex(rb));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('staging the overlay writes as distinct gives the root and state the deduplicating stage gives', () => {
    fc.assert(
      fc.property(arbBlocks, (blocks) => {
        const a = new WorldState();
        const b = new WorldState();
        for (const [writes, applied] of blocks) {
          const j = new JournaledState(a);
          for (const x of writes) x.value === null ? j.delete(x.key) : j.set(x.key, x.value);
          const sa = a.stage(j.writes(), true);
          const sb = b.stage(j.writes());
          expect(hex(sa.root)).toBe(hex(sb.root));
          expect(sa.writes.length).toBe(sb.writes.length);
          if (!applied) continue;
          a.applyStaged(sa);
          b.applyStaged(sb);
          expect(hex(a.root())).toBe(hex(a.recomputeRoot()));
          expect(a.sortedEntries().map(([k, v]) => hex(k) + hex(v))).toEqual(
            b.sortedEntries().map(([k, v]) => hex(k) + hex(v)),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
