/** Options of the node's store as config.json sets them (`store` section, docs/config.md). */
import type { ChainStoreOptions } from './chain-store.js';
import { defaultDiskGuardOptions } from './health.js';
import { VerifyOnOpen as Verify, type VerifyOnOpen } from './integrity.js';

export interface StoreOptions {
  /** `full`: read every entry and recompute the state root on open; `state`: the root only; `none`: neither. */
  readonly verifyOnOpen: VerifyOnOpen;
  /** How often free space is sampled (and, while the disk is full, probed for room), in ms. */
  readonly diskProbeMs: number;
  /** Free bytes needed before writes resume after a full disk. */
  readonly diskResumeFreeBytes: number;
}

export const defaultStoreOptions: StoreOptions = {
  verifyOnOpen: Verify.Full,
  diskProbeMs: defaultDiskGuardOptions.probeMs,
  diskResumeFreeBytes: defaultDiskGuardOptions.resumeFreeBytes,
};

/** The ChainStore options these stand for. */
export function storeOptionsToChainStore(o: StoreOptions): Partial<ChainStoreOptions> {
  return {
    scanOnOpen: o.verifyOnOpen === Verify.Full,
    verifyStateOnOpen: o.verifyOnOpen !== Verify.None,
    disk: { probeMs: o.diskProbeMs, resumeFreeBytes: o.diskResumeFreeBytes },
  };
}
