import { describe, expect, it } from 'vitest';
import { splitUrl } from '../../../cli/bench/load/http.js';

describe('splitUrl', () => {
  it('splits a URL into its origin and its path with the query', () => {
    expect(splitUrl('http://127.0.0.1:8080/v1/query/consent/canAccess?args=00')).toEqual([
      'http://127.0.0.1:8080',
      '/v1/query/consent/canAccess?args=00',
    ]);
  });

  it('gives the root path to a URL without one', () => {
    expect(splitUrl('http://10.0.0.1:8080')).toEqual(['http://10.0.0.1:8080', '/']);
  });
});
