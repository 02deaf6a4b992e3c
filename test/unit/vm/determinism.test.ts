import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryState } from '../../../vm/journal.js';
import { type CallResult, callContract, deployContract, queryContract } from '../../../vm/runtime.js';
import { compileOk, encodeInt } from './helpers.js';

// A contract with writes, deletes, reverts, loops, hashing, events and packed records.
const SRC = `
  struct Entry { owner: bytes, value: int, tag: bytes }
  map entries: bytes -> Entry;
  map total: bytes -> int;
  event Set(key, value);
  event Removed(key);

  export fn set(k: bytes, v: int) {
    require(len(k) > 0, "empty_key");
    if (has(entries, k)) {
      require(entries[k].owner == caller(), "not_owner");
    }
    entries[k] = Entry { owner: caller(), value: v, tag: sha256(concat(k, bytes(v))) };
    total[caller()] = total[caller()] + v;
    emit Set(k, v);
  }
  export fn remove(k: bytes) {
    require(has(entries, k), "missing");
    let e = entries[k];
    require(e.owner == caller(), "not_owner");
    total[caller()] = total[caller()] - e.value;
    delete entries[k];
    emit Removed(k);
  }
  export fn spin(n: int) -> int {
    let i = 0; let acc = 0;
    while (i < n) { acc = acc + i * i; i = i + 1; }
    return acc;
  }
  export fn get(k: bytes) -> bytes { return entries[k]; }
`;

const callArb = fc.record({
  method: fc.constantFrom('set', 'remove', 'spin', 'get', 'nope'),
  key: fc.constantFrom('', 'a', 'b', 'c'),
  value: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  caller: fc.integer({ min: 0, max: 2 }),
  gas: fc.integer({ min: 0, max: 60_000 }),
  query: fc.boolean(),
});

type Call = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function play(calls: readonly Call[]): { results: CallResult[]; state: [Uint8Array, Uint8Array][] } {
  const st = new MemoryState();
  const d = deployContract(st, compileOk(SRC));
  if (!d.ok) throw new Error('deploy');
  const results = calls.map((c, i) => {
    const k = new TextEncoder().encode(c.key);
    const args =
      c.method === 'set' ? [k, encodeInt(c.value)] : c.method === 'spin' ? [encodeInt(c.value % 50)] : [k];
    const p = {
      contract: d.id,
      method: c.method,
      args,
      caller: new Uint8Array(32).fill(c.caller),
      height: i,
      time: 1_000 * i,
      gasLimit: c.gas,
    };
    return c.query ? queryContract(st, p) : callContract(st, p);
  });
  return { results, state: st.entries() };
}

describe('determinism', () => {
  it('the same calls on two fresh states give byte-identical states and results', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 40 }), (calls) => {
        const a = play(calls);
        const b = play(calls);
        expect(b.results).toEqual(a.results);
        expect(b.state).toEqual(a.state);
      }),
      { numRuns: 150 },
    );
  });
  it('queries never change state', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 30 }), (calls) => {
        const withQueries = play(calls);
        const without = play(calls.filter((c) => !c.query));
        expect(withQueries.state).toEqual(without.state);
      }),
      { numRuns: 100 },
    );
  });
});
