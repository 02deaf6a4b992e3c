/**
 * The demo chain banner: a chain whose id ends in `-demo` (the `ehrchain devnet` demo consortium,
 * docs/devnet.md) holds synthetic data only, and every page says so above its content.
 */
import { api } from './api.js';
import { useAsync } from './hooks.js';

/** Is this the chain id of a demo chain? (The same rule as cli/devnet/cast.ts.) */
export const isDemoChain = (chainId: string): boolean => chainId.endsWith('-demo');

/** "Demo chain: synthetic data" on a demo chain; nothing otherwise (or while the node is unknown). */
export function DemoBanner() {
  const status = useAsync((signal) => api.status(signal), []);
  if (status.state !== 'ok' || !isDemoChain(status.value.chainId)) return null;
  return (
    <div class="demo-banner" role="note" data-field="demo-banner">
      <strong>Demo chain: synthetic data.</strong> Chain <code>{status.value.chainId}</code> was seeded with a
      made-up consortium by <code>npm start</code>; no real person is in it.
    </div>
  );
}
