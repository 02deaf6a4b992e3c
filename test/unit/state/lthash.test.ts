import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addLanes,
  addLanesNaive,
  entryExpander,
  entryVector,
  entryVectorInto,
  LTHASH_BYTES,
  LtHash,
  laneWords,
  lthashBackend,
  replaceWords,
  stateRootOf,
  subLanes,
  subLanesNaive,
} from '../../../node/state/lthash.js';
import type { StateWrite } from '../../../node/state/view.js';
import { WorldState } from '../../../node/state/world.js';

const u = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** entryInput of docs/state.md: domain ‖ u32be(len(key)) ‖ key ‖ value. */
function entryInput(k: Uint8Array, v: Uint8Array): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, k.length, false);
  return new Uint8Array([...u('ehrchain/lthash16/entry/v2'), ...len, ...k, ...v]);
}

/** The expansion of docs/state.md, written independently with @noble/hashes and @noble/ciphers. */
function nobleExpand(input: Uint8Array, out: Uint8Array): void {
  out.set(chacha20(sha256(input), new Uint8Array(12), new Uint8Array(2048)));
}

/** The construction of docs/state.md around an expansion (by default the independent one). */
function referenceRoot(
  entries: [Uint8Array, Uint8Array][],
  expand: (input: Uint8Array, out: Uint8Array) => void = nobleExpand,
): Uint8Array {
  const acc = new Uint16Array(1024);
  const x = new Uint8Array(2048);
  for (const [k, v] of entries) {
    expand(entryInput(k, v), x);
    for (let i = 0; i < 1024; i++) acc[i] = acc[i]! + (x[2 * i]! | (x[2 * i + 1]! << 8));
  }
  const bytes = new Uint8Array(2048);
  for (let i = 0; i < 1024; i++) {
    bytes[2 * i] = acc[i]! & 0xff;
    bytes[2 * i + 1] = acc[i]! >>> 8;
  }
  return sha256(new Uint8Array([...u('ehrchain/lthash16/root/v2'), ...bytes]));
}

const arbKey = fc.uint8Array({ minLength: 1, maxLength: 8 });
const arbWrite: fc.Arbitrary<StateWrite> = fc.record({
  key: arbKey,
  value: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }),
});
const arbLongValue = fc.uint8Array({ minLength: 200, maxLength: 700 });
const arbBlocks = fc.array(fc.array(arbWrite, { maxLength: 12 }), { maxLength: 8 });

/** The final state a sequence of write sets leads to, computed naively. */
function naiveFinal(blocks: readonly (readonly StateWrite[])[]): Map<string, [Uint8Array, Uint8Array]> {
  const m = new Map<string, [Uint8Array, Uint8Array]>();
  for (const ws of blocks)
    for (const w of ws) {
      const s = hex(w.key);
      if (w.value === null) m.delete(s);
      else m.set(s, [w.key, w.value]);
    }
  return m;
}

describe('LtHash16 state root', () => {
  it('matches the test vectors of docs/state.md', () => {
    expect(hex(new LtHash().root())).toBe('acae60de3f8fe12f9bdb430756b8f3611744d9d16725e7690004b548c01d7f3e');
    const v = entryVector(u('alice'), u('consent:granted'));
    expect(Array.from(v.subarray(0, 4))).toEqual([64076, 12029, 53319, 57098]);
    const one: [Uint8Array, Uint8Array][] = [[u('alice'), u('consent:granted')]];
    expect(hex(stateRootOf(one))).toBe('fad1abbca1e25935ba165b1190604817768d7e49e6078328840a82cf663a3492');
    const two: [Uint8Array, Uint8Array][] = [...one, [u('bob'), u('')]];
    expect(hex(stateRootOf(two))).toBe('73eb83f322ab044e415b44e186ea06b71c4bdafb441980b6948fab3efd78bb60');
  });

  it('equals an independent implementation of the documented construction', () => {
    fc.assert(
      fc.property(
        // Values past the 256-byte scratch too: the input buffer grows and is reused.
        fc.uniqueArray(fc.tuple(arbKey, fc.oneof(fc.uint8Array({ maxLength: 40 }), arbLongValue)), {
          selector: (e) => hex(e[0]),
          maxLength: 6,
        }),
        (entries) => {
          expect(hex(stateRootOf(entries))).toBe(hex(referenceRoot(entries)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('length-prefixes the key: (ab, c) and (a, bc) differ', () => {
    expect(hex(stateRootOf([[u('ab'), u('c')]]))).not.toBe(hex(stateRootOf([[u('a'), u('bc')]])));
  });

  it('add then remove returns to the empty root; bytes round-trip', () => {
    const h = new LtHash();
    h.add(u('k'), u('v'));
    const copy = LtHash.fromBytes(h.bytes());
    expect(copy.equals(h)).toBe(true);
    expect(h.bytes().length).toBe(LTHASH_BYTES);
    h.remove(u('k'), u('v'));
    expect(hex(h.root())).toBe(hex(new LtHash().root()));
  });

  it('incremental root equals the root recomputed from scratch (random put/delete sequences)', () => {
    fc.assert(
      fc.property(arbBlocks, (blocks) => {
        const w = new WorldState();
        for (const ws of blocks) {
          const root = w.apply(ws);
          expect(hex(root)).toBe(hex(w.recomputeRoot()));
        }
        const final = naiveFinal(blocks);
        expect(w.size).toBe(final.size);
        expect(hex(w.root())).toBe(hex(stateRootOf(final.values())));
      }),
      { numRuns: 200 },
    );
  });

  it('the final root does not depend on the order entries were inserted', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(arbKey, fc.uint8Array({ maxLength: 16 })), {
          selector: (e) => hex(e[0]),
          maxLength: 20,
        }),
        fc.infiniteStream(fc.nat()),
        (entries, rnd) => {
          const shuffled = [...entries];
          const it = rnd[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = it.next().value % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const a = new WorldState();
          a.apply(entries.map(([key, value]) => ({ key, value })));
          const b = new WorldState();
          for (const [key, value] of shuffled) b.apply([{ key, value }]);
          expect(hex(a.root())).toBe(hex(b.root()));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('two fresh states fed the same writes give byte-identical roots', () => {
    fc.assert(
      fc.property(arbBlocks, (blocks) => {
        const a = new WorldState();
        const b = new WorldState();
        for (const ws of blocks) expect(a.apply(ws)).toEqual(b.apply(ws));
      }),
      { numRuns: 100 },
    );
  });

  it('stage does not change the state; stale staged writes are refused', () => {
    const w = new WorldState();
    const s1 = w.stage([{ key: u('a'), value: u('1') }]);
    expect(w.size).toBe(0);
    expect(hex(w.root())).toBe(hex(new LtHash().root()));
    const s2 = w.stage([{ key: u('b'), value: u('2') }]);
    w.applyStaged(s1);
    expect(w.isCurrent(s2)).toBe(false);
    expect(() => w.applyStaged(s2)).toThrow(/stale/);
    expect(hex(w.root())).toBe(hex(s1.root));
  });

  it('stage drops no-op writes (same value, delete of an absent key)', () => {
    const w = new WorldState();
    w.apply([{ key: u('a'), value: u('1') }]);
    const s = w.stage([
      { key: u('a'), value: u('1') },
      { key: u('zz'), value: null },
      { key: u('b'), value: u('2') },
    ]);
    expect(s.writes.map((x) => hex(x.key))).toEqual([hex(u('b'))]);
  });

  it('node keys rewritten past the memo capacity of 4,096 vectors keep the incremental root exact', () => {
    // The memo overwrites a key's previous vector, or the evicted oldest one, in place.
    const nonceKey = (i: number) => Uint8Array.of(0x00, 0x01, i >> 8, i & 0xff);
    const nonce = (n: number) => Uint8Array.of(n);
    const w = new WorldState();
    for (let round = 0; round < 3; round++) {
      w.apply(Array.from({ length: 5_000 }, (_, i) => ({ key: nonceKey(i), value: nonce(round) })));
      w.apply(Array.from({ length: 100 }, (_, i) => ({ key: nonceKey(i), value: nonce(round + 10) })));
    }
    expect(hex(w.root())).toBe(hex(w.recomputeRoot()));
  });

  it('a value staged but never applied does not stand in for the value the key really holds', () => {
    // The entry-vector memo remembers the vector of a key's last staged value; an overwrite must
    // subtract the vector of the value actually held, not of one that was staged and dropped.
    const w = new WorldState();
    w.apply([{ key: u('k'), value: u('held') }]);
    w.stage([{ key: u('k'), value: u('dropped') }]);
    w.apply([{ key: u('k'), value: u('next') }]);
    expect(hex(w.root())).toBe(hex(w.recomputeRoot()));
    w.apply([{ key: u('k'), value: null }]);
    expect(hex(w.root())).toBe(hex(w.recomputeRoot()));
    expect(w.size).toBe(0);
  });
});

const ALICE: [Uint8Array, Uint8Array] = [u('alice'), u('consent:granted')];
const BOB: [Uint8Array, Uint8Array] = [u('bob'), u('')];

describe.each(['sodium', 'node'] as const)('LtHash16 entry expansion through %s', (backend) => {
  const expand = entryExpander(backend);

  it('loads here', () => {
    expect(expand).not.toBeNull();
  });

  it('gives the test vectors of docs/state.md', () => {
    const x = new Uint8Array(2048);
    expand!(entryInput(...ALICE), x);
    expect(hex(x.subarray(0, 8))).toBe('4cfafd2e47d00adf');
    expect(hex(referenceRoot([], expand!))).toBe(
      'acae60de3f8fe12f9bdb430756b8f3611744d9d16725e7690004b548c01d7f3e',
    );
    expect(hex(referenceRoot([ALICE], expand!))).toBe(
      'fad1abbca1e25935ba165b1190604817768d7e49e6078328840a82cf663a3492',
    );
    expect(hex(referenceRoot([ALICE, BOB], expand!))).toBe(
      '73eb83f322ab044e415b44e186ea06b71c4bdafb441980b6948fab3efd78bb60',
    );
  });

  it('equals the independent expansion on random entries', () => {
    fc.assert(
      fc.property(arbKey, fc.oneof(fc.uint8Array({ maxLength: 40 }), arbLongValue), (k, v) => {
        const a = new Uint8Array(2048);
        const b = new Uint8Array(2048);
        expand!(entryInput(k, v), a);
        nobleExpand(entryInput(k, v), b);
        expect(hex(a)).toBe(hex(b));
      }),
      { numRuns: 50 },
    );
  });
});

describe('LtHash16 lanes', () => {
  it('expands through libsodium in this process unless told not to (sodium-native is a dependency)', () => {
    expect(lthashBackend).toBe(process.env.EHRCHAIN_LTHASH === 'node' ? 'node' : 'sodium');
  });

  it('entryVector hands out a fresh vector each call (the scratch is never shared)', () => {
    const a = entryVector(...ALICE);
    const before = Array.from(a);
    const b = entryVector(...BOB);
    expect(b).not.toBe(a);
    expect(Array.from(a)).toEqual(before);
  });

  it('entryVectorInto writes exactly the entry vector over whatever the lanes held', () => {
    const lanes = new Uint16Array(1024).fill(0xabcd);
    entryVectorInto(...ALICE, lanes);
    expect(Array.from(lanes)).toEqual(Array.from(entryVector(...ALICE)));
  });

  const arbLanes = fc.uint16Array({ minLength: 1024, maxLength: 1024 });
  // Lanes at a 2-byte but not 4-byte offset take the one-lane-at-a-time path.
  const unaligned = (v: Uint16Array): Uint16Array => {
    const buf = new Uint16Array(1025);
    const out = buf.subarray(1);
    out.set(v);
    return out;
  };

  it('two-lanes-per-word add and subtract equal the one-lane loop, carries and borrows included', () => {
    const edge = fc.constantFrom(0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff);
    const arbEdgeLanes = fc.array(edge, { minLength: 1024, maxLength: 1024 }).map((a) => Uint16Array.from(a));
    const lanes = fc.oneof(arbLanes, arbEdgeLanes);
    fc.assert(
      fc.property(lanes, lanes, fc.boolean(), (a, b, aligned) => {
        const y = aligned ? b : unaligned(b);
        for (const [fast, naive] of [
          [addLanes, addLanesNaive],
          [subLanes, subLanesNaive],
        ] as const) {
          const got = new Uint16Array(a);
          const want = new Uint16Array(a);
          fast(got, y);
          naive(want, b);
          expect(Array.from(got)).toEqual(Array.from(want));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the one-pass replace (a += c - b) equals subtracting then adding one lane at a time', () => {
    const edge = fc.constantFrom(0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff);
    const arbEdgeLanes = fc.array(edge, { minLength: 1024, maxLength: 1024 }).map((a) => Uint16Array.from(a));
    const lanes = fc.oneof(arbLanes, arbEdgeLanes);
    fc.assert(
      fc.property(lanes, lanes, lanes, (a, b, c) => {
        const got = new Uint16Array(a);
        replaceWords(laneWords(got), laneWords(new Uint16Array(b)), laneWords(new Uint16Array(c)));
        const want = new Uint16Array(a);
        subLanesNaive(want, b);
        addLanesNaive(want, c);
        expect(Array.from(got)).toEqual(Array.from(want));
      }),
      { numRuns: 300 },
    );
  });
});
