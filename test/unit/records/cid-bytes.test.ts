/**
 * Regression (found by the `records-request-signed` fuzz target): a correctly signed read request
 * whose CID bytes are not a CID made the blob-fetch protocol answer `internal` (multiformats throws
 * a plain Error); the node now refuses it as `bad_encoding`.
 */
import { describe, expect, it } from 'vitest';
import { blobCidFromBytes } from '../../../node/records/cid-bytes.js';
import { cidOf } from '../../../protocol/records/cid.js';
import { RecordError } from '../../../protocol/records/errors.js';

const good = cidOf(new Uint8Array([1, 2, 3])).bytes;

describe('CID bytes of a signed read request', () => {
  it('decode when they are a CID', () => {
    expect(blobCidFromBytes(good).bytes).toEqual(good);
  });

  it.each([
    ['truncated', good.slice(0, 10)],
    ['one byte', Uint8Array.of(1)],
    ['an unknown version', Uint8Array.of(9, ...good.slice(1))],
    ['noise', new Uint8Array(128).fill(0xff)],
  ])('are refused as bad_encoding when %s', (_what, bytes) => {
    let err: unknown;
    try {
      blobCidFromBytes(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordError);
    expect(err).toMatchObject({ code: 'bad_encoding' });
  });
});
