/** Chain objects as the HTTP API's JSON views (protocol/api.ts). Pure. */
import type { BlockHeaderView, BlockView, ReceiptView, TxView } from '../../protocol/api.js';
import { toHex } from '../../protocol/chain/encoding.js';
import type { Block, Receipt, SignedTx } from '../../protocol/chain/types.js';

export function receiptView(r: Receipt): ReceiptView {
  return {
    status: r.status,
    ...(r.error === undefined ? {} : { error: r.error }),
    gasUsed: r.gasUsed,
    returnData: toHex(r.returnData),
    events: r.events.map((e) => ({ name: e.name, data: e.data.map(toHex) })),
  };
}

export function txView(tx: SignedTx, status: 'pending' | 'committed'): TxView {
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

export function headerView(b: Block): BlockHeaderView {
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

export function blockView(b: Block): BlockView {
  return { ...headerView(b), txs: b.txs.map((t) => toHex(t.hash)) };
}
