import { LengthPrefixedDecoder } from '@libp2p/utils';
import fc from 'fast-check';
import { Uint8ArrayList } from 'uint8arraylist';
import { describe, expect, it } from 'vitest';
import { NEED_MORE, noiseRecordLength, useNoiseRecordLength } from '../../../node/p2p/noise-length.js';

/** Noise's framing: each record is its length in 2 big-endian bytes, then the record. */
function frame(records: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8ArrayList();
  for (const r of records) out.append(Uint8Array.of(r.byteLength >> 8, r.byteLength & 255), r);
  return out.subarray();
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.byteLength]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

/** The records a noise-configured decoder yields when fed `parts` one read at a time. */
function decodeAll(parts: readonly Uint8Array[]): Uint8Array[] {
  const d = new LengthPrefixedDecoder({
    lengthDecoder: noiseRecordLength,
    maxBufferSize: 16 * 1024 * 1024,
    encodingLength: () => 2,
  });
  const out: Uint8Array[] = [];
  for (const p of parts) for (const r of d.decode(p)) out.push(r.subarray());
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('noise record lengths', () => {
  it('reads the first two bytes big-endian', () => {
    expect(noiseRecordLength(Uint8Array.of(0x12, 0x34, 0xff))).toBe(0x1234);
    expect(noiseRecordLength(Uint8Array.of(0xff, 0xff))).toBe(65_535);
  });

  it('reads them across the parts of a list', () => {
    expect(noiseRecordLength(new Uint8ArrayList(Uint8Array.of(0xab), Uint8Array.of(0xcd, 1)))).toBe(0xabcd);
  });

  it('answers NEED_MORE, above any record length, for fewer than two bytes', () => {
    expect(noiseRecordLength(new Uint8Array(0))).toBe(NEED_MORE);
    expect(noiseRecordLength(new Uint8ArrayList(Uint8Array.of(7)))).toBe(NEED_MORE);
    expect(NEED_MORE).toBeGreaterThan(65_535);
  });

  it('does not throw while a read ends on a record boundary', () => {
    const d = new LengthPrefixedDecoder({ lengthDecoder: noiseRecordLength, encodingLength: () => 2 });
    expect([...d.decode(frame([Uint8Array.of(1, 2, 3)]))].length).toBe(1);
    expect([...d.decode(new Uint8Array(0))].length).toBe(0);
  });

  it('splits any stream of records, read in any pieces, into the records sent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (records, cuts) => {
          const got = decodeAll(chunks(frame(records), cuts));
          expect(got.map(hex)).toEqual(records.map(hex));
        },
      ),
    );
  });

  it('is what a secured connection decodes with once useNoiseRecordLength has run', () => {
    const connection = {
      decoder: new LengthPrefixedDecoder({ lengthDecoder: (): number => 0, encodingLength: () => 2 }),
    };
    useNoiseRecordLength(connection);
    // the decoder's field is private in its types; reading it is what this test is for
    expect((connection.decoder as unknown as { lengthDecoder: unknown }).lengthDecoder).toBe(
      noiseRecordLength,
    );
  });

  it('leaves a decoder whose length limit would refuse NEED_MORE with its own reader', () => {
    const own = (): number => 0;
    const connection = {
      decoder: new LengthPrefixedDecoder({
        lengthDecoder: own,
        maxDataLength: 65_535,
        encodingLength: () => 2,
      }),
    };
    useNoiseRecordLength(connection);
    expect((connection.decoder as unknown as { lengthDecoder: unknown }).lengthDecoder).toBe(own);
  });

  it('leaves a connection of another shape alone', () => {
    const other = { decoder: { lengthDecoder: 5 } };
    useNoiseRecordLength(other);
    useNoiseRecordLength(null);
    expect(other.decoder.lengthDecoder).toBe(5);
  });
});
