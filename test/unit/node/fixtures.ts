/** Shared fixtures for the node's middle-layer tests: blocks, a silent logger, metric readers. */
import type { Counter, Gauge } from 'prom-client';
import { silentLogger } from '../../../node/log.js';
import { buildBlock } from '../../../protocol/chain/block.js';
import type { Signer } from '../../../protocol/chain/keys.js';
import type { Block, BlockHeader, SignedTx } from '../../../protocol/chain/types.js';
import { testSigner } from '../chain/fixtures.js';

export { makeTx, testSigner } from '../chain/fixtures.js';

/** The chain id of chain/fixtures' makeTx. */
export const CHAIN_ID = 'ehr-test';
export const log = silentLogger();

/** The genesis tip: height 0, zero hash, a fixed time. */
export const genesisTip = { height: 0, hash: new Uint8Array(32), time: 1_700_000_000_000 } as const;

/** A signed block extending `genesisTip` by default (proposer: test signer 50). */
export function makeBlock(
  fields: Partial<Omit<BlockHeader, 'txRoot' | 'txCount' | 'proposer'>> = {},
  txs: readonly SignedTx[] = [],
  signer: Signer = testSigner(50),
): Block {
  return buildBlock(
    {
      chainId: CHAIN_ID,
      height: 1,
      parentHash: genesisTip.hash,
      stateHeight: 0,
      stateRoot: new Uint8Array(32),
      term: 1,
      time: genesisTip.time + 1000,
      ...fields,
    },
    txs,
    signer,
  );
}

/** The value of a prom-client counter for one label set (0 if never incremented). */
export async function counterValue<T extends string>(
  counter: Counter<T>,
  labels: Partial<Record<T, string>> = {},
): Promise<number> {
  const { values } = await counter.get();
  const hit = values.find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return hit?.value ?? 0;
}

/** The value of a prom-client gauge (0 if never set). */
export async function gaugeValue(gauge: Gauge): Promise<number> {
  return (await gauge.get()).values[0]?.value ?? 0;
}
