/** The node's side of the HTTP API: turns store, mempool and Raft state into JSON views. */

import type { Raft } from '../../consensus/raft.js';
import pkg from '../../package.json' with { type: 'json' };
import type {
  ApiBackend,
  BatchItemResult,
  BlockView,
  NodeEvent,
  QueryResult,
  StatusView,
  TxView,
} from '../../protocol/api.js';
import { encodeBlock } from '../../protocol/chain/block.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { ChainError } from '../../protocol/chain/errors.js';
import type { ActorEventSource } from '../../protocol/notify.js';
import type { Applier } from '../blocks/applier.js';
import type { TxIngress } from '../blocks/ingress.js';
import type { NodeEvents } from '../events.js';
import type { Mempool } from '../mempool/mempool.js';
import type { NodeMetrics } from '../metrics.js';
import type { P2PHost } from '../p2p/host.js';
import type { Leadership } from '../raft/leadership.js';
import type { Validator } from '../raft/membership.js';
import type { Executor } from '../state/executor.js';
import { nextNonce } from '../state/registry.js';
import type { ChainStore } from '../store/chain-store.js';
import { blockView, receiptView, txView } from './views.js';

const HASH = /^[0-9a-f]{64}$/;

/** What the API reads and calls: a narrow view of the node, wired by the composition root. */
export interface NodeApiDeps {
  readonly chainId: string;
  readonly name: string;
  readonly nodeId: string;
  readonly store: Pick<
    ChainStore,
    'getTx' | 'getBlock' | 'getBlocks' | 'appliedIndex' | 'state' | 'diskState'
  >;
  readonly mempool: Pick<Mempool, 'get' | 'pendingOf' | 'size' | 'bytes'>;
  readonly ingress: Pick<TxIngress, 'submit' | 'submitBatch'>;
  readonly executor: Pick<Executor, 'query'>;
  readonly raft: Pick<Raft, 'status' | 'progress'>;
  readonly applier: Pick<Applier, 'tip' | 'divergence'>;
  readonly host: Pick<P2PHost, 'connectedPeers'> & {
    readonly raft: Pick<P2PHost['raft'], 'incompatiblePeers' | 'peerVersion'>;
  };
  /** When each validator last sent a Raft message, by peer id. */
  readonly lastSeen: ReadonlyMap<string, number>;
  /** When this node learned its leader (`leaderSince` of the status). */
  readonly leadership: Pick<Leadership, 'leaderSince'>;
  validators(): readonly Validator[];
  readonly events: NodeEvents;
  readonly metrics: NodeMetrics;
  readonly actorEvents?: ActorEventSource;
}

export class NodeApi implements ApiBackend {
  constructor(private readonly node: NodeApiDeps) {}

  get actorEvents(): ActorEventSource | undefined {
    return this.node.actorEvents;
  }

  get chainId(): string {
    return this.node.chainId;
  }

  async submitTx(bytes: Uint8Array): Promise<string> {
    const tx = await this.node.ingress.submit(bytes);
    return toHex(tx.hash);
  }

  async submitTxs(txs: readonly Uint8Array[]): Promise<BatchItemResult[]> {
    const results = await this.node.ingress.submitBatch(txs);
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
    return b === undefined ? null : blockView(b);
  }

  async getBlockBytes(height: number): Promise<Uint8Array | null> {
    const b = await this.node.store.getBlock(height);
    return b === undefined ? null : encodeBlock(b);
  }

  async getBlocks(from: number, limit: number): Promise<BlockView[]> {
    return (await this.node.store.getBlocks(from, limit)).map(blockView);
  }

  getAccount(publicKeyHex: string): { nonce: number; pending: number } {
    const pk = fromHex(publicKeyHex);
    return { nonce: nextNonce(this.node.store.state, pk), pending: this.node.mempool.pendingOf(pk) };
  }

  diskFull(): boolean {
    return this.node.store.diskState().full;
  }

  status(): StatusView {
    const n = this.node;
    const st = n.raft.status();
    const connected = new Set(n.host.connectedPeers());
    const refused = new Map(n.host.raft.incompatiblePeers().map((p) => [p.peer, p.versions]));
    const self = n.nodeId;
    const disk = n.store.diskState();
    return {
      nodeId: self,
      name: n.name,
      chainId: this.chainId,
      role: st.role,
      term: st.term,
      leader: st.leader,
      leaderSince: n.leadership.leaderSince(st.leader),
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
          protocolVersion: n.host.raft.peerVersion(peerId) ?? null,
          refusedVersions: refused.get(peerId) ?? null,
        };
      }),
      divergence: n.applier.divergence,
      disk: { full: disk.full, freeBytes: disk.freeBytes },
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
    return () => {
      this.node.events.off('event', listener);
    };
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    const reg = this.node.metrics.registry;
    this.node.metrics.peers.set(this.node.host.connectedPeers().length);
    this.node.metrics.incompatiblePeers.reset();
    for (const p of this.node.host.raft.incompatiblePeers())
      this.node.metrics.incompatiblePeers.set({ peer: p.peer, versions: p.versions.join(',') }, 1);
    return { contentType: reg.contentType, body: await reg.metrics() };
  }
}
