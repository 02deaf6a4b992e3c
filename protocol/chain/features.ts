/**
 * Chain feature switches: a named rule change takes effect at a block height every node knows in
 * advance, so the applier and the producer switch at the same block on every node. The heights come
 * from genesis.json (`features: { name: height }`) and from chain state, where an approved
 * governance `activateFeature` action schedules one on a running chain. Pure.
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

/**
 * The fewest blocks between the block that approves an activation and the activation height, so
 * that operators can upgrade first. A floor against mistakes: choose a height much further ahead.
 */
export const MIN_ACTIVATION_LEAD = 100;

/** Feature activations scheduled in chain state by governance: any name, known to this code or not. */
export type FeatureSchedule = Readonly<Record<string, number>>;

const NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** True when this code knows the rule change called `name`. */
export function isKnownFeature(name: string): name is ChainFeature {
  return (Object.values(ChainFeature) as readonly string[]).includes(name);
}

/**
 * The switches in force: genesis's and the schedule's known names, each at the earlier height when
 * both name it. Unknown scheduled names are left out (see `upgradeRequired`).
 */
export function effectiveFeatures(
  genesis: ChainFeatures | undefined,
  scheduled: FeatureSchedule,
): ChainFeatures {
  const out: Partial<Record<ChainFeature, number>> = { ...genesis };
  for (const [name, at] of Object.entries(scheduled)) {
    if (!isKnownFeature(name)) continue;
    const g = out[name];
    out[name] = g === undefined ? at : Math.min(g, at);
  }
  return out;
}

/** Why an activation is refused (a governance revert code). */
export const ActivationProblem = {
  BadName: 'bad_feature_name',
  TooSoon: 'activation_too_soon',
  AlreadyScheduled: 'feature_already_scheduled',
} as const;
export type ActivationProblem = (typeof ActivationProblem)[keyof typeof ActivationProblem];

/**
 * Whether governance may schedule `name` at `height` in the block at `atHeight`. Depends only on
 * chain data, never on the names this code knows: nodes of different releases must agree. A name is
 * scheduled once; genesis's switch, if any, keeps its height when earlier.
 */
export function activationProblem(input: {
  readonly name: string;
  readonly height: number;
  readonly atHeight: number;
  readonly scheduled: FeatureSchedule;
}): ActivationProblem | null {
  if (!NAME.test(input.name)) return ActivationProblem.BadName;
  if (Object.hasOwn(input.scheduled, input.name)) return ActivationProblem.AlreadyScheduled;
  if (!Number.isSafeInteger(input.height) || input.height < input.atHeight + MIN_ACTIVATION_LEAD)
    return ActivationProblem.TooSoon;
  return null;
}

/** A scheduled feature this code does not know, and the height it takes effect at. */
export interface UpgradeRequired {
  readonly name: string;
  readonly height: number;
}

/**
 * The first scheduled feature this code does not know that is in force at `nextHeight` (the block
 * it would apply next), or null. Such a node must stop rather than apply a block by old rules.
 */
export function upgradeRequired(scheduled: FeatureSchedule, nextHeight: number): UpgradeRequired | null {
  let first: UpgradeRequired | null = null;
  for (const [name, height] of Object.entries(scheduled)) {
    if (isKnownFeature(name) || height > nextHeight) continue;
    if (first === null || height < first.height || (height === first.height && name < first.name))
      first = { name, height };
  }
  return first;
}

/** The message a node stops with when `u` is in force and it does not know it. */
export function upgradeRequiredMessage(u: UpgradeRequired): string {
  return `upgrade required: feature ${u.name} activates at height ${u.height}`;
}
