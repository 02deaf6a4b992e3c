/**
 * Noise record lengths read without an exception per TCP read.
 *
 * @chainsafe/libp2p-noise 17 splits the bytes a connection receives into records with @libp2p/utils'
 * `LengthPrefixedDecoder` and a 2-byte length reader that throws a `RangeError` when fewer than two
 * bytes are buffered; the decoder catches it to mean "wait for more". It asks again after every
 * record it yields, so every TCP read that ends on a record boundary (nearly all of them) built and
 * threw an Error, stack trace included: ~0.5-0.7 % of a validator's main thread in consent-mix
 * (docs/bench.md, session 11). `noiseRecordLength` answers `NEED_MORE` instead, a length no record
 * has (records are at most 65,535 bytes) and more than a buffer of under two bytes holds, so the
 * decoder waits exactly as it did after the throw. Complete lengths read the same two bytes.
 *
 * `withNoiseRecordLength` wraps the noise connection encrypter so each connection it secures uses
 * it (the package has no option for it). Nothing else changes: same records, same bytes.
 */
import type { ConnectionEncrypter } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';

/** Returned while the length is incomplete: above any record length, within the decoder's limit. */
export const NEED_MORE = 0x10000;

/** The big-endian 2-byte length at the start of `data`, or `NEED_MORE` when under two bytes are there. */
export function noiseRecordLength(data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < 2) return NEED_MORE;
  if (data instanceof Uint8Array) return (data[0]! << 8) | data[1]!;
  return (data.get(0) << 8) | data.get(1);
}

/** What this reads of a secured connection (private in the noise package's types). */
interface DecodingStream {
  readonly decoder?: { lengthDecoder?: unknown; maxDataLength?: unknown };
}

/**
 * Points the connection's record decoder at `noiseRecordLength` when it has the expected shape and
 * its length limit admits `NEED_MORE` (a decoder that refused it would abort the connection, so a
 * package version that caps the limit at 65,535 keeps its own reader).
 */
export function useNoiseRecordLength(connection: unknown): void {
  const decoder = (connection as DecodingStream | null)?.decoder;
  if (
    decoder !== undefined &&
    typeof decoder.lengthDecoder === 'function' &&
    typeof decoder.maxDataLength === 'number' &&
    decoder.maxDataLength >= NEED_MORE
  ) {
    decoder.lengthDecoder = noiseRecordLength;
  }
}

/** Wraps a connection encrypter factory (e.g. `noise(...)`) so its connections read lengths without throwing. */
export function withNoiseRecordLength<C>(
  factory: (components: C) => ConnectionEncrypter,
): (components: C) => ConnectionEncrypter {
  return (components) => {
    const e = factory(components);
    const outbound = e.secureOutbound.bind(e);
    const inbound = e.secureInbound.bind(e);
    e.secureOutbound = async (conn, opts) => {
      const r = await outbound(conn, opts);
      useNoiseRecordLength(r.connection);
      return r;
    };
    e.secureInbound = async (conn, opts) => {
      const r = await inbound(conn, opts);
      useNoiseRecordLength(r.connection);
      return r;
    };
    return e;
  };
}
