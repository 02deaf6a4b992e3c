import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLaneArena, type LaneArena, type LaneBackend } from '../../../node/state/lanes.js';

const edge = fc.constantFrom(0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff);
const arbLanes = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1024, maxLength: 1024 }),
  fc.array(edge, { minLength: 1024, maxLength: 1024 }),
);

/** Slot `s`'s lanes, read from its little-endian bytes. */
function get(arena: LaneArena, s: number): number[] {
  const b = arena.slotBytes(s);
  return Array.from({ length: 1024 }, (_, i) => b[2 * i]! | (b[2 * i + 1]! << 8));
}

function put(arena: LaneArena, s: number, lanes: readonly number[]): void {
  const b = arena.slotBytes(s);
  lanes.forEach((v, i) => {
    b[2 * i] = v & 0xff;
    b[2 * i + 1] = v >>> 8;
  });
}

const plus = (x: number[], y: number[]) => x.map((v, i) => (v + y[i]!) & 0xffff);
const minus = (x: number[], y: number[]) => x.map((v, i) => (v - y[i]!) & 0xffff);

type Op = 'add' | 'sub' | 'addKeep' | 'replaceKeep';
// Slots a, b, c far apart in an arena of 8, so a wrong offset shows.
const [A, B, C] = [5, 2, 7];

/** What each operation leaves in slots a, b, c, lane by lane mod 2^16. */
function expected(op: Op, a: number[], b: number[], c: number[]): number[][] {
  if (op === 'add') return [plus(a, b), b, c];
  if (op === 'sub') return [minus(a, b), b, c];
  if (op === 'addKeep') return [plus(a, b), b, b]; // addKeep(a, b, c): c = b
  return [plus(minus(a, b), c), c, c]; // replaceKeep(a, b, c): b = c
}

describe.each(['wasm', 'js'] as LaneBackend[])('the lane arena (%s)', (backend) => {
  const arena = createLaneArena(8, backend);

  it('is built with the backend asked for (WebAssembly SIMD compiles on Node 20)', () => {
    expect(arena.backend).toBe(backend);
  });

  it('starts with every lane zero', () => {
    for (let s = 0; s < 8; s++) expect(arena.slotBytes(s).every((b) => b === 0)).toBe(true);
  });

  it('adds, subtracts and replaces as the lane-by-lane sums mod 2^16, carries and borrows included', () => {
    const op = fc.constantFrom<Op>('add', 'sub', 'addKeep', 'replaceKeep');
    fc.assert(
      fc.property(op, arbLanes, arbLanes, arbLanes, (o, a, b, c) => {
        put(arena, A, a);
        put(arena, B, b);
        put(arena, C, c);
        if (o === 'add') arena.add(A, B);
        else if (o === 'sub') arena.sub(A, B);
        else if (o === 'addKeep') arena.addKeep(A, B, C);
        else arena.replaceKeep(A, B, C);
        expect([get(arena, A), get(arena, B), get(arena, C)]).toEqual(expected(o, a, b, c));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves the other slots alone', () => {
    for (let s = 0; s < 8; s++) put(arena, s, new Array(1024).fill(s));
    arena.replaceKeep(A, B, C);
    arena.addKeep(A, B, C);
    for (const s of [0, 1, 3, 4, 6]) expect(get(arena, s)).toEqual(new Array(1024).fill(s));
  });
});
