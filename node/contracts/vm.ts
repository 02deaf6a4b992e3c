/**
 * VM contracts as executor handlers. Every VM contract lives in one key space ("vm"), where the VM
 * runtime keeps code by hash and each contract's storage under its own prefix, so a contract is
 * found by its registered name ("consent") or by its id (the code hash, in hex) alike.
 */

import { sha256Into } from '../../protocol/chain/hash.js';
import { VmReason } from '../../vm/errors.js';
import { DEPLOY_GAS } from '../../vm/isa.js';
import {
  callContract,
  deployContract,
  queryContract,
  resolveContract,
  type CallResult as VmCallResult,
} from '../../vm/runtime.js';
import type { CallResult, ContractCall, ContractHandler, QueryResult } from '../state/executor.js';
import { RevertCode } from '../state/executor.js';
import { JournaledState } from '../state/journal.js';
import type { ReadonlyStateView } from '../state/view.js';

/** The key space all VM contracts share. */
export const VM_SPACE = 'vm';

const ZERO_KEY = new Uint8Array(32);
/** Gas a read-only query may burn: bounded, so no query runs forever. */
const QUERY_GAS_LIMIT = 50_000_000;

// The VM says no_such_contract; the chain's stable code for it is unknown_contract.
const reason = (e: string | undefined): string =>
  e === VmReason.noSuchContract ? RevertCode.UnknownContract : (e ?? 'reverted');

function toCallResult(r: VmCallResult): CallResult {
  if (r.status === 'ok') {
    return { ok: true, gasUsed: r.gasUsed, returnData: r.returnData, events: r.events };
  }
  return { ok: false, error: reason(r.error), gasUsed: r.gasUsed };
}

/** Contract id under which `deploy(code)` runs: returns the new contract's id (its code hash). */
const VM_DEPLOYER = 'vm';

/** Deploys bytecode by transaction: validated, stored under its hash; an existing id is refused. */
function deploy(c: ContractCall): CallResult {
  if (c.method !== 'deploy' || c.args.length !== 1)
    return { ok: false, error: RevertCode.BadArgs, gasUsed: 0 };
  const code = c.args[0]!;
  // Charged up front from the code's size, so an invalid module costs what validating it did.
  const gas = DEPLOY_GAS.base + DEPLOY_GAS.perByte * code.length;
  const r = deployContract(c.storage, code);
  if (!r.ok) return { ok: false, error: r.error, gasUsed: gas };
  return {
    ok: true,
    gasUsed: r.gas,
    returnData: r.id,
    events: [{ name: 'contract_deployed', data: [r.id, r.codeHash] }],
  };
}

/** The handler for all VM contracts: `contract` names the one to run (`vm` deploys a new one). */
export function createVmHandler(): ContractHandler {
  return {
    space: VM_SPACE,
    call(c: ContractCall): CallResult {
      if (c.contract === VM_DEPLOYER) return deploy(c);
      if (resolveContract(c.contract) === undefined) {
        return { ok: false, error: RevertCode.UnknownContract, gasUsed: 0 };
      }
      return toCallResult(
        callContract(c.storage, {
          contract: c.contract,
          method: c.method,
          args: c.args,
          caller: c.sender,
          height: c.ctx.height,
          time: c.ctx.time,
          gasLimit: c.gasLimit,
          sha256Into,
        }),
      );
    },
    query(
      storage: ReadonlyStateView,
      method: string,
      args: readonly Uint8Array[],
      contract: string,
    ): QueryResult {
      if (resolveContract(contract) === undefined) return { ok: false, error: RevertCode.UnknownContract };
      // Queries run the same code; whatever they write lands in an overlay that is dropped.
      const r = queryContract(new JournaledState(storage), {
        contract,
        method,
        args,
        caller: ZERO_KEY,
        height: 0,
        time: 0,
        gasLimit: QUERY_GAS_LIMIT,
        sha256Into,
      });
      if (r.status === 'ok') return { ok: true, returnData: r.returnData, gasUsed: r.gasUsed };
      return { ok: false, error: reason(r.error), gasUsed: r.gasUsed };
    },
  };
}
