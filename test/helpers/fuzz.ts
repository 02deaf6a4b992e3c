/** Byte-level mutations for bounded fuzzing of decoders and routes (seeded: runs are reproducible). */

/**
 * A copy of `base` with one random mutation: 1-4 bytes overwritten, 1-8 random bytes inserted, or
 * 1-8 bytes deleted, at random places.
 */
export function mutateBytes(base: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const b = Array.from(base);
  switch (int(3)) {
    case 0:
      for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = int(256);
      break;
    case 1:
      b.splice(int(b.length), 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
      break;
    default:
      b.splice(int(b.length), 1 + int(8));
  }
  return Uint8Array.from(b);
}

/** `n` random bytes, `n` below `max`. */
export function randomBytesBelow(max: number, rand: () => number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256));
}
