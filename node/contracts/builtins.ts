/** The contracts every node runs: kv and noop (benchmarks), governance, and every VM contract (consent). */
import type { Executor } from '../state/executor.js';
import { createExecutor } from '../state/registry.js';
import { createGovernanceContract } from './governance.js';
import { createKvContract } from './kv.js';
import { createNoopContract } from './noop.js';
import { createVmHandler } from './vm.js';

export function createDefaultExecutor(): Executor {
  const vm = createVmHandler();
  return createExecutor({
    contracts: {
      kv: createKvContract(),
      noop: createNoopContract(),
      governance: createGovernanceContract(),
      consent: vm,
      vm,
    },
    fallback: vm,
  });
}
