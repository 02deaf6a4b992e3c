/**
 * The demo chain banner: a chain whose id ends in `-demo` (the `ehrchain devnet` demo consortium,
 * docs/devnet.md) holds synthetic data only, and every page says so above its content.
 */
import { useEffect } from 'preact/hooks';
import { api } from './api.js';
import { useAsync } from './hooks.js';

/** Is this the chain id of a demo chain? (The same rule as cli/devnet/cast.ts.) */
export const isDemoChain = (chainId: string): boolean => chainId.endsWith('-demo');

/** "Demo chain: synthetic data" on a demo chain; nothing otherwise (or while the node is unknown). */
export function DemoBanner() {
  const status = useAsync((signal) => api.status(signal), []);
  const chainId = status.state === 'ok' ? status.value.chainId : null;
  // The chain id on <html data-chain-id>: says the banner has decided (tests wait for it).
  useEffect(() => {
    if (chainId !== null) document.documentElement.dataset.chainId = chainId;
  }, [chainId]);
  if (chainId === null || !isDemoChain(chainId)) return null;
  return (
    <div class="demo-banner" role="note" data-field="demo-banner">
      <strong>Demo chain: synthetic data.</strong> <code>{chainId}</code> is a demonstration network: every
      person and record on it is made up.
    </div>
  );
}
