/**
 * Consent transactions per second through the VM, on one core: the compiled consent contract
 * (vm/consent/consent.ehr) run by `callContract` / `queryContract` over an in-memory state. No
 * signature checks, no block assembly, no disk: the VM's share of the node's work. Calls are
 * encoded before the clock starts (the node receives them encoded).
 *
 *   node --import tsx test/perf/consent.bench.ts [--json] [--runs 5] [--txs 20000] [--patients 2000]
 *     [--only grant|anchor|canAccess|mixed|node:<workload>] [--profile out.cpuprofile]
 *
 * Workloads: `grant` (a patient grants a doctor read of one category), `anchor` (a doctor with a
 * write grant anchors a new record), `canAccess` (a doctor's read question, granted), `mixed`
 * (grant, anchor, canAccess and a one-read recordReads in turn). `--json` prints one line with
 * `consent_tx_per_s` (the mixed median). Prints figures; never passes or fails on time.
 *
 * `node:<workload>` runs the same calls the way the node does: signed-tx bodies (no signature
 * checks) in blocks of 1,000 through the registry executor (nonces, checkpoints, the VM handler on
 * a `PrefixedView`) over a block's `JournaledState` over the `WorldState`; queries through
 * `executor.query` on the world state. Its `tx_per_cpu_s` counts execution only; `root_tx_per_cpu_s`
 * adds staging and applying each block's writes (the LtHash state root). By default `node:mixed`
 * runs after the VM workloads. `--profile` writes a CPU profile of the timed loops only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parseArgs } from 'node:util';
import { hexToBytes } from '@noble/hashes/utils.js';
import { createVmHandler, VM_SPACE } from '../../node/contracts/vm.js';
import type { Executor } from '../../node/state/executor.js';
import { JournaledState } from '../../node/state/journal.js';
import { contractPrefix } from '../../node/state/keys.js';
import { createExecutor } from '../../node/state/registry.js';
import { PrefixedView } from '../../node/state/view.js';
import { WorldState } from '../../node/state/world.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import { encodeCanAccess, encodeOp } from '../../vm/consent/abi.js';
import { actorIdOf } from '../../vm/consent/common.js';
import { ConsentContract } from '../../vm/consent/contract.js';
import { consentCode } from '../../vm/consent/index.js';
import type { ConsentOp } from '../../vm/consent/ops.js';
import { MemoryState, type StateView } from '../../vm/journal.js';
import { callContract, contractIdForName, queryContract } from '../../vm/runtime.js';
import { DAY, HOUR, hashOf, keyOf, T0, type World } from '../unit/consent/world.js';
import { growConsortium } from './consent-consortium.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '5' },
    txs: { type: 'string', default: '20000' },
    patients: { type: 'string', default: '2000' },
    only: { type: 'string', default: '' },
    profile: { type: 'string', default: '' },
  },
});
const RUNS = Number(values.runs);
const TXS = Number(values.txs);
const PATIENTS = Number(values.patients);
const DOCTORS = 50;
const GAS = 10_000_000;
/** The contract's 32-byte id, resolved once (a name would be hashed on every call). */
const CONSENT_ID = contractIdForName('consent');

interface Call {
  readonly method: string;
  readonly args: Uint8Array[];
  readonly caller: Uint8Array;
  readonly query: boolean;
}

/** A consortium with `PATIENTS` patients, `DOCTORS` doctors, and a write grant from each patient. */
function setup(code: Uint8Array, state: StateView = new MemoryState()): { c: ConsentContract; w: World } {
  const c = new ConsentContract(state, code, keyOf('gov'));
  const w = growConsortium(c, {
    doctors: DOCTORS,
    patients: PATIENTS,
    exceptions: [{ kind: 'category', category: 'mental-health' }],
  });
  return { c, w };
}

const ids = new Map<string, string>();
/** Actor id of a synthetic name (memoised: the harness, not the VM, would otherwise dominate profiles). */
const idOf = (name: string): string => {
  let id = ids.get(name);
  if (id === undefined) {
    id = actorIdOf(keyOf(name));
    ids.set(name, id);
  }
  return id;
};
const rid = (n: number): string => hashOf(`bench-record:${n}`);

/** The i-th call of a workload (txs of the same kind never collide: fresh record ids, etc.). */
function makeCall(kind: string, i: number, run: number): Call {
  const p = `p${i % PATIENTS}`;
  const doc = `doc${(i % PATIENTS) % DOCTORS}`;
  const tx = (signer: string, op: ConsentOp): Call => ({
    ...encodeOp(op),
    caller: hexToBytes(keyOf(signer)),
    query: false,
  });
  switch (kind) {
    case 'grant':
      return tx(p, {
        op: 'grant',
        patient: idOf(p),
        grantee: { kind: 'actor', id: idOf(`doc${(i + 1) % DOCTORS}`) },
        actions: ['read'],
        scope: { kind: 'categories', categories: ['lab'] },
        purposes: ['TREAT'],
        start: T0,
        end: T0 + 30 * DAY,
        exceptions: [],
      });
    case 'anchor':
      return tx(doc, {
        op: 'anchor',
        patient: idOf(p),
        recordId: rid(run * 10_000_000 + i),
        previous: 0,
        cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
        category: 'lab',
        keys: [
          { reader: idOf(p), key: 'ab'.repeat(48) },
          { reader: idOf(doc), key: 'cd'.repeat(48) },
        ],
      });
    case 'canAccess':
      return {
        ...encodeCanAccess(
          idOf(doc),
          idOf(p),
          { kind: 'category', category: 'lab' },
          'read',
          'TREAT',
          T0 + HOUR,
        ),
        caller: new Uint8Array(32),
        query: true,
      };
    default: {
      const kinds = ['grant', 'anchor', 'canAccess', 'read'] as const;
      const k = kinds[i % 4] ?? 'grant';
      if (k !== 'read') return makeCall(k, i, run);
      // The node records the read of the record anchored two calls earlier.
      const j = i - 2;
      const [rp, rdoc] = [`p${j % PATIENTS}`, `doc${(j % PATIENTS) % DOCTORS}`];
      const read = { reader: idOf(rdoc), patient: idOf(rp), recordId: rid(run * 10_000_000 + j), version: 1 };
      return tx('nodeA', { op: 'recordReads', reads: [{ ...read, purpose: 'TREAT', at: T0 + HOUR }] });
    }
  }
}

// The profiler, when asked for: started and stopped around the timed loops only.
const session = values.profile ? new Session() : undefined;
if (session !== undefined) {
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
}
let profiling = false;
/** Timed runs so far: each profile goes to `<--profile>.<n>.cpuprofile`. */
let profiled = 0;
function profile(on: boolean): void {
  if (session === undefined || profiling === on) return;
  profiling = on;
  const file = `${values.profile}.${profiled}.cpuprofile`;
  if (!on) profiled++;
  // The inspector session runs the command and its callback before `post` returns.
  session.post(on ? 'Profiler.start' : 'Profiler.stop', (_err, r) => {
    if (!on && r !== undefined && 'profile' in r) writeFileSync(file, JSON.stringify(r.profile));
  });
}
let timed = false;

interface RunFigures {
  txPerS: number;
  txPerCpuS: number;
  gasPerTx: number;
  stepsPerTx: number;
  /** Node path only: tx per CPU-second including staging and applying the state root. */
  rootTxPerCpuS?: number;
}

const cpuSeconds = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;

function runOnce(code: Uint8Array, kind: string, run: number): RunFigures {
  if (kind.startsWith('node:')) return runNode(code, kind.slice(5), run);
  const { c } = setup(code);
  const calls = Array.from({ length: TXS }, (_, i) => makeCall(kind, i, run));
  let gas = 0;
  let steps = 0;
  if (timed) profile(true);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls.length; i++) {
    const k = calls[i]!;
    const p = {
      contract: CONSENT_ID,
      method: k.method,
      args: k.args,
      caller: k.caller,
      height: i + 2,
      time: T0 + HOUR + i,
      gasLimit: GAS,
    };
    const r = k.query ? queryContract(c.state, p) : callContract(c.state, p);
    if (r.status !== 'ok') throw new Error(`${kind} #${i} ${k.method}: ${r.error}`);
    gas += r.gasUsed;
    steps += r.steps;
  }
  const s = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(process.cpuUsage(c0));
  profile(false);
  return { txPerS: TXS / s, txPerCpuS: TXS / cpuS, gasPerTx: gas / TXS, stepsPerTx: steps / TXS };
}

const BLOCK_TXS = 1000;
const CHAIN_ID = 'bench';

/** The node's path: executor, block overlay, world state (see the header). */
function runNode(code: Uint8Array, kind: string, run: number): RunFigures {
  const world = new WorldState();
  const genesis = new JournaledState(world);
  setup(code, new PrefixedView(genesis, contractPrefix(VM_SPACE)));
  world.apply(genesis.writes());
  const vm = createVmHandler();
  const executor: Executor = createExecutor({ contracts: { consent: vm }, fallback: vm });
  // Encoded before the clock starts, as the node receives them: nonces per sender from 0.
  const nonces = new Map<string, number>();
  const items = Array.from({ length: TXS }, (_, i): SignedTx | Call => {
    const k = makeCall(kind, i, run);
    if (k.query) return k;
    const who = k.caller.join(',');
    const nonce = nonces.get(who) ?? 0;
    nonces.set(who, nonce + 1);
    const body = {
      chainId: CHAIN_ID,
      sender: k.caller,
      nonce,
      gasLimit: GAS,
      contract: 'consent',
      method: k.method,
      args: k.args,
    };
    return { body, signature: new Uint8Array(64), hash: new Uint8Array(32), bytes: new Uint8Array(0) };
  });
  let gas = 0;
  let height = 1;
  let block: SignedTx[] = [];
  let rootCpuS = 0;
  const flush = (): void => {
    if (block.length === 0) return;
    const overlay = new JournaledState(world);
    const ctx = {
      height: height++,
      time: T0 + HOUR + height,
      proposer: new Uint8Array(32),
      chainId: CHAIN_ID,
    };
    const ex = executor.executeBlock(ctx, block, overlay);
    for (const r of ex.receipts) if (r.status !== 'ok') throw new Error(`node:${kind} tx: ${r.error}`);
    gas += ex.gasUsed;
    const r0 = process.cpuUsage();
    world.apply(overlay.writes());
    rootCpuS += cpuSeconds(process.cpuUsage(r0));
    block = [];
  };
  if (timed) profile(true);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const it of items) {
    if ('body' in it) {
      block.push(it);
      if (block.length === BLOCK_TXS) flush();
    } else {
      const r = executor.query(world, 'consent', it.method, it.args);
      if (!r.ok) throw new Error(`node:${kind} query ${it.method}: ${r.error}`);
    }
  }
  flush();
  const s = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(process.cpuUsage(c0));
  profile(false);
  return {
    txPerS: TXS / s,
    txPerCpuS: TXS / (cpuS - rootCpuS),
    rootTxPerCpuS: TXS / cpuS,
    gasPerTx: gas / TXS,
    stepsPerTx: 0, // receipts do not carry the VM's step count
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

const code = consentCode();
interface Figures {
  /** Median of wall-clock tx/s: the headline, but hostage to other processes on the machine. */
  tx_per_s: number;
  /** Median of tx per CPU-second of this process: the figure to compare on a loaded machine. */
  tx_per_cpu_s: number;
  gas_per_tx: number;
  /** VM instructions executed per tx. */
  steps_per_tx: number;
  /** Node path only: tx per CPU-second including the state root (stage + apply per block). */
  root_tx_per_cpu_s?: number;
  runs: number[];
}
const results: Record<string, Figures> = {};
const KINDS = values.only ? [values.only] : ['grant', 'anchor', 'canAccess', 'mixed', 'node:mixed'];
for (const kind of KINDS) {
  timed = false;
  runOnce(code, kind, 99); // warm-up
  timed = true;
  const runs = Array.from({ length: RUNS }, (_, r) => runOnce(code, kind, r));
  const roots = runs.map((r) => r.rootTxPerCpuS).filter((x) => x !== undefined);
  const f: Figures = {
    tx_per_s: Math.round(median(runs.map((r) => r.txPerS))),
    tx_per_cpu_s: Math.round(median(runs.map((r) => r.txPerCpuS))),
    gas_per_tx: Math.round(runs[0]?.gasPerTx ?? 0),
    steps_per_tx: Math.round(runs[0]?.stepsPerTx ?? 0),
    ...(roots.length > 0 ? { root_tx_per_cpu_s: Math.round(median(roots)) } : {}),
    runs: runs.map((r) => Math.round(r.txPerS)),
  };
  results[kind] = f;
  if (!values.json) {
    const line = `${kind.padEnd(10)} ${String(f.tx_per_s).padStart(7)} tx/s, ${String(f.tx_per_cpu_s).padStart(7)} tx/cpu-s`;
    const root = f.root_tx_per_cpu_s === undefined ? '' : `, ${f.root_tx_per_cpu_s} tx/cpu-s with state root`;
    console.log(
      `${line}${root} (medians of ${RUNS}; wall runs ${f.runs.join(', ')}), ${f.gas_per_tx} gas/tx, ${f.steps_per_tx} instructions/tx`,
    );
  }
}
session?.disconnect();
if (values.json) {
  const pick = (k: keyof Figures) => Object.fromEntries(Object.entries(results).map(([n, v]) => [n, v[k]]));
  console.log(
    JSON.stringify({
      bench: 'consent',
      consent_tx_per_s: results.mixed?.tx_per_s,
      consent_tx_per_cpu_s: results.mixed?.tx_per_cpu_s,
      tx_per_s: pick('tx_per_s'),
      tx_per_cpu_s: pick('tx_per_cpu_s'),
      gas_per_tx: pick('gas_per_tx'),
      steps_per_tx: pick('steps_per_tx'),
      node_root_tx_per_cpu_s: results['node:mixed']?.root_tx_per_cpu_s,
      txs: TXS,
      runs: RUNS,
      patients: PATIENTS,
    }),
  );
}
