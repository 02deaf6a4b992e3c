/**
 * Decoder targets: the tx and block decoders, the gossip tx batch, Raft frames (the stream and the
 * snapshot lane, whose payload is a state snapshot), and the records formats (signed requests, the
 * blob-push frame, envelopes, wrapped keys). Each may only refuse with its documented error class,
 * and what the chain decoders accept must re-encode to the same bytes (one encoding per value).
 */

import { P2PError } from '../../node/p2p/errors.js';
import { DEFAULT_RAFT_CODEC_LIMITS, decodeRaftFrame, encodeRaftFrame } from '../../node/p2p/raft-codec.js';
import { LtHash } from '../../node/state/lthash.js';
import { StoreError } from '../../node/store/errors.js';
import { decodeStateSnapshot, encodeStateSnapshot } from '../../node/store/snapshot.js';
import {
  buildBlock,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
  encodeBlockHeader,
} from '../../protocol/chain/block.js';
import { bytesEqual } from '../../protocol/chain/encoding.js';
import { ChainError } from '../../protocol/chain/errors.js';
import { createSigner, KeyCache } from '../../protocol/chain/keys.js';
import { decodeSignedTx, decodeTxBody, encodeTxBody, signTx } from '../../protocol/chain/tx.js';
import { decodeTxBatch, encodeTxBatch } from '../../protocol/chain/tx-batch.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import { ByteReader, concatBytes, varBytes } from '../../protocol/records/bytes.js';
import { cidOf, sha256Of } from '../../protocol/records/cid.js';
import {
  decodeEnvelope,
  newDataKey,
  openEnvelope,
  sealEnvelope,
  unwrapKey,
  wrapKey,
} from '../../protocol/records/envelope.js';
import { RecordError } from '../../protocol/records/errors.js';
import {
  decodeRequest,
  signReadRequest,
  signUploadRequest,
  verifyRequest,
} from '../../protocol/records/request.js';
import { sampleMessages } from '../integration/p2p/arbitraries.js';
import { inputFrom, type Rand } from './gen.js';
import { type FuzzTarget, invariant, refused } from './target.js';

const CHAIN = 'ehr-fuzz';
const seedOf = (n: number) => new Uint8Array(32).fill(n);
const signers = [1, 2, 3].map((n) => createSigner(seedOf(n)));

function tx(i: number, extra: Partial<SignedTx['body']> = {}): SignedTx {
  const s = signers[i % signers.length]!;
  return signTx(
    {
      chainId: CHAIN,
      sender: s.publicKey,
      nonce: i * 7,
      gasLimit: 100_000,
      contract: 'consent',
      method: 'recordReads',
      args: [new Uint8Array([i, 1, 2]), new Uint8Array(40).fill(i)],
      ...extra,
    },
    s,
  );
}
const txs = [tx(0), tx(1, { args: [] }), tx(2, { nonce: 2 ** 40, contract: 'kv', method: 'put' })];
const header = {
  chainId: CHAIN,
  height: 7,
  parentHash: new Uint8Array(32).fill(9),
  stateHeight: 6,
  stateRoot: new Uint8Array(32).fill(8),
  term: 3,
  time: 1_700_000_000_000,
};
const blocks = [buildBlock(header, txs, signers[0]!), buildBlock(header, [], signers[1]!)];

/** A decoder target: decode, refuse only with `expected`, and (if `canonical`) re-encode identically. */
function decoder(
  name: string,
  weight: number,
  seeds: readonly Uint8Array[],
  decode: (b: Uint8Array) => Uint8Array | undefined,
  expected: readonly (abstract new (...a: never[]) => Error)[],
): FuzzTarget {
  return {
    name,
    weight,
    run(r: Rand) {
      const input = inputFrom(r, seeds);
      let out: Uint8Array | undefined;
      try {
        out = decode(input);
      } catch (err) {
        return refused(err, ...expected);
      }
      if (out !== undefined)
        invariant(bytesEqual(out, input), `${name}: accepted bytes re-encode differently`);
      return true;
    },
  };
}

const signedTxBytes = (t: SignedTx) => concatBytes(encodeTxBody(t.body), t.signature);

const raftFrames = sampleMessages('node-a', 'node-b', 5).map((msg) => encodeRaftFrame({ msg }));
const snapshotEntries: [Uint8Array, Uint8Array][] = [
  [new Uint8Array([1, 2]), new Uint8Array([3])],
  [new Uint8Array([1, 3]), new Uint8Array(40).fill(4)],
];
const snapshotHash = new LtHash();
for (const [k, v] of snapshotEntries) snapshotHash.add(k, v);
const snapshotData = encodeStateSnapshot({
  height: 3,
  appliedIndex: 9,
  root: snapshotHash.root(),
  lastBlockHash: new Uint8Array(32).fill(2),
  genesis: new Uint8Array(32).fill(3),
  entries: snapshotEntries,
});
const snapshotFrames = [
  encodeRaftFrame({
    msg: {
      type: 'snapshot',
      from: 'node-a',
      to: 'node-b',
      term: 4,
      snapshot: {
        meta: { index: 9, term: 3, conf: { voters: ['node-a', 'node-b'], learners: [] } },
        data: snapshotData,
      },
    },
  }),
];
const snapshotLimits = { ...DEFAULT_RAFT_CODEC_LIMITS, maxBytes: 64 * 1024 * 1024 };

const recordId = new Uint8Array(32).fill(5);
const envelope = sealEnvelope(
  new TextEncoder().encode('{"resourceType":"Observation"}'),
  newDataKey(),
  recordId,
  2,
);
const reader = signers[1]!;
const readReq = (time: number) =>
  signReadRequest(
    {
      chainId: CHAIN,
      patient: seedOf(6),
      recordId,
      version: 2,
      purpose: 'TREAT',
      cid: cidOf(envelope).bytes,
      time,
    },
    reader,
  );
const uploadReq = (time: number) =>
  signUploadRequest(
    { chainId: CHAIN, blobHash: sha256Of(envelope), size: envelope.length, time },
    signers[0]!,
  );
const NOW = 1_700_000_000_000;
const requests = [readReq(NOW), uploadReq(NOW), readReq(NOW - 5000)];
const keys = new KeyCache(100);
const wrapped = [
  wrapKey(newDataKey(), reader.publicKey, recordId, 2),
  wrapKey(newDataKey(), signers[0]!.publicKey, recordId, 1),
];

/** The decoder targets. */
export function codecTargets(): FuzzTarget[] {
  return [
    decoder('tx', 3, txs.map(signedTxBytes), (b) => signedTxBytes(decodeSignedTx(b)), [ChainError]),
    decoder(
      'tx-body',
      1,
      txs.map((t) => encodeTxBody(t.body)),
      (b) => encodeTxBody(decodeTxBody(b)),
      [ChainError],
    ),
    decoder('block', 3, blocks.map(encodeBlock), (b) => encodeBlock(decodeBlock(b)), [ChainError]),
    decoder(
      'block-header',
      1,
      blocks.map((b) => encodeBlockHeader(b.header)),
      (b) => encodeBlockHeader(decodeBlockHeader(b)),
      [ChainError],
    ),
    decoder(
      'gossip-tx-batch',
      2,
      [encodeTxBatch(txs.map(signedTxBytes)), encodeTxBatch([signedTxBytes(txs[0]!)])],
      (b) => {
        const batch = decodeTxBatch(b, 64 * 1024, 4096);
        for (const t of batch) decodeSignedTx(t);
        return encodeTxBatch(batch);
      },
      [ChainError],
    ),
    decoder('raft-frame', 4, raftFrames, (b) => void decodeRaftFrame(b), [P2PError]),
    decoder(
      'raft-snapshot-lane',
      2,
      snapshotFrames,
      (b) => {
        const f = decodeRaftFrame(b, snapshotLimits);
        if (f.msg.type === 'snapshot') decodeStateSnapshot(f.msg.snapshot.data);
        return undefined;
      },
      [P2PError, StoreError],
    ),
    decoder('state-snapshot', 1, [snapshotData], (b) => void decodeStateSnapshot(b), [StoreError]),
    decoder(
      'records-request',
      3,
      requests,
      (b) => {
        const q = decodeRequest(b);
        verifyRequest(q, CHAIN, NOW, 60_000, keys);
        return undefined;
      },
      [RecordError],
    ),
    decoder(
      'records-blob-push',
      1,
      [concatBytes(varBytes(uploadReq(NOW)), envelope)],
      (b) => {
        const r = new ByteReader(b, 'push');
        decodeRequest(r.var(1024, 'request'));
        r.rest();
        return undefined;
      },
      [RecordError],
    ),
    decoder('records-envelope', 1, [envelope], (b) => void openEnvelope(decodeEnvelope(b), newDataKey()), [
      RecordError,
    ]),
    decoder('records-wrapped-key', 1, wrapped, (b) => void unwrapKey(b, seedOf(2), recordId, 2), [
      RecordError,
    ]),
  ];
}
