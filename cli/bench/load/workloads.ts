/**
 * Workloads as pluggable generators: a workload turns (worker, account, sequence number) into a
 * contract call, deterministically, so every tx can be signed before the clock starts. A workload
 * names the contract it needs; the harness checks the target has it before loading.
 *
 *   noop         noop.noop(): the `noop` contract (succeeds, 1 gas, no state but the sender's nonce)
 *   kv           kv.put(<unique 12-byte key>, <--value-bytes random bytes>): state grows
 *   consent-mix  register / grant / revoke / anchor / canAccess in a configurable mix, after an
 *                untimed setup of actors and grants (consent-plan.ts, consent-setup.ts; signed by
 *                consent-pregen.ts, not by `call`)
 *   records      put / get encrypted FHIR records through the records client (records-load.ts; no
 *                pre-signed txs)
 */
import { createHash } from 'node:crypto';

/** One contract call of a workload. */
export interface WorkloadCall {
  readonly contract: string;
  readonly method: string;
  readonly args: readonly Uint8Array[];
}

/** A deterministic generator of calls. */
export interface Workload {
  readonly name: string;
  /** The contract the target must have (checked with a query before loading). */
  readonly contract: string;
  /** The `seq`-th call of `account` (0-based) in `worker`. */
  call(worker: number, account: number, seq: number): WorkloadCall;
}

/** Settings shared by all workloads. */
export interface WorkloadSettings {
  readonly valueBytes: number;
}

/** A workload whose contract or API the node does not offer yet. */
class WorkloadUnavailableError extends Error {
  override readonly name = 'WorkloadUnavailableError';
}

function noop(): Workload {
  const args: readonly Uint8Array[] = [];
  return { name: 'noop', contract: 'noop', call: () => ({ contract: 'noop', method: 'noop', args }) };
}

function kv(s: WorkloadSettings): Workload {
  // One pseudo-random value per worker, reused: value bytes cost the same whatever they hold.
  const values = new Map<number, Uint8Array>();
  const workerValue = (worker: number) => {
    let v = values.get(worker);
    if (v === undefined) {
      v = new Uint8Array(s.valueBytes);
      const seed = createHash('sha256').update(`ehrchain-bench-value-${worker}`).digest();
      for (let i = 0; i < v.length; i++) v[i] = seed[i % seed.length] ?? 0;
      values.set(worker, v);
    }
    return v;
  };
  return {
    name: 'kv',
    contract: 'kv',
    call(worker, account, seq) {
      const key = new Uint8Array(12);
      const dv = new DataView(key.buffer);
      dv.setUint16(0, worker);
      dv.setUint32(2, account);
      dv.setUint32(6, seq);
      key[10] = 0x6b;
      key[11] = 0x76;
      return { contract: 'kv', method: 'put', args: [key, workerValue(worker)] };
    },
  };
}

/** Workloads driven by their own generators: `call` is never used for them. */
function external(name: string): Workload {
  return {
    name,
    contract: 'consent',
    call: () => {
      throw new Error(`${name} txs are not generated per account (see workloads.ts)`);
    },
  };
}

const FACTORIES: Readonly<Record<string, (s: WorkloadSettings) => Workload>> = {
  noop,
  kv,
  'consent-mix': () => external('consent-mix'),
  records: () => external('records'),
};

/** Creates the named workload; throws WorkloadUnavailableError for an unknown name. */
export function createWorkload(name: string, s: WorkloadSettings): Workload {
  const f = FACTORIES[name];
  if (f === undefined) throw new WorkloadUnavailableError(`unknown workload "${name}"`);
  return f(s);
}
