/** The CID bytes of a signed read request, decoded as the node takes them. */
import { CID } from 'multiformats/cid';
import { RecordError } from '../../protocol/records/errors.js';

/**
 * Decodes CID bytes from a request. Throws RecordError `bad_encoding` for bytes that are not a
 * CID (multiformats throws plain errors, which a peer would have seen as `internal`).
 */
export function blobCidFromBytes(bytes: Uint8Array): CID {
  try {
    return CID.decode(bytes);
  } catch (err) {
    throw new RecordError('bad_encoding', 'request: cid is not a CID', undefined, { cause: err });
  }
}
