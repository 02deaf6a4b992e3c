/** The node's side of the HTTP API: turns store, mempool and Raft state into JSON views. */
import pkg from '../package.json' with { type: 'json' };
import { encodeBlock } from './chain/block.js';
import { fromHex, toHex } from './chain/encoding.js';
import { ChainError } from './chain/errors.js';
import type { Block, Receipt, SignedTx } from './chain/types.js';
import type {
  ApiBackend,
  BatchItemResult,
  BlockHeaderView,
  BlockView,
  NodeEvent,
  QueryResult,
  ReceiptView,
  StatusView,
  TxView,
} from './http/backend.js';
import type { ChainNode } from './node.js';
import { nextNonce } from './state/registry.js';

const HASH = /^[0-9a-f]{64}$/;

function receiptView(r: Receipt): ReceiptView {
  return {
    status: r.status,
    ...(r.error === undefined ? {} : { error: r.error }),
    gasUsed: r.gasUsed,
    returnData: toHex(r.returnData),
    events: r.events.map((e) => ({ name: e.name, data: e.data.map(toHex) })),
  };
}

function txView(tx: SignedTx, status: 'pending' | 'committed'): TxView {
  const b = tx.body;
  return {
    hash: toHex(tx.hash),
    status,
    chainId: b.chainId,
    sender: toHex(b.sender),
    nonce: b.nonce,
    gasLimit: b.gasLimit,
    contract: b.contract,
    method: b.method,
    args: b.args.map(toHex),
    signature: toHex(tx.signature),
  };
}

export class NodeApi implements ApiBackend {
  constructor(private readonly node: ChainNode) {}

  get chainId(): string {
    return this.node.init.config.chainId;
  }

  static headerView(b: Block): BlockHeaderView {
    const h = b.header;
    return {
      chainId: h.chainId,
      height: h.height,
      hash: toHex(b.hash),
      parentHash: toHex(h.parentHash),
      txRoot: toHex(h.txRoot),
      stateHeight: h.stateHeight,
      stateRoot: toHex(h.stateRoot),
      proposer: toHex(h.proposer),
      term: h.term,
      time: h.time,
      txCount: h.txCount,
      signature: toHex(b.signature),
    };
  }

  static blockView(b: Block): BlockView {
    return { ...NodeApi.headerView(b), txs: b.txs.map((t) => toHex(t.hash)) };
  }

  async submitTx(bytes: Uint8Array): Promise<string> {
    const tx = await this.node.submit(bytes);
    return toHex(tx.hash);
  }

  async submitTxs(txs: readonly Uint8Array[]): Promise<BatchItemResult[]> {
    const results = await this.node.submitBatch(txs);
    return results.map((r) =>
      r instanceof ChainError ? { error: { code: r.code, message: r.message } } : { hash: toHex(r.hash) },
    );
  }

  async getTx(hash: string): Promise<TxView | null> {
    if (!HASH.test(hash)) return null;
    const h = fromHex(hash);
    const loc = await this.node.store.getTx(h);
    if (loc !== undefined) {
      const block = await this.node.store.getBlock(loc.height);
      const tx = block?.txs[loc.index];
      if (tx !== undefined) {
        return {
          ...txView(tx, 'committed'),
          height: loc.height,
          index: loc.index,
          receipt: receiptView(loc.receipt),
        };
      }
    }
    const pending = this.node.mempool.get(h);
    return pending === undefined ? null : txView(pending, 'pending');
  }

  async getBlock(height: number): Promise<BlockView | null> {
    const b = await this.node.store.getBlock(height);
    return b === undefined ? null : NodeApi.blockView(b);
  }

  async getBlockBytes(height: number): Promise<Uint8Array | null> {
    const b = await this.node.store.getBlock(height);
    return b === undefined ? null : encodeBlock(b);
  }

  async getBlocks(from: number, limit: number): Promise<BlockView[]> {
    return (await this.node.store.getBlocks(from, limit)).map(NodeApi.blockView);
  }

  getAccount(publicKeyHex: string): { nonce: number; pending: number } {
    const pk = fromHex(publicKeyHex);
    return { nonce: nextNonce(this.node.store.state, pk), pending: this.node.mempool.pendingOf(pk) };
  }

  status(): StatusView {
    const n = this.node;
    const st = n.raft.status();
    const connected = new Set(n.host.connectedPeers());
    const self = n.nodeId;
    return {
      nodeId: self,
      name: n.init.config.name,
      chainId: this.chainId,
      role: st.role,
      term: st.term,
      leader: st.leader,
      height: n.applier.tip.height,
      commitIndex: st.commit,
      appliedIndex: n.store.appliedIndex(),
      stateRoot: toHex(n.store.state.root()),
      mempool: { txs: n.mempool.size, bytes: n.mempool.bytes },
      peers: [...connected],
      validators: n.validators().map((v) => {
        const peerId = v.peerId;
        const pr = n.raft.progress(peerId);
        return {
          name: v.name,
          publicKey: toHex(v.publicKey),
          peerId,
          http: v.http,
          connected: peerId === self || connected.has(peerId),
          lastSeen: peerId === self ? null : (n.lastSeen.get(peerId) ?? null),
          lag: pr === undefined ? null : Math.max(0, st.lastIndex - pr.match),
        };
      }),
      divergence: n.applier.divergence,
      version: pkg.version,
    };
  }

  async query(contract: string, method: string, args: readonly Uint8Array[]): Promise<QueryResult> {
    const r = this.node.executor.query(this.node.store.state, contract, method, args);
    if (!r.ok && r.error === 'unknown_contract')
      throw new ChainError('unknown_contract', `no contract ${contract}`);
    if (!r.ok)
      return { status: 'reverted', error: r.error, gasUsed: r.gasUsed ?? 0, value: null, returnData: '' };
    const value = toHex(r.returnData);
    return { status: 'ok', gasUsed: r.gasUsed ?? 0, value, returnData: value };
  }

  subscribe(listener: (e: NodeEvent) => void): () => void {
    this.node.events.on('event', listener);
    return () => this.node.events.off('event', listener);
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    const reg = this.node.metrics.registry;
    this.node.metrics.peers.set(this.node.host.connectedPeers().length);
    return { contentType: reg.contentType, body: await reg.metrics() };
  }
}
