/**
 * sha256 with domain separation. Each kind of hashed object has its own NUL-terminated ASCII
 * prefix, so no tx body, header or Merkle node can hash to the same digest as another kind.
 */
import { platformCrypto } from '../crypto/platform.js';

/** Domain prefix of a tx hash: ASCII `ehrchain/tx/v1` then a 0x00 byte. */
export const TX_HASH_DOMAIN: Uint8Array = new TextEncoder().encode('ehrchain/tx/v1\0');
/** Domain prefix of a block header hash: ASCII `ehrchain/header/v1` then a 0x00 byte. */
export const HEADER_HASH_DOMAIN: Uint8Array = new TextEncoder().encode('ehrchain/header/v1\0');

/** sha256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return platformCrypto.sha256(data);
}

/** sha256 of `data` into `out` (32 bytes): no allocation where the platform offers it. */
export function sha256Into(out: Uint8Array, data: Uint8Array): void {
  if (platformCrypto.sha256Into !== undefined) platformCrypto.sha256Into(out, data);
  else out.set(platformCrypto.sha256(data));
}

/** sha256(domain || data). */
export function domainHash(domain: Uint8Array, data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(domain.length + data.length);
  buf.set(domain, 0);
  buf.set(data, domain.length);
  return sha256(buf);
}
