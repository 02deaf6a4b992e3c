/** How store errors are read: a full disk, and the LevelDB file a message names. */
import { describe, expect, it } from 'vitest';
import { isDiskFullError } from '../../../node/store/health.js';
import { fileInError } from '../../../node/store/integrity.js';

describe('isDiskFullError', () => {
  it.each([
    ['LevelDB log append', new Error('IO error: /d/000004.log: No space left on device'), true],
    ['an fs error code', Object.assign(new Error('write failed'), { code: 'ENOSPC' }), true],
    ['a quota', new Error('IO error: /d/000005.ldb: Disk quota exceeded'), true],
    [
      'wrapped as a cause',
      new Error('Database failed to open', { cause: new Error('No space left on device') }),
      true,
    ],
    ['corruption', new Error('Corruption: corrupted compressed block contents'), false],
    ['not an error', 'ENOSPACE?', false],
  ] as const)('%s: %s', (_name, err, full) => {
    expect(isDiskFullError(err)).toBe(full);
  });
});

describe('fileInError', () => {
  it.each([
    ['IO error: /srv/d/000005.ldb: Invalid argument', '/srv/d/000005.ldb'],
    ['IO error: /srv/d/MANIFEST-000002: No such file', '/srv/d/MANIFEST-000002'],
    ['Corruption: corrupted compressed block contents', undefined],
  ])('%s -> %s', (message, file) => {
    expect(fileInError(message)).toBe(file);
  });
});
