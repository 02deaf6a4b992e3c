/**
 * Contracts on top of the interpreter: deploy (code stored under its sha256), governance-only
 * upgrade, call (journaled: a failed call leaves no trace) and read-only query. Storage of each
 * contract lives under its own key prefix, so contracts cannot touch each other's keys.
 *
 * State layout (all keys are bytes; ids and hashes are 32 bytes):
 *   "vm:contract:" ++ id   -> sha256 of the contract's current code
 *   "vm:code:" ++ hash     -> code (a module as `validateCode` accepts)
 *   "vm:store:" ++ id ++ k -> the contract's storage entry k
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, bytesKey, concat2, EMPTY, fromHex, own, utf8 } from './bytes.js';
import { DeployError, type DeployErrorCode, type ValidationError, VmReason } from './errors.js';
import type { Sha256Into } from './exec-types.js';
import { type ExecResult, execute, type VmEvent } from './interpreter.js';
import { CALL_BASE_GAS, DEPLOY_GAS, GAS_PER_BYTE, LIMITS } from './isa.js';
import { Journal, type JournaledState, type KeyedState, keyedState, type StateView } from './journal.js';
import { type Program, validateCode } from './validate.js';

export type { VmEvent };

/** What a call or query returns. Same shape as the node's receipt fields. */
export type CallResult = ExecResult;

/** A call of an exported method. */
export interface CallParams {
  /** The contract id (32 bytes), its 64-char hex, or a registered name (see `contractIdForName`). */
  readonly contract: Uint8Array | string;
  readonly method: string;
  readonly args: readonly Uint8Array[];
  /** The tx sender's 32-byte public key. */
  readonly caller: Uint8Array;
  readonly height: number;
  /** Block time, ms since the Unix epoch. */
  readonly time: number;
  readonly gasLimit: number;
  /**
   * sha256 for the SHA256 instruction, e.g. the node's native one (libsodium): a contract hashes
   * its caller's key each call, and @noble/hashes (the default) costs several times as much.
   */
  readonly sha256Into?: Sha256Into;
}

/** Outcome of a deploy or upgrade. `gas` is what the node should charge (see `DEPLOY_GAS`). */
export type DeployResult =
  | { readonly ok: true; readonly id: Uint8Array; readonly codeHash: Uint8Array; readonly gas: number }
  | { readonly ok: false; readonly error: DeployErrorCode; readonly detail?: ValidationError };

const CONTRACT = utf8('vm:contract:');
const CODE = utf8('vm:code:');
const STORE = utf8('vm:store:');
const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The storage key prefix of contract `id`: every key the contract writes starts with it. */
export function storagePrefix(id: Uint8Array): Uint8Array {
  return concat2(STORE, id);
}

/** The id of a contract registered under `name` (genesis contracts such as "consent"). */
export function contractIdForName(name: string): Uint8Array {
  return sha256(utf8(`ehrchain/contract/${name}`));
}

// Ids by `contract` string (names and hex ids): a pure memo, bounded. Callers get a copy.
const ids = new Map<string, Uint8Array>();
const IDS_MAX = 1024;

function resolveId(ref: Uint8Array | string): Uint8Array | undefined {
  if (typeof ref !== 'string') return ref.length === 32 ? ref : undefined;
  const hit = ids.get(ref);
  if (hit !== undefined) return hit;
  let id: Uint8Array | undefined;
  if (ref.length === 64) id = fromHex(ref);
  if (id === undefined && NAME_RE.test(ref)) id = contractIdForName(ref);
  if (id === undefined) return undefined;
  if (ids.size >= IDS_MAX) ids.delete(ids.keys().next().value as string);
  ids.set(ref, id);
  return id;
}

/** The 32-byte id for a call's `contract` field, or undefined when it is neither an id nor a name. */
export function resolveContract(ref: Uint8Array | string): Uint8Array | undefined {
  const id = resolveId(ref);
  return id === undefined || id === ref ? id : id.slice();
}

/** The current code of contract `id`, if it exists. */
export function getContractCode(state: StateView, id: Uint8Array): Uint8Array | undefined {
  const hash = state.get(concat2(CONTRACT, id));
  return hash === undefined ? undefined : state.get(concat2(CODE, hash));
}

function install(state: StateView, id: Uint8Array, code: Uint8Array, mustExist: boolean): DeployResult {
  const v = validateCode(code);
  if (!v.ok) return { ok: false, error: DeployError.invalidCode, detail: v.error };
  const exists = state.get(concat2(CONTRACT, id)) !== undefined;
  if (exists && !mustExist) return { ok: false, error: DeployError.alreadyDeployed };
  if (!exists && mustExist) return { ok: false, error: DeployError.noSuchContract };
  const codeHash = sha256(code);
  state.set(own(concat2(CODE, codeHash)), code.slice());
  state.set(own(concat2(CONTRACT, id)), own(codeHash));
  remember(bytesKey(codeHash), v.program);
  return { ok: true, id, codeHash, gas: DEPLOY_GAS.base + DEPLOY_GAS.perByte * code.length };
}

/** Deploys `code`; its id is its sha256. Refuses invalid code and an id that already exists. */
export function deployContract(state: StateView, code: Uint8Array): DeployResult {
  return install(state, sha256(code), code, false);
}

/** Deploys `code` under a registered name (genesis). Refuses a name already taken. */
export function deployNamedContract(state: StateView, name: string, code: Uint8Array): DeployResult {
  if (!NAME_RE.test(name)) return { ok: false, error: DeployError.badName };
  return install(state, contractIdForName(name), code, false);
}

/**
 * Replaces the code of existing contract `id`, keeping its storage. Only the node's governance
 * path may call this; plain deploys can never overwrite a contract.
 */
export function upgradeContract(state: StateView, id: Uint8Array, code: Uint8Array): DeployResult {
  return install(state, id, code, true);
}

// Validated programs by code hash. A pure memo: the same hash always maps to the same program.
const cache = new Map<string, Program>();
const CACHE_MAX = 256;

function remember(hash: string, p: Program): void {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(hash, p);
}

// Per contract id: its key strings, and the program it ran last with that code hash.
interface Target {
  readonly prefix: Uint8Array;
  /** bytesKey of "vm:contract:" ++ id and of the storage prefix. */
  readonly contractKey: string;
  readonly prefixKey: string;
  last?: { readonly hash: Uint8Array; readonly program: Program };
}
const targets = new Map<string, Target>();
let lastId: Uint8Array | undefined;
let lastTarget: Target | undefined;

function targetOf(id: Uint8Array): Target {
  // Callers pass the same id array call after call (the memo above, or their own constant).
  if (id === lastId && lastTarget !== undefined && bytesEqual(id, lastTarget.prefix.subarray(STORE.length))) {
    return lastTarget;
  }
  const s = bytesKey(id);
  let t = targets.get(s);
  if (t === undefined) {
    const prefix = storagePrefix(id);
    t = { prefix, contractKey: bytesKey(CONTRACT) + s, prefixKey: bytesKey(prefix) };
    if (targets.size >= CACHE_MAX) targets.delete(targets.keys().next().value as string);
    targets.set(s, t);
  }
  lastId = id;
  lastTarget = t;
  return t;
}

function loadProgram(state: KeyedState, t: Target): Program | undefined {
  const hash = state.getStr(t.contractKey);
  if (hash === undefined) return undefined;
  if (t.last !== undefined && bytesEqual(t.last.hash, hash)) return t.last.program;
  const h = bytesKey(hash);
  let program = cache.get(h);
  if (program === undefined) {
    const code = state.getStr(bytesKey(CODE) + h);
    if (code === undefined || !bytesEqual(sha256(code), hash)) return undefined;
    const v = validateCode(code);
    if (!v.ok) return undefined;
    remember(h, v.program);
    program = v.program;
  }
  t.last = { hash: hash.slice(), program };
  return program;
}

/** `state` when it journals writes itself (the node's block overlay): no second journal needed. */
type Checkpointed = StateView & Pick<JournaledState, 'checkpoint' | 'commit' | 'revert'>;
function nativeJournal(state: StateView): Checkpointed | undefined {
  const j = state as Partial<JournaledState>;
  return typeof j.checkpoint === 'function' &&
    typeof j.commit === 'function' &&
    typeof j.revert === 'function'
    ? (state as Checkpointed)
    : undefined;
}

function fail(error: string, gasUsed: number): CallResult {
  return { status: 'reverted', error, errorKind: 'vm', gasUsed, returnData: EMPTY, events: [], steps: 0 };
}

function isUint(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function run(state: StateView, p: CallParams, keep: boolean): CallResult {
  if (!isUint(p.gasLimit)) return fail(VmReason.outOfGas, 0);
  let intrinsic = CALL_BASE_GAS + p.method.length * GAS_PER_BYTE.callData;
  for (const a of p.args) intrinsic += a.length * GAS_PER_BYTE.callData;
  if (p.gasLimit < intrinsic) return fail(VmReason.outOfGas, p.gasLimit);
  if (!isUint(p.height) || !isUint(p.time) || p.args.length > LIMITS.maxArgs) {
    return fail(VmReason.badArgs, intrinsic);
  }
  const id = resolveId(p.contract);
  const target = id === undefined ? undefined : targetOf(id);
  const program = target === undefined ? undefined : loadProgram(keyedState(state), target);
  if (target === undefined || program === undefined) return fail(VmReason.noSuchContract, intrinsic);
  const func = program.exports.get(p.method);
  if (func === undefined) return fail(VmReason.noSuchMethod, intrinsic);
  const journal: Checkpointed = nativeJournal(state) ?? new Journal(state);
  journal.checkpoint();
  const r = execute({
    program,
    func,
    args: p.args,
    caller: p.caller,
    height: p.height,
    time: p.time,
    gas: p.gasLimit - intrinsic,
    state: journal,
    keyPrefix: target.prefix,
    keyPrefixString: target.prefixKey,
    sha256Into: p.sha256Into,
  });
  if (r.status === 'ok' && keep) journal.commit();
  else journal.revert();
  return { ...r, gasUsed: r.gasUsed + intrinsic };
}

/** Runs a method as a transaction: writes kept on success, all undone on revert. Never throws. */
export function callContract(state: StateView, params: CallParams): CallResult {
  return run(state, params, true);
}

/** Runs a method read-only: same code and gas, every write discarded afterwards. Never throws. */
export function queryContract(state: StateView, params: CallParams): CallResult {
  return run(state, params, false);
}
