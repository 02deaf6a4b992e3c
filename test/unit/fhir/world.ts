/**
 * The standard consent world (test/unit/consent/world.ts) run on the model and the compiled
 * contract side by side, with the contract's query function: what the FHIR views read.
 */

import type { ConsentQuery } from '../../../node/fhir/source.js';
import { CONSENT_GAS_LIMIT, ConsentContract } from '../../../vm/consent/contract.js';
import { consentCode } from '../../../vm/consent/index.js';
import { ConsentModel } from '../../../vm/consent/model.js';
import { MemoryState } from '../../../vm/journal.js';
import { queryContract } from '../../../vm/runtime.js';
import { type ConsentEngine, keyOf, World } from '../consent/world.js';

/** A world whose ops run on both the model and the contract (and must agree). */
export function twinWorld(): {
  w: World;
  model: ConsentModel;
  query: ConsentQuery;
  contract: ConsentContract;
} {
  const state = new MemoryState();
  const contract = new ConsentContract(state, consentCode(), keyOf('gov'));
  const model = new ConsentModel();
  const engine: ConsentEngine = {
    apply: (ctx, op) => {
      const m = model.apply(ctx, op);
      const c = contract.apply(ctx, op);
      if (m.ok !== c.ok) throw new Error(`model and contract disagree on ${op.op}`);
      return c.ok ? { ok: true, value: c.value } : { ok: false, error: c.error };
    },
    canAccess: (...a) => contract.canAccess(...a),
  };
  const query: ConsentQuery = (method, args) => {
    const r = queryContract(state, {
      contract: 'consent',
      method,
      args: [...args],
      caller: new Uint8Array(32),
      height: 1,
      time: 0,
      gasLimit: CONSENT_GAS_LIMIT,
    });
    if (r.status !== 'ok') throw new Error(`query ${method} reverted: ${r.error}`);
    return r.returnData;
  };
  return { w: new World(engine).standard(), model, query, contract };
}
