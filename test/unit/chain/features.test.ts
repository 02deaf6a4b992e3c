import { describe, expect, test } from 'vitest';
import type { Genesis } from '../../../node/config/config.js';
import { genesisHash } from '../../../node/contracts/genesis.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { featuresProblem, isFeatureActive } from '../../../protocol/chain/features.js';

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
