/**
 * Chain feature switches: a named rule change takes effect at a block height every node knows in
 * advance (genesis.json `features: { name: height }`), so the applier and the producer switch at the
 * same block on every node. Pure.
 *
 * Today the heights come from genesis only; activating one on a running chain by governance is not
 * built yet (docs/operations.md#rolling-upgrades).
 */

/** The rule changes this release knows, and what each does from its height on. */
export const ChainFeature = {
  /** A block's time must be strictly after its parent's (before: not earlier), so consent time moves with every block. */
  timeAdvances: 'timeAdvances',
} as const;
export type ChainFeature = (typeof ChainFeature)[keyof typeof ChainFeature];

/** Activation heights by feature; a feature absent is never active. */
export type ChainFeatures = Readonly<Partial<Record<ChainFeature, number>>>;

/** True when `name` is active for the block at `height`. */
export function isFeatureActive(
  features: ChainFeatures | undefined,
  name: ChainFeature,
  height: number,
): boolean {
  const at = features?.[name];
  return at !== undefined && height >= at;
}

/** Why `raw` is not a features object (`.name: problem`), or null when it is one. */
export function featuresProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return ': expected an object of name: height';
  const known: readonly string[] = Object.values(ChainFeature);
  for (const [k, v] of Object.entries(raw)) {
    if (!known.includes(k)) return `.${k}: unknown feature (known: ${known.join(', ')})`;
    if (!Number.isSafeInteger(v) || (v as number) < 1) return `.${k}: expected a block height >= 1`;
  }
  return null;
}
