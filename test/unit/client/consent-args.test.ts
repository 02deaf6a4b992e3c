/** `ehrchain consent` flag values as people write them, read into the model's values. */
import { describe, expect, it } from 'vitest';
import {
  parseActions,
  parseDuration,
  parseException,
  parsePurposes,
  parseScope,
  parseTime,
  resolveActor,
  UsageError,
} from '../../../cli/consent/args.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { actorId } from '../../../protocol/records/consent-calls.js';

const NOW = Date.UTC(2025, 0, 1);
const KEY = 'ab'.repeat(32);
const ID_OF_KEY = toHex(actorId(Buffer.from(KEY, 'hex')));

describe('consent CLI arguments', () => {
  it.each([
    ['treatment', ['TREAT']],
    ['payment,research', ['HPAYMT', 'HRESCH']],
    ['emergency', ['ETREAT']],
    ['TREAT', ['TREAT']],
  ])('purpose %s reads as %j', (v, want) => {
    expect(parsePurposes(v)).toEqual(want);
  });

  it.each([
    ['all', { kind: 'all' }],
    ['categories:lab,imaging', { kind: 'categories', categories: ['lab', 'imaging'] }],
    [`record:${KEY}`, { kind: 'record', recordId: KEY }],
  ])('scope %s reads as %j', (v, want) => {
    expect(parseScope(v)).toEqual(want);
  });

  it.each([
    ['now', NOW],
    ['+30d', NOW + 30 * 86_400_000],
    ['-1h', NOW - 3_600_000],
    ['2025-03-01', Date.UTC(2025, 2, 1)],
    ['1735689600000', 1735689600000],
  ])('time %s reads as %d', (v, want) => {
    expect(parseTime(v, NOW)).toBe(want);
  });

  it.each([
    () => parsePurposes('billing'),
    () => parseActions('read,delete'),
    () => parseScope('categories:'),
    () => parseException('actor:x'),
    () => parseDuration('10 minutes'),
    () => parseTime('next tuesday', NOW),
  ])('refuses what it cannot read with a UsageError (%#)', (f) => {
    expect(f).toThrow(UsageError);
  });

  it.each([
    [KEY, true, ID_OF_KEY],
    [KEY, false, KEY],
    [`key:${KEY}`, false, ID_OF_KEY],
    [`id:${KEY}`, true, KEY],
  ])('actor %s (its key registered: %s) is actor id %s', async (v, registered, want) => {
    expect(await resolveActor(v, async (id) => registered && id === ID_OF_KEY)).toBe(want);
  });
});
