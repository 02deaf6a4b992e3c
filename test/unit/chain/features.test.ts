import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Genesis } from '../../../node/config/config.js';
import { genesisHash } from '../../../node/contracts/genesis.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import {
  activationProblem,
  effectiveFeatures,
  featuresProblem,
  isFeatureActive,
  isKnownFeature,
  MIN_ACTIVATION_LEAD,
  upgradeRequired,
  upgradeRequiredMessage,
} from '../../../protocol/chain/features.js';

describe('chain feature switches', () => {
  test.each([
    [undefined, 100, false],
    [{}, 100, false],
    [{ timeAdvances: 10 }, 9, false],
    [{ timeAdvances: 10 }, 10, true],
    [{ timeAdvances: 10 }, 11, true],
  ])('features %o at height %i: active %s', (features, height, want) => {
    expect(isFeatureActive(features, 'timeAdvances', height)).toBe(want);
  });

  test.each([
    [{ timeAdvances: 1 }, null],
    [{}, null],
    [[], ': expected an object of name: height'],
    [{ timeAdvances: 0 }, '.timeAdvances: expected a block height >= 1'],
    [{ timeAdvances: 1.5 }, '.timeAdvances: expected a block height >= 1'],
    [{ fasterBlocks: 5 }, '.fasterBlocks: unknown feature (known: timeAdvances)'],
  ])('genesis features %o: %s', (raw, problem) => {
    expect(featuresProblem(raw)).toBe(problem);
  });
});

describe('features in the genesis hash', () => {
  const g: Genesis = { chainId: 'c', time: 1, validators: [], organisations: [] };

  test('a genesis without features hashes as before feature switches existed', () => {
    expect(toHex(genesisHash(g))).toBe(toHex(genesisHash({ ...g, features: undefined })));
  });

  test('a switch and its height are part of the hash', () => {
    const on = genesisHash({ ...g, features: { timeAdvances: 5 } });
    expect(toHex(on)).not.toBe(toHex(genesisHash(g)));
    expect(toHex(genesisHash({ ...g, features: { timeAdvances: 6 } }))).not.toBe(toHex(on));
  });
});

describe('activating a feature by governance: the rule', () => {
  const lead = MIN_ACTIVATION_LEAD;
  test.each([
    ['a name this code knows, far enough ahead', 'timeAdvances', 50 + lead, 50, {}, null],
    [
      'a name this code does not know: the rule does not depend on the code',
      'hashOnlyBlocks',
      50 + lead,
      50,
      {},
      null,
    ],
    ['exactly the lead ahead', 'x', 1 + lead, 1, {}, null],
    ['one block short of the lead', 'x', 49 + lead, 50, {}, 'activation_too_soon'],
    ['a height in the past', 'x', 10, 50, {}, 'activation_too_soon'],
    ['a height past 2^53', 'x', 2 ** 53, 50, {}, 'activation_too_soon'],
    ['a name already scheduled, even later', 'x', 500 + lead, 50, { x: 400 }, 'feature_already_scheduled'],
    ['another name scheduled', 'y', 50 + lead, 50, { x: 400 }, null],
    ['an empty name', '', 50 + lead, 50, {}, 'bad_feature_name'],
    ['a name with a dot', 'a.b', 50 + lead, 50, {}, 'bad_feature_name'],
    ['a name starting with a digit', '1x', 50 + lead, 50, {}, 'bad_feature_name'],
    ['a name of 65 characters', 'a'.repeat(65), 50 + lead, 50, {}, 'bad_feature_name'],
  ])('%s', (_, name, height, atHeight, scheduled, want) => {
    expect(activationProblem({ name, height, atHeight, scheduled })).toBe(want);
  });
});

describe('the switches in force: genesis and governance together', () => {
  test.each([
    ['none anywhere', undefined, {}, {}],
    ['genesis only', { timeAdvances: 5 }, {}, { timeAdvances: 5 }],
    ['governance only', undefined, { timeAdvances: 300 }, { timeAdvances: 300 }],
    ['both: the earlier height wins', { timeAdvances: 500 }, { timeAdvances: 300 }, { timeAdvances: 300 }],
    ['both: genesis earlier', { timeAdvances: 5 }, { timeAdvances: 300 }, { timeAdvances: 5 }],
    ['an unknown scheduled name is left out', undefined, { hashOnlyBlocks: 300 }, {}],
  ])('%s', (_, genesis, scheduled, want) => {
    expect(effectiveFeatures(genesis, scheduled)).toEqual(want);
  });
});

describe('a node that does not know a scheduled feature stops before its height', () => {
  test.each([
    ['nothing scheduled', {}, 100, null],
    ['a known feature is never a reason to stop', { timeAdvances: 100 }, 100, null],
    ['an unknown one further ahead: keep going', { hashOnlyBlocks: 101 }, 100, null],
    [
      'an unknown one at the next block: stop',
      { hashOnlyBlocks: 100 },
      100,
      { name: 'hashOnlyBlocks', height: 100 },
    ],
    [
      'an unknown one already past (restart): stop',
      { hashOnlyBlocks: 90 },
      100,
      { name: 'hashOnlyBlocks', height: 90 },
    ],
    ['two unknown: the earlier is named', { b: 95, a: 99 }, 100, { name: 'b', height: 95 }],
    ['two unknown at one height: by name', { b: 95, a: 95 }, 100, { name: 'a', height: 95 }],
  ])('%s', (_, scheduled, nextHeight, want) => {
    expect(upgradeRequired(scheduled, nextHeight)).toEqual(want);
  });

  test('the message names the feature and the height', () => {
    expect(upgradeRequiredMessage({ name: 'hashOnlyBlocks', height: 1200 })).toBe(
      'upgrade required: feature hashOnlyBlocks activates at height 1200',
    );
  });

  test('against a naive model: stop exactly when some unknown scheduled height is at most the next', () => {
    const names = fc.constantFrom('timeAdvances', 'a', 'b', 'c');
    fc.assert(
      fc.property(
        fc.dictionary(names, fc.integer({ min: 1, max: 50 })),
        fc.integer({ min: 1, max: 60 }),
        (s, next) => {
          const due = Object.entries(s).filter(([n, h]) => !isKnownFeature(n) && h <= next);
          const got = upgradeRequired(s, next);
          expect(got !== null).toBe(due.length > 0);
          if (got !== null) expect(Math.min(...due.map(([, h]) => h))).toBe(got.height);
        },
      ),
    );
  });
});
