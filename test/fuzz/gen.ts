/**
 * Seeded input generation for the fuzz campaign: every input is drawn from its own PRNG, seeded
 * from (campaign seed, target, input index), so any one input is reproduced from those three
 * numbers alone. Structure-aware where it pays: most inputs are mutations of valid encodings.
 */

import { rng as mulberry32, type Rand } from '../helpers/vm-programs.js';

export type { Rand };
export { mulberry32 };

/** The PRNG of input `index` of the target named `target` in campaign `seed`. */
export function rngFor(seed: number, target: string, index: number): Rand {
  // The target's name, not its place in the list, so a replay of one target draws the same input.
  let t = 0x811c9dc5;
  for (let i = 0; i < target.length; i++) t = Math.imul(t ^ target.charCodeAt(i), 0x01000193);
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (t + 0x632be5ab), 0xc2b2ae35);
  h = Math.imul(h ^ index, 0x27d4eb2f) ^ (index >>> 16);
  return mulberry32(h ^ (h >>> 13));
}

/** An integer in [0, n). */
export const below = (r: Rand, n: number): number => Math.floor(r() * n);

/** One of `xs`. */
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[below(r, xs.length)]!;

/** Random bytes, length below `max`. */
export function randomBytes(r: Rand, max: number): Uint8Array {
  return Uint8Array.from({ length: below(r, max) }, () => below(r, 256));
}

// Bytes that sit on boundaries of length prefixes, varints and msgpack tags.
const EXTREMES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0xc1, 0xdc, 0xdd, 0xde, 0xdf, 0x20, 0x40];

/**
 * `base` with 1-4 mutations: overwrite, bit flip, boundary byte, insert, delete, truncate, duplicate
 * a chunk, or splice in a chunk of `donor` (another valid encoding).
 */
export function mutate(r: Rand, base: Uint8Array, donor?: Uint8Array): Uint8Array {
  let b = Array.from(base);
  for (let n = 1 + below(r, 4); n > 0; n--) {
    const at = b.length === 0 ? 0 : below(r, b.length);
    switch (below(r, 8)) {
      case 0:
        b[at] = below(r, 256);
        break;
      case 1:
        b[at] = (b[at] ?? 0) ^ (1 << below(r, 8));
        break;
      case 2:
        b[at] = pick(r, EXTREMES);
        break;
      case 3:
        b.splice(at, 0, ...Array.from({ length: 1 + below(r, 8) }, () => below(r, 256)));
        break;
      case 4:
        b.splice(at, 1 + below(r, 8));
        break;
      case 5:
        b = b.slice(0, at);
        break;
      case 6:
        b.splice(at, 0, ...b.slice(at, at + 1 + below(r, 16)));
        break;
      default: {
        if (donor === undefined || donor.length === 0) break;
        const from = below(r, donor.length);
        b.splice(at, below(r, 16), ...donor.slice(from, from + 1 + below(r, 32)));
      }
    }
  }
  return Uint8Array.from(b);
}

/** 80 % a mutated seed, 10 % a seed's prefix then noise, 10 % noise. */
export function inputFrom(r: Rand, seeds: readonly Uint8Array[], maxRandom = 512): Uint8Array {
  const roll = r();
  const seed = pick(r, seeds);
  if (roll < 0.8) return mutate(r, seed, pick(r, seeds));
  if (roll < 0.9) {
    const head = seed.slice(0, below(r, seed.length + 1));
    const tail = randomBytes(r, 64);
    const out = new Uint8Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return out;
  }
  return randomBytes(r, maxRandom);
}
