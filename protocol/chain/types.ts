/**
 * The chain's data types. Byte encodings, hashing and signing of these live beside this file and
 * are documented with test vectors in docs/transactions.md; these are the decoded forms.
 */

/** A contract call as a client signs it. All integer fields are unsigned, below 2^53. */
export interface TxBody {
  /** Identifies the network; a tx for another chain is refused. */
  readonly chainId: string;
  /** The sender's raw 32-byte ed25519 public key. The sender is who signed, never an argument. */
  readonly sender: Uint8Array;
  /** Per-sender sequence number, starting at 0, each tx exactly one above the sender's last committed. */
  readonly nonce: number;
  readonly gasLimit: number;
  /** Contract id: a registered name (e.g. "kv", "consent") or a deployed code hash in hex. */
  readonly contract: string;
  readonly method: string;
  /** Positional arguments, opaque bytes to the chain; the contract decodes them. */
  readonly args: readonly Uint8Array[];
}

/** A transaction with its signature and derived hash. */
export interface SignedTx {
  readonly body: TxBody;
  /** 64-byte ed25519 signature over `hash`. */
  readonly signature: Uint8Array;
  /** sha256 of the canonical encoding of `body`. */
  readonly hash: Uint8Array;
  /** The canonical wire bytes of the whole signed tx (body + signature), kept to avoid re-encoding. */
  readonly bytes: Uint8Array;
}

export interface BlockHeader {
  readonly chainId: string;
  readonly height: number;
  /** Hash of the parent header; 32 zero bytes for the first block after genesis. */
  readonly parentHash: Uint8Array;
  /** Merkle root over the tx hashes, in block order. */
  readonly txRoot: Uint8Array;
  /**
   * State root after applying block `stateHeight`: the highest block the proposer had applied when
   * it cut this one (0 = genesis state). Execution lags proposal so that blocks can be pipelined
   * through Raft; every node checks the root when it applies `stateHeight`, and a mismatch is a
   * divergence that stops the node.
   */
  readonly stateHeight: number;
  readonly stateRoot: Uint8Array;
  /** The proposer's raw 32-byte ed25519 public key; must be an authorised validator. */
  readonly proposer: Uint8Array;
  /** Raft term in which the proposer led. */
  readonly term: number;
  /** Proposer's wall clock, ms since the Unix epoch; the block's time for contracts. */
  readonly time: number;
  readonly txCount: number;
}

export interface Block {
  readonly header: BlockHeader;
  /** 64-byte ed25519 signature of the proposer over the header hash. */
  readonly signature: Uint8Array;
  readonly txs: readonly SignedTx[];
  /** sha256 of the canonical header encoding. */
  readonly hash: Uint8Array;
}

export interface ContractEvent {
  readonly name: string;
  readonly data: readonly Uint8Array[];
}

/** What applying one tx produced. A failed tx is still included (its nonce is consumed). */
export interface Receipt {
  readonly txHash: Uint8Array;
  readonly height: number;
  readonly index: number;
  readonly status: 'ok' | 'reverted';
  /** Typed reason code when reverted (e.g. "out_of_gas", "unauthorised"). */
  readonly error?: string;
  readonly gasUsed: number;
  readonly returnData: Uint8Array;
  readonly events: readonly ContractEvent[];
}
