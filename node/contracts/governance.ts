/**
 * The consortium's governance, a native contract: a validator proposes an action, validators
 * approve it, and it runs in the transaction that brings approvals to a strict majority of the
 * current validator set. Actions: add or remove a validator (the node turns these into Raft
 * membership changes), call the consent contract as the governance identity (add an organisation),
 * upgrade a VM contract, and schedule a chain feature switch at a height at least
 * MIN_ACTIVATION_LEAD blocks ahead (node/state/features.ts). The caller is always the tx signer,
 * never an argument.
 *
 * Storage (own key space): "n" -> next proposal id (u64); "p" ++ id -> proposal;
 * "a" ++ id ++ validator key -> approval.
 */

import { Reader, Writer } from '../../protocol/chain/encoding.js';
import { ChainError } from '../../protocol/chain/errors.js';
import { activationProblem } from '../../protocol/chain/features.js';
import { callContract, contractIdForName, upgradeContract } from '../../vm/runtime.js';
import type { CallResult, ContractCall, ContractHandler, QueryResult } from '../state/executor.js';
import { RevertCode } from '../state/executor.js';
import { readFeatureSchedule, scheduleFeature } from '../state/features.js';
import { contractPrefix } from '../state/keys.js';
import {
  GOVERNANCE_IDENTITY,
  readValidators,
  type ValidatorRecord,
  writeValidators,
} from '../state/validators.js';
import type { ReadonlyStateView, StateView } from '../state/view.js';
import { PrefixedReadView, PrefixedView } from '../state/view.js';
import { VM_SPACE } from './vm.js';

const GOVERNANCE_CONTRACT_ID = 'governance';

const ActionKind = {
  AddValidator: 1,
  RemoveValidator: 2,
  ConsentCall: 3,
  UpgradeContract: 4,
  ActivateFeature: 5,
} as const;

export type GovernanceAction =
  | { readonly kind: 'addValidator'; readonly validator: ValidatorRecord }
  | { readonly kind: 'removeValidator'; readonly publicKey: Uint8Array }
  | { readonly kind: 'consentCall'; readonly method: string; readonly args: readonly Uint8Array[] }
  | { readonly kind: 'upgradeContract'; readonly name: string; readonly code: Uint8Array }
  | { readonly kind: 'activateFeature'; readonly name: string; readonly height: number };

/** Canonical bytes of an action (what `propose` takes). */
export function encodeAction(a: GovernanceAction): Uint8Array {
  const w = new Writer();
  switch (a.kind) {
    case 'addValidator':
      w.u8(ActionKind.AddValidator);
      w.fixed(a.validator.publicKey, 32, 'publicKey');
      w.bytes(
        new TextEncoder().encode(
          JSON.stringify({ name: a.validator.name, p2p: a.validator.p2p, http: a.validator.http }),
        ),
        'info',
      );
      break;
    case 'removeValidator':
      w.u8(ActionKind.RemoveValidator);
      w.fixed(a.publicKey, 32, 'publicKey');
      break;
    case 'consentCall':
      w.u8(ActionKind.ConsentCall);
      w.id(a.method, 64, 'method');
      w.u16(a.args.length);
      for (const x of a.args) w.bytes(x, 'arg');
      break;
    case 'upgradeContract':
      w.u8(ActionKind.UpgradeContract);
      w.id(a.name, 64, 'name');
      w.bytes(a.code, 'code');
      break;
    case 'activateFeature':
      w.u8(ActionKind.ActivateFeature);
      w.id(a.name, 64, 'name');
      w.u64(a.height, 'height');
      break;
  }
  return w.finish();
}

/** Decodes an action; throws ChainError('bad_encoding') on anything malformed. */
function decodeAction(b: Uint8Array): GovernanceAction {
  const r = new Reader(b);
  const kind = r.u8('kind');
  let a: GovernanceAction;
  if (kind === ActionKind.AddValidator) {
    const publicKey = r.fixed(32, 'publicKey').slice();
    let info: { name?: unknown; p2p?: unknown; http?: unknown };
    try {
      info = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.bytes(4096, 'info')));
    } catch {
      throw new ChainError('bad_encoding', 'validator info is not JSON');
    }
    const { name, p2p, http } = info;
    if (typeof name !== 'string' || name.length === 0 || name.length > 64)
      throw new ChainError('bad_encoding', 'name');
    if (!Array.isArray(p2p) || p2p.length > 8 || !p2p.every((x) => typeof x === 'string' && x.length < 256)) {
      throw new ChainError('bad_encoding', 'p2p');
    }
    if (typeof http !== 'string' || http.length > 256) throw new ChainError('bad_encoding', 'http');
    a = { kind: 'addValidator', validator: { publicKey, name, p2p: p2p as string[], http } };
  } else if (kind === ActionKind.RemoveValidator) {
    a = { kind: 'removeValidator', publicKey: r.fixed(32, 'publicKey').slice() };
  } else if (kind === ActionKind.ConsentCall) {
    const method = r.id(64, 'method');
    const n = r.u16('argc');
    const args: Uint8Array[] = [];
    for (let i = 0; i < n; i++) args.push(r.bytes(65_536, 'arg').slice());
    a = { kind: 'consentCall', method, args };
  } else if (kind === ActionKind.UpgradeContract) {
    a = { kind: 'upgradeContract', name: r.id(64, 'name'), code: r.bytes(1 << 20, 'code').slice() };
  } else if (kind === ActionKind.ActivateFeature) {
    a = { kind: 'activateFeature', name: r.id(64, 'name'), height: r.u64('height') };
  } else {
    throw new ChainError('bad_encoding', `unknown action kind ${kind}`);
  }
  r.end('action');
  return a;
}

const GAS = { propose: 5_000, approve: 2_000 } as const;
const u64 = (n: number) => {
  const w = new Writer(8);
  w.u64(n, 'n');
  return w.finish();
};
const enc = new TextEncoder();
const key = (tag: string, ...parts: Uint8Array[]) => {
  const w = new Writer();
  w.raw(enc.encode(tag));
  for (const p of parts) w.raw(p);
  return w.finish();
};

function fail(error: string, gasUsed: number): CallResult {
  return { ok: false, error, gasUsed };
}

/** Runs an approved action against the whole state; a string is a revert reason. */
function execute(
  state: StateView,
  a: GovernanceAction,
  call: ContractCall,
): string | { name: string; data: Uint8Array[] } {
  const validators = readValidators(state);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  switch (a.kind) {
    case 'addValidator': {
      if (validators.some((v) => hex(v.publicKey) === hex(a.validator.publicKey))) return 'already_validator';
      writeValidators(state, [...validators, a.validator]);
      return { name: 'validator_added', data: [a.validator.publicKey] };
    }
    case 'removeValidator': {
      const rest = validators.filter((v) => hex(v.publicKey) !== hex(a.publicKey));
      if (rest.length === validators.length) return 'not_validator';
      if (rest.length === 0) return 'last_validator';
      writeValidators(state, rest);
      return { name: 'validator_removed', data: [a.publicKey] };
    }
    case 'consentCall': {
      const r = callContract(new PrefixedView(state, contractPrefix(VM_SPACE)), {
        contract: 'consent',
        method: a.method,
        args: a.args,
        caller: GOVERNANCE_IDENTITY,
        height: call.ctx.height,
        time: call.ctx.time,
        gasLimit: call.gasLimit,
      });
      if (r.status !== 'ok') return r.error ?? 'reverted';
      return { name: 'consent_called', data: [enc.encode(a.method)] };
    }
    case 'upgradeContract': {
      const r = upgradeContract(
        new PrefixedView(state, contractPrefix(VM_SPACE)),
        contractIdForName(a.name),
        a.code,
      );
      if (!r.ok) return r.error;
      return { name: 'contract_upgraded', data: [enc.encode(a.name), r.codeHash] };
    }
    case 'activateFeature': {
      // Counted from the block that approves it, whatever names this code knows: nodes of
      // different releases must agree on the result.
      const scheduled = readFeatureSchedule(state);
      const problem = activationProblem({
        name: a.name,
        height: a.height,
        atHeight: call.ctx.height,
        scheduled,
      });
      if (problem !== null) return problem;
      scheduleFeature(state, a.name, a.height);
      return { name: 'feature_scheduled', data: [enc.encode(a.name), u64(a.height)] };
    }
  }
}

/** The governance contract. It sees the whole state (it changes the validator set). */
export function createGovernanceContract(): ContractHandler & { readonly system: true } {
  return {
    system: true,
    call(c: ContractCall): CallResult {
      const own = new PrefixedView(c.storage, contractPrefix(GOVERNANCE_CONTRACT_ID));
      const validators = readValidators(c.storage);
      const isValidator = validators.some((v) => Buffer.compare(v.publicKey, c.sender) === 0);
      if (!isValidator) return fail(RevertCode.Unauthorised, 100);
      let id: number;
      if (c.method === 'propose') {
        if (c.args.length !== 1) return fail(RevertCode.BadArgs, 100);
        try {
          decodeAction(c.args[0]!);
        } catch {
          return fail(RevertCode.BadArgs, 100);
        }
        const next = own.get(key('n'));
        id = next === undefined ? 1 : new Reader(next).u64('n');
        own.set(key('n'), u64(id + 1));
        own.set(key('p', u64(id)), c.args[0]!);
      } else if (c.method === 'approve') {
        if (c.args.length !== 1 || c.args[0]!.length !== 8) return fail(RevertCode.BadArgs, 100);
        id = new Reader(c.args[0]!).u64('id');
        if (own.get(key('p', u64(id))) === undefined) return fail(RevertCode.NotFound, 100);
      } else {
        return fail(RevertCode.UnknownMethod, 100);
      }
      if (own.get(key('x', u64(id))) !== undefined) return fail('already_executed', 100);
      const ak = key('a', u64(id), c.sender);
      if (own.get(ak) !== undefined) return fail('already_approved', 100);
      own.set(ak, new Uint8Array([1]));
      let approvals = 0;
      for (const v of validators) if (own.get(key('a', u64(id), v.publicKey)) !== undefined) approvals++;
      const events = [{ name: 'approved', data: [u64(id), c.sender] }];
      const gas = c.method === 'propose' ? GAS.propose : GAS.approve;
      if (approvals * 2 <= validators.length) return { ok: true, gasUsed: gas, returnData: u64(id), events };
      const result = execute(c.storage, decodeAction(own.get(key('p', u64(id)))!), c);
      if (typeof result === 'string') return fail(result, gas);
      own.set(key('x', u64(id)), new Uint8Array([1]));
      events.push(result);
      return { ok: true, gasUsed: gas, returnData: u64(id), events };
    },
    query(storage: ReadonlyStateView, method: string, args: readonly Uint8Array[]): QueryResult {
      if (method === 'features' && args.length === 0) {
        // The schedule as JSON {name: height}, for `ehrchain governance features` and operators.
        return { ok: true, returnData: enc.encode(JSON.stringify(readFeatureSchedule(storage))) };
      }
      const own = new PrefixedReadView(storage, contractPrefix(GOVERNANCE_CONTRACT_ID));
      if (method !== 'proposal' || args.length !== 1 || args[0]!.length !== 8) {
        return { ok: false, error: RevertCode.BadArgs };
      }
      const p = own.get(key('p', args[0]!));
      if (p === undefined) return { ok: false, error: RevertCode.NotFound };
      const executed = own.get(key('x', args[0]!)) !== undefined;
      const w = new Writer();
      w.u8(executed ? 1 : 0);
      w.bytes(p, 'action');
      return { ok: true, returnData: w.finish() };
    },
  };
}
