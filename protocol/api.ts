/**
 * What the HTTP API needs from a node, as JSON-ready views. The node implements it; the routes only
 * translate HTTP to these calls, so the API can be tested against a real node without knowing its
 * insides.
 */
import type { ActorEventSource } from './notify.js';

export interface TxView {
  readonly hash: string;
  readonly status: 'pending' | 'committed';
  readonly chainId: string;
  readonly sender: string;
  readonly nonce: number;
  readonly gasLimit: number;
  readonly contract: string;
  readonly method: string;
  /** Arguments as hex. */
  readonly args: readonly string[];
  readonly signature: string;
  readonly height?: number;
  readonly index?: number;
  readonly receipt?: ReceiptView;
}

export interface ReceiptView {
  readonly status: 'ok' | 'reverted';
  readonly error?: string;
  readonly gasUsed: number;
  readonly returnData: string;
  readonly events: readonly { readonly name: string; readonly data: readonly string[] }[];
}

export interface BlockHeaderView {
  /** The chain the block (and every tx in it) belongs to. */
  readonly chainId: string;
  readonly height: number;
  readonly hash: string;
  readonly parentHash: string;
  readonly txRoot: string;
  readonly stateHeight: number;
  readonly stateRoot: string;
  readonly proposer: string;
  readonly term: number;
  readonly time: number;
  readonly txCount: number;
  readonly signature: string;
}

export interface BlockView extends BlockHeaderView {
  /** Tx hashes in block order. */
  readonly txs: readonly string[];
}

export interface ValidatorView {
  readonly name: string;
  readonly publicKey: string;
  readonly peerId: string;
  readonly http: string;
  readonly connected: boolean;
  /** ms since the Unix epoch this node last heard from the validator (null: never, or self). */
  readonly lastSeen: number | null;
  /** How far its replicated log is behind the leader's (known on the leader only). */
  readonly lag: number | null;
  /** Raft protocol version of the last stream with it (null: none yet, or self). */
  readonly protocolVersion?: number | null;
  /** Set while it is refused: the Raft versions it serves, none of them this node's (else null). */
  readonly refusedVersions?: readonly number[] | null;
}

export interface StatusView {
  readonly nodeId: string;
  readonly name: string;
  readonly chainId: string;
  readonly role: string;
  readonly term: number;
  readonly leader: string | null;
  /**
   * ms since the Unix epoch, by this node's clock, at which it learned `leader` (null: no leader).
   * Operational (failover timelines); nothing may depend on it.
   */
  readonly leaderSince: number | null;
  readonly height: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly stateRoot: string;
  readonly mempool: { readonly txs: number; readonly bytes: number };
  readonly peers: readonly string[];
  readonly validators: readonly ValidatorView[];
  /** Set when this node computed a different state root than the chain and stopped applying. */
  readonly divergence: string | null;
  /**
   * The data directory's disk: `full` while writes wait for space (the node then refuses txs and
   * blob uploads with 503 `disk_full`), and its free bytes at the last sample (null if unknown).
   */
  readonly disk: { readonly full: boolean; readonly freeBytes: number | null };
  readonly version: string;
}

/** A server-sent event. */
export type NodeEvent =
  | { readonly type: 'block'; readonly block: BlockHeaderView }
  | {
      readonly type: 'receipts';
      readonly height: number;
      readonly receipts: readonly {
        readonly hash: string;
        readonly status: 'ok' | 'reverted';
        readonly error?: string;
      }[];
    }
  | { readonly type: 'leader'; readonly leader: string | null; readonly term: number };

/** A read-only query's outcome (docs/api.md#queries). */
export interface QueryResult {
  readonly status: 'ok' | 'reverted';
  /** Why it reverted (`not_found`: nothing stored under the key); absent when ok. */
  readonly error?: string;
  /** Gas the query burnt: metered for VM contracts; native contracts (kv, governance) do not meter queries (0). */
  readonly gasUsed: number;
  /**
   * The value as hex when ok ("" is an empty value), null when reverted: a missing value cannot
   * pass for an empty one. Read this, not `returnData`.
   */
  readonly value: string | null;
  /** Kept for older clients: the value when ok, "" when reverted (ambiguous: prefer `value`). */
  readonly returnData: string;
}

/** One tx of a batch submission: admitted with its hash, or refused with a stable code. */
export type BatchItemResult =
  | { readonly hash: string }
  | { readonly hash?: string; readonly error: { readonly code: string; readonly message: string } };

export interface ApiBackend {
  readonly chainId: string;
  /** Admits signed tx bytes; throws ChainError on refusal. Returns the tx hash as hex. */
  submitTx(bytes: Uint8Array): Promise<string>;
  /**
   * Admits a batch of signed txs, each on its own: the result at i is the hash of the admitted tx
   * or the stable code and message that refused it.
   */
  submitTxs(txs: readonly Uint8Array[]): Promise<BatchItemResult[]>;
  /** True while the node cannot persist what it takes in (its disk is full): writes are refused 503. */
  diskFull?(): boolean;
  getTx(hash: string): Promise<TxView | null>;
  getBlock(height: number): Promise<BlockView | null>;
  /** The canonical encoding of the block at `height` with its txs (docs/transactions.md#block). */
  getBlockBytes(height: number): Promise<Uint8Array | null>;
  /** Blocks in ascending height from `from`; `from` past the head gives an empty list. */
  getBlocks(from: number, limit: number): Promise<BlockView[]>;
  status(): StatusView;
  /** The committed nonce of a sender (the nonce its next tx must carry), and its pending tx count. */
  getAccount(publicKeyHex: string): { nonce: number; pending: number };
  /** Read-only contract call against the latest applied state. Throws ChainError for an unknown contract. */
  query(contract: string, method: string, args: readonly Uint8Array[]): Promise<QueryResult>;
  subscribe(listener: (e: NodeEvent) => void): () => void;
  /** The per-actor events (docs/notify.md); absent on a node without the index. */
  readonly actorEvents?: ActorEventSource;
  metrics(): Promise<{ contentType: string; body: string }>;
}
