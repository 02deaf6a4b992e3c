/**
 * The `kv` contract: a flat key-value store, native code, for tests and benchmarks.
 *   put(key, value)  gas = len(key) + len(value)
 *   delete(key)      gas = len(key)
 *   get(key)         query only; `not_found` when absent
 * Keys are 1..256 bytes, values up to 64 KiB; anything else reverts with `bad_args`.
 */
import type { CallResult, ContractCall, ContractHandler, QueryResult } from '../state/executor.js';
import { RevertCode } from '../state/executor.js';
import type { ReadonlyStateView } from '../state/view.js';

/** The kv contract's registered id. */
export const KV_CONTRACT_ID = 'kv';
/** Largest kv key, in bytes. */
const KV_MAX_KEY_BYTES = 256;
/** Largest kv value, in bytes. */
const KV_MAX_VALUE_BYTES = 65_536;

function validKey(k: Uint8Array | undefined): k is Uint8Array {
  return k !== undefined && k.length > 0 && k.length <= KV_MAX_KEY_BYTES;
}

/** Creates the kv contract handler. */
export function createKvContract(): ContractHandler {
  return {
    call(c: ContractCall): CallResult {
      const [key, value] = c.args;
      switch (c.method) {
        case 'put': {
          if (
            c.args.length !== 2 ||
            !validKey(key) ||
            value === undefined ||
            value.length > KV_MAX_VALUE_BYTES
          ) {
            return { ok: false, error: RevertCode.BadArgs, gasUsed: 0 };
          }
          const gas = key.length + value.length;
          if (gas > c.gasLimit) return { ok: false, error: RevertCode.OutOfGas, gasUsed: c.gasLimit };
          c.storage.set(key, value);
          return { ok: true, gasUsed: gas };
        }
        case 'delete': {
          if (c.args.length !== 1 || !validKey(key))
            return { ok: false, error: RevertCode.BadArgs, gasUsed: 0 };
          if (key.length > c.gasLimit) return { ok: false, error: RevertCode.OutOfGas, gasUsed: c.gasLimit };
          c.storage.delete(key);
          return { ok: true, gasUsed: key.length };
        }
        default:
          return { ok: false, error: RevertCode.UnknownMethod, gasUsed: 0 };
      }
    },

    query(storage: ReadonlyStateView, method: string, args: readonly Uint8Array[]): QueryResult {
      if (method !== 'get') return { ok: false, error: RevertCode.UnknownMethod };
      const [key] = args;
      if (args.length !== 1 || !validKey(key)) return { ok: false, error: RevertCode.BadArgs };
      const v = storage.get(key);
      return v === undefined ? { ok: false, error: RevertCode.NotFound } : { ok: true, returnData: v };
    },
  };
}
