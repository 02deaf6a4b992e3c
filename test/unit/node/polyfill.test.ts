import { describe, expect, it } from 'vitest';

describe('Promise.withResolvers polyfill (loaded by vitest setupFiles, as by the CLI)', () => {
  it('resolves through the returned resolve function', async () => {
    const { promise, resolve } = Promise.withResolvers<number>();
    resolve(42);
    await expect(promise).resolves.toBe(42);
  });

  it('rejects through the returned reject function', async () => {
    const { promise, reject } = Promise.withResolvers<number>();
    reject(new Error('boom'));
    await expect(promise).rejects.toThrow('boom');
  });
});
