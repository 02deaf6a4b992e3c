/**
 * A lane arena: numbered slots of 2048 bytes (one LtHash16 vector each, 1024 little-endian u16
 * lanes) in one fixed memory, and the lane arithmetic staging needs between slots. WebAssembly SIMD
 * when it compiles here (node/state/lanes-wasm.ts: 0.07-0.17 µs per 1024-lane add or replace),
 * else JavaScript over u32 words (1.5-2.2 µs; docs/state.md §2). Both give the same lanes (a property
 * test holds them to the one-lane-at-a-time reference). Entry expansions are written straight
 * into a slot (`slotBytes`), so no vector is copied into or out of the arena per write.
 */
import { endianness } from 'node:os';
import { laneModuleBytes } from './lanes-wasm.js';
import { addWords, LTHASH_BYTES, laneWords, replaceWords, subWords } from './lthash.js';

/** Which code does the lane arithmetic. */
export type LaneBackend = 'wasm' | 'js';

/** Slots of 2048-byte vectors and lane-wise arithmetic mod 2^16 between them (slot numbers). */
export interface LaneArena {
  readonly backend: LaneBackend;
  readonly slots: number;
  /** Slot `slot`'s 2048 bytes: a view that stays valid (the memory never grows). */
  slotBytes(slot: number): Uint8Array;
  /** a += b */
  add(a: number, b: number): void;
  /** a -= b */
  sub(a: number, b: number): void;
  /** a += b, then k = b */
  addKeep(a: number, b: number, k: number): void;
  /** a += b - o, then o = b */
  replaceKeep(a: number, o: number, b: number): void;
}

interface LaneExports {
  memory: WebAssembly.Memory;
  add(a: number, b: number): void;
  sub(a: number, b: number): void;
  addKeep(a: number, b: number, k: number): void;
  replaceKeep(a: number, o: number, b: number): void;
}

const PAGE = 65536;
const V = LTHASH_BYTES;

function wasmArena(slots: number): LaneArena | null {
  let x: LaneExports;
  try {
    const pages = Math.ceil((slots * V) / PAGE);
    const mod = new WebAssembly.Module(laneModuleBytes(pages));
    x = new WebAssembly.Instance(mod, {}).exports as unknown as LaneExports;
  } catch {
    return null; // no WebAssembly, or no SIMD (e.g. --jitless)
  }
  const buffer = x.memory.buffer;
  const { add, sub, addKeep, replaceKeep } = x;
  return {
    backend: 'wasm',
    slots,
    slotBytes: (s) => new Uint8Array(buffer, s * V, V),
    add: (a, b) => add(a * V, b * V),
    sub: (a, b) => sub(a * V, b * V),
    addKeep: (a, b, k) => addKeep(a * V, b * V, k * V),
    replaceKeep: (a, o, b) => replaceKeep(a * V, o * V, b * V),
  };
}

// JavaScript: on little-endian platforms each slot's u32 words (two lanes each, as lthash.ts adds
// them); elsewhere lane by lane from the little-endian bytes.
function jsArena(slots: number): LaneArena {
  const buffer = new ArrayBuffer(slots * V);
  const bytes = Array.from({ length: slots }, (_, s) => new Uint8Array(buffer, s * V, V));
  const base = { backend: 'js' as const, slots, slotBytes: (s: number) => bytes[s]! };
  if (endianness() !== 'LE') {
    const lanewise = (a: Uint8Array, b: Uint8Array, sign: 1 | -1): void => {
      for (let i = 0; i < V; i += 2) {
        const r = (a[i]! | (a[i + 1]! << 8)) + sign * (b[i]! | (b[i + 1]! << 8));
        a[i] = r & 0xff;
        a[i + 1] = (r >>> 8) & 0xff;
      }
    };
    return {
      ...base,
      add: (a, b) => lanewise(bytes[a]!, bytes[b]!, 1),
      sub: (a, b) => lanewise(bytes[a]!, bytes[b]!, -1),
      addKeep: (a, b, k) => {
        lanewise(bytes[a]!, bytes[b]!, 1);
        bytes[k]!.set(bytes[b]!);
      },
      replaceKeep: (a, o, b) => {
        lanewise(bytes[a]!, bytes[o]!, -1);
        lanewise(bytes[a]!, bytes[b]!, 1);
        bytes[o]!.set(bytes[b]!);
      },
    };
  }
  const words = bytes.map((b) => laneWords(new Uint16Array(b.buffer, b.byteOffset, V / 2)));
  return {
    ...base,
    add: (a, b) => addWords(words[a]!, words[b]!),
    sub: (a, b) => subWords(words[a]!, words[b]!),
    addKeep: (a, b, k) => {
      addWords(words[a]!, words[b]!);
      words[k]!.set(words[b]!);
    },
    replaceKeep: (a, o, b) => {
      replaceWords(words[a]!, words[o]!, words[b]!);
      words[o]!.set(words[b]!);
    },
  };
}

/**
 * An arena of `slots` vectors, all lanes zero: WebAssembly SIMD unless `backend` is 'js' or it does
 * not compile here (`EHRCHAIN_LANES=js` forces JavaScript for the process's own arenas).
 */
export function createLaneArena(slots: number, backend: LaneBackend = defaultLaneBackend()): LaneArena {
  return (backend === 'wasm' ? wasmArena(slots) : null) ?? jsArena(slots);
}

function defaultLaneBackend(): LaneBackend {
  return process.env.EHRCHAIN_LANES === 'js' ? 'js' : 'wasm';
}
