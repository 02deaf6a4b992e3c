/**
 * `node/p2p`: the validator's libp2p host (identity, gater, dialling), the Raft transport and codec,
 * tx gossip, the DHT and a request/response helper. See `host.ts` for the whole picture.
 */
export type { DhtAddressMode, DhtCallOptions, DhtOptions, ProviderInfo } from './dht.js';
export { isP2PError, P2PError, P2PErrorCode } from './errors.js';
export { AllowListGater } from './gater.js';
export { createP2PHost, P2PHost, type P2PHostOptions, type P2PServices, type PeerAddress } from './host.js';
export {
  ED25519_KEY_BYTES,
  nodeIdFromValidatorKey,
  parsePeerId,
  peerIdFromValidatorKey,
  privateKeyFromSeed,
  validatorKeyFromNodeId,
} from './identity.js';
export { CountingMetrics, DropReason, noopMetrics, type P2PMetrics } from './metrics.js';
export {
  DEFAULT_RAFT_CODEC_LIMITS,
  decodeRaftFrame,
  decodeRaftMessage,
  encodeRaftFrame,
  encodeRaftMessage,
  type LeaderCertificate,
  peekRaftMessageType,
  type RaftCodecLimits,
  type RaftFrame,
  RaftMessageTag,
  type RaftProof,
  type SignedVote,
  VOTE_SIGNATURE_BYTES,
} from './raft-codec.js';
export {
  type RaftBytesHandler,
  type RaftMessageHandler,
  RaftTransport,
  type RaftTransportOptions,
} from './raft-transport.js';
export {
  type HandleRequestOptions,
  type RequestContext,
  type RequestHandler,
  type RequestOptions,
  RequestRefusal,
} from './request.js';
export { TxGossip, type TxHandler, type TxValidator, txTopic } from './tx-gossip.js';
