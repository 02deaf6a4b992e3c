/**
 * VM throughput. Run: `node --import tsx test/perf/vm.bench.ts` (RUNS=n for more repetitions).
 * Prints the median of several runs; never passes or fails on time.
 *   - instructions/s of a compute loop (ints, locals, jumps)
 *   - calls/s of a representative registry contract (struct records, storage reads and writes,
 *     sha256, events, a revert path) over an in-memory state, plus its mean gas and steps per call
 *   - compile and validate time of that contract
 */
import { encodeInt } from '../../vm/abi.js';
import { compile } from '../../vm/compiler/index.js';
import { MemoryState } from '../../vm/journal.js';
import { type CallParams, callContract, deployContract } from '../../vm/runtime.js';
import { validateCode } from '../../vm/validate.js';

const RUNS = Number(process.env.RUNS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const enc = new TextEncoder();

const SRC = `
  struct Record { owner: bytes, kind: bytes, digest: bytes, created: int, updated: int, version: int }
  map records: bytes -> Record;
  map owned: bytes -> int;
  map byIndex: bytes -> bytes;
  event Stored(id, owner, version);

  fn index_key(owner: bytes, i: int) -> bytes { return concat(owner, bytes(i)); }

  export fn put(id: bytes, kind: bytes, body: bytes) -> int {
    require(len(id) == 32, "bad_id");
    require(len(kind) > 0 && len(kind) <= 32, "bad_kind");
    let digest = sha256(body);
    if (has(records, id)) {
      let r = records[id];
      require(r.owner == caller(), "not_owner");
      r.digest = digest;
      r.updated = time();
      r.version = r.version + 1;
      records[id] = r;
      emit Stored(id, caller(), r.version);
      return r.version;
    }
    let n = owned[caller()];
    byIndex[index_key(caller(), n)] = id;
    owned[caller()] = n + 1;
    records[id] = Record { owner: caller(), kind: kind, digest: digest, created: time(), updated: time(), version: 1 };
    emit Stored(id, caller(), 1);
    return 1;
  }

  export fn get(id: bytes) -> bytes {
    require(has(records, id), "not_found");
    return records[id];
  }

  export fn spin(n: int) -> int {
    let i = 0; let acc = 0;
    while (i < n) { acc = acc + (i * 3) % 7 - 1; i = i + 1; }
    return acc;
  }
`;

const compiled = compile(SRC);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
const code = compiled.code;

interface Outcome {
  ops: number;
  unit: string;
  extra?: string;
}

/** Runs `prepare` untimed, then times `run`; prints the median rate over RUNS repetitions. */
function bench<T>(name: string, prepare: () => T, run: (t: T) => Outcome): void {
  run(prepare()); // warm up
  const rates: number[] = [];
  let last: Outcome | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t = prepare();
    const t0 = process.hrtime.bigint();
    last = run(t);
    rates.push(last.ops / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const o = last!;
  console.log(
    `${name.padEnd(44)} ${fmt(median(rates)).padStart(12)} ${o.unit}${o.extra ? `  (${o.extra})` : ''}`,
  );
}

function setup(): { state: MemoryState; id: Uint8Array } {
  const state = new MemoryState();
  const d = deployContract(state, code);
  if (!d.ok) throw new Error('deploy failed');
  return { state, id: d.id };
}

const callers = Array.from({ length: 64 }, (_, i) => new Uint8Array(32).fill(i + 1));
const ids = Array.from({ length: 4096 }, (_, i) => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(0, i);
  return b;
});
const body = enc.encode('x'.repeat(200));
const kind = enc.encode('observation');

const call = (
  id: Uint8Array,
  method: string,
  args: Uint8Array[],
  caller: Uint8Array,
  i: number,
): CallParams => ({
  contract: id,
  method,
  args,
  caller,
  height: i,
  time: 1_700_000_000_000 + i,
  gasLimit: 1_000_000,
});

bench('compute loop: spin(200000)', setup, ({ state, id }) => {
  const r = callContract(state, { ...call(id, 'spin', [encodeInt(200_000)], callers[0]!, 0), gasLimit: 1e9 });
  if (r.status !== 'ok') throw new Error(r.error);
  return { ops: r.steps, unit: 'instructions/s', extra: `${fmt(r.steps)} steps per call` };
});

const CALLS = 20_000;
bench('registry: put (insert/update/not_owner mix)', setup, ({ state, id }) => {
  let steps = 0;
  let gas = 0;
  for (let i = 0; i < CALLS; i++) {
    const r = callContract(state, call(id, 'put', [ids[i % 4096]!, kind, body], callers[i % 64]!, i));
    steps += r.steps;
    gas += r.gasUsed;
  }
  return {
    ops: CALLS,
    unit: 'calls/s',
    extra: `${fmt(steps / CALLS)} steps, ${fmt(gas / CALLS)} gas per call`,
  };
});

const filled = () => {
  const s = setup();
  for (let i = 0; i < 4096; i++)
    callContract(s.state, call(s.id, 'put', [ids[i]!, kind, body], callers[i % 64]!, i));
  return s;
};

bench('registry: get', filled, ({ state, id }) => {
  let steps = 0;
  for (let i = 0; i < CALLS; i++)
    steps += callContract(state, call(id, 'get', [ids[i % 4096]!], callers[0]!, i)).steps;
  return { ops: CALLS, unit: 'calls/s', extra: `${fmt(steps / CALLS)} steps per call` };
});

bench('registry: instructions/s inside put', setup, ({ state, id }) => {
  let steps = 0;
  for (let i = 0; i < CALLS; i++) {
    steps += callContract(state, call(id, 'put', [ids[i % 4096]!, kind, body], callers[i % 64]!, i)).steps;
  }
  return { ops: steps, unit: 'instructions/s', extra: 'with storage, sha256, events' };
});

bench(
  'compile registry source',
  () => SRC,
  (src) => {
    for (let i = 0; i < 200; i++) compile(src);
    return { ops: 200, unit: 'compiles/s', extra: `${code.length} bytes of code` };
  },
);

bench(
  'validateCode registry module',
  () => code,
  (c) => {
    for (let i = 0; i < 2000; i++) validateCode(c);
    return { ops: 2000, unit: 'validations/s' };
  },
);
