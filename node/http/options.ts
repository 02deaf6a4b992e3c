/** Options of the HTTP API server. */

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  /** Largest accepted request body in bytes (a signed tx is far smaller). */
  readonly bodyLimit: number;
  /** Seconds a client is told to wait when the mempool is full. */
  readonly retryAfterSeconds: number;
  /** Most txs in one `POST /v1/txs`. */
  readonly maxBatchTxs: number;
  /** Largest `POST /v1/txs` body in bytes. */
  readonly batchBodyLimit: number;
  /**
   * Submissions and blob uploads get 503 `overloaded` while the event loop's mean delay exceeds this
   * many ms (0: never):
   * a node that takes more than it can process delays its own Raft heartbeats into needless elections.
   */
  readonly maxEventLoopDelayMs: number;
  /**
   * Open HTTP connections at most; Node closes any further one as soon as it is accepted, before a
   * byte of it is parsed. A burst of new connections on the leader would otherwise be parsed and
   * answered 503 on the main thread, delaying heartbeats past the election timeout (issue 18).
   */
  readonly maxConnections: number;
}

export const defaultHttpOptions: HttpOptions = {
  host: '127.0.0.1',
  port: 8080,
  bodyLimit: 256 * 1024,
  retryAfterSeconds: 1,
  maxBatchTxs: 1000,
  batchBodyLimit: 4 * 1024 * 1024,
  maxEventLoopDelayMs: 200,
  maxConnections: 512,
};
