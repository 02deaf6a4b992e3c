/**
 * Validator identity on the network: the validator's ed25519 key is also its libp2p key, so the noise
 * handshake proves a connection comes from the holder of that validator key, and the peer id string
 * is the validator's `NodeId` in Raft. Ed25519 peer ids embed the public key (identity multihash), so
 * the key can be read back from a peer id without any lookup.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import { P2PError } from './errors.js';

/** Length in bytes of an ed25519 seed (private key) and of a public key. */
const ED25519_KEY_BYTES = 32;

/** The libp2p private key for a validator's 32-byte ed25519 seed. Never log the result. */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_KEY_BYTES) {
    throw new P2PError('bad_key', `ed25519 seed must be ${ED25519_KEY_BYTES} bytes`);
  }
  return generateKeyPairFromSeed('Ed25519', seed);
}

/** The peer id of the validator whose raw 32-byte ed25519 public key is given. */
export function peerIdFromValidatorKey(publicKey32: Uint8Array): PeerId {
  if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== ED25519_KEY_BYTES) {
    throw new P2PError('bad_key', `ed25519 public key must be ${ED25519_KEY_BYTES} bytes`);
  }
  try {
    const key = publicKeyFromRaw(publicKey32);
    if (key.type !== 'Ed25519') throw new Error(`unexpected key type ${key.type}`);
    return peerIdFromPublicKey(key);
  } catch (err) {
    throw new P2PError('bad_key', 'invalid ed25519 public key', { cause: err });
  }
}

/** The peer id string (the Raft `NodeId`) of a validator public key. */
export function nodeIdFromValidatorKey(publicKey32: Uint8Array): string {
  return peerIdFromValidatorKey(publicKey32).toString();
}

/** The raw 32-byte ed25519 public key embedded in an ed25519 peer id string. */
export function validatorKeyFromNodeId(peerId: string): Uint8Array {
  let id: PeerId;
  try {
    id = peerIdFromString(peerId);
  } catch (err) {
    throw new P2PError('bad_key', 'not a peer id', { cause: err });
  }
  if (id.type !== 'Ed25519' || id.publicKey === undefined) {
    throw new P2PError('bad_key', 'not an ed25519 peer id');
  }
  return id.publicKey.raw;
}

/** Peer ids parsed so far (validators: a handful). Cleared when it reaches `PARSED_MAX`. */
const parsed = new Map<string, PeerId>();
const PARSED_MAX = 1024;

/**
 * Parses a peer id string, with a P2PError instead of a library error. The same string gives the
 * same (immutable) PeerId: parsing one decodes base58 and builds the embedded public key, and the
 * dial loop, the Raft transport and every request asked for the same few ids again and again.
 */
export function parsePeerId(peerId: string): PeerId {
  const known = parsed.get(peerId);
  if (known !== undefined) return known;
  let id: PeerId;
  try {
    id = peerIdFromString(peerId);
  } catch (err) {
    throw new P2PError('bad_key', 'not a peer id', { cause: err });
  }
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(peerId, id);
  return id;
}
