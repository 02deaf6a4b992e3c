/**
 * The bytes of a tiny WebAssembly module doing LtHash16's lane arithmetic with 128-bit SIMD
 * (`i16x8.add` / `i16x8.sub`: eight u16 lanes mod 2^16 per instruction, 128 instructions per
 * 1024-lane vector). Assembled here from the opcode listing below, so there is no toolchain and no
 * opaque blob in the repository; the binary format is the WebAssembly core spec's (§5), the SIMD
 * opcodes are the fixed-width SIMD proposal's (part of the spec since 2.0, on by default in Node 20).
 *
 * The module owns one memory (exported as `memory`) of `pages` 64 KiB pages, never grown, and
 * exports four functions over 2048-byte vectors at byte offsets into it:
 *   add(a, b)            a += b
 *   sub(a, b)            a -= b
 *   addKeep(a, b, k)     a += b; k = b
 *   replaceKeep(a, o, b) a += b - o; o = b
 * WebAssembly is little-endian on every platform, so the vectors are LtHash16's little-endian bytes.
 */

/** Bytes of one vector: 1024 u16 lanes. */
const VECTOR = 2048;

// Opcodes (core spec §5.4) and the SIMD prefix.
const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_NE = 0x47;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const EMPTY_BLOCK = 0x40;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const I16X8_ADD = 142;
const I16X8_SUB = 145;
const I32 = 0x7f;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const; the values here are small and non-negative). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A vector of items: its count then the items (spec §5.1.3). */
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A name: its UTF-8 bytes as a vector. */
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
/** A section: id, then its contents' byte size, then the contents. */
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// The listing's words. `p` is a parameter (0, 1, 2); local 3 (or 2) is the byte index `i`.
const get = (local: number) => [LOCAL_GET, local];
/** v128 address: `local + i` (16-byte aligned, memarg align 2^4, offset 0). */
const at = (local: number, i: number) => [...get(local), ...get(i), I32_ADD];
const load = (local: number, i: number) => [...at(local, i), SIMD, ...uleb(V128_LOAD), 4, 0];
const store = [SIMD, ...uleb(V128_STORE), 4, 0];
const add16 = [SIMD, ...uleb(I16X8_ADD)];
const sub16 = [SIMD, ...uleb(I16X8_SUB)];
/** `i += 16; loop again while i != 2048`, then close the loop. */
const next = (i: number) => [
  ...get(i),
  I32_CONST,
  ...sleb(16),
  I32_ADD,
  LOCAL_TEE,
  i,
  I32_CONST,
  ...sleb(VECTOR),
  I32_NE,
  BR_IF,
  0,
  END,
];
/** A function body: one i32 local (`i`, starting at 0), a loop over the vector's 128 v128 words. */
const body = (loop: number[]): number[] => {
  const code = [...vec([[1, I32]]), LOOP, EMPTY_BLOCK, ...loop, END];
  return [...uleb(code.length), ...code];
};

// add(a, b): a[i] = a[i] + b[i]
const ADD = body([
  ...at(0, 2), // store address a + i
  ...load(0, 2), // a[i]
  ...load(1, 2), // b[i]
  ...add16,
  ...store,
  ...next(2),
]);

// sub(a, b): a[i] = a[i] - b[i]
const SUB = body([...at(0, 2), ...load(0, 2), ...load(1, 2), ...sub16, ...store, ...next(2)]);

// addKeep(a, b, k): a[i] = a[i] + b[i]; k[i] = b[i]
const ADD_KEEP = body([
  ...at(0, 3),
  ...load(0, 3),
  ...load(1, 3),
  ...add16,
  ...store,
  ...at(2, 3), // k + i
  ...load(1, 3), // b[i]
  ...store,
  ...next(3),
]);

// replaceKeep(a, o, b): a[i] = a[i] - o[i] + b[i]; o[i] = b[i]
const REPLACE_KEEP = body([
  ...at(0, 3),
  ...load(0, 3),
  ...load(1, 3),
  ...sub16,
  ...load(2, 3),
  ...add16,
  ...store,
  ...at(1, 3), // o + i
  ...load(2, 3), // b[i]
  ...store,
  ...next(3),
]);

/** The module's bytes, with a memory of `pages` 64 KiB pages. */
export function laneModuleBytes(pages: number): Uint8Array<ArrayBuffer> {
  const two = [0x60, ...vec([[I32], [I32]]), 0]; // type 0: (i32, i32) -> ()
  const three = [0x60, ...vec([[I32], [I32], [I32]]), 0]; // type 1: (i32, i32, i32) -> ()
  const exports: [string, number, number][] = [
    ['memory', 2, 0],
    ['add', 0, 0],
    ['sub', 0, 1],
    ['addKeep', 0, 2],
    ['replaceKeep', 0, 3],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vec([two, three])),
    ...section(3, vec([[0], [0], [1], [1]])), // the four functions' types
    ...section(5, vec([[0x00, ...uleb(pages)]])), // one memory: min `pages`, no max
    ...section(7, vec(exports.map(([n, kind, index]) => [...name(n), kind, ...uleb(index)]))),
    ...section(10, vec([ADD, SUB, ADD_KEEP, REPLACE_KEEP])),
  ]);
}
