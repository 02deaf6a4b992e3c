/**
 * Generates the published test vectors (docs/vectors/*.json) from the code. Every seed here is a
 * SYNTHETIC TEST SEED (counting bytes, or RFC 8032's published test key): never use them for
 * anything real. Run `node --import tsx test/unit/chain/vectors.ts --write` to rewrite the JSON files;
 * test/unit/chain/vectors.test.ts checks that the code still reproduces them exactly.
 */
import { writeFileSync } from 'node:fs';
import { buildBlock, encodeBlock, encodeBlockHeader } from '../../../protocol/chain/block.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { HEADER_HASH_DOMAIN, sha256, TX_HASH_DOMAIN } from '../../../protocol/chain/hash.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { merkleLeaf, merkleRoot } from '../../../protocol/chain/merkle.js';
import { encodeTxBody, signTx } from '../../../protocol/chain/tx.js';
import type { TxBody } from '../../../protocol/chain/types.js';
import { batchVector, signatureVectors } from './signature-vectors.js';

const counting = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => start + i);

/** TEST ONLY: bytes 0x00..0x1f. */
const SENDER_SEED = counting(0x00);
/** TEST ONLY: bytes 0x20..0x3f. */
const PROPOSER_SEED = counting(0x20);
/** RFC 8032 section 7.1, TEST 1 secret key (public, for cross-checking ed25519). */
const RFC8032_SEED = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');

/** A tx body in JSON: byte fields as lower-case hex. */
export interface TxBodyJson {
  chainId: string;
  sender: string;
  nonce: number;
  gasLimit: number;
  contract: string;
  method: string;
  args: string[];
}

/** Converts a JSON tx body to a TxBody. */
export function txBodyFromJson(j: TxBodyJson): TxBody {
  return { ...j, sender: fromHex(j.sender), args: j.args.map(fromHex) };
}

/** All vector files, by file name. */
export function generateVectors(): Record<string, unknown> {
  const sender = createSigner(SENDER_SEED);
  const proposer = createSigner(PROPOSER_SEED);
  const keys = {
    note: 'Synthetic test seeds; never use them for real keys. ed25519 (RFC 8032); public key = raw 32 bytes.',
    keys: [
      { name: 'sender (bytes 0x00..0x1f)', seed: toHex(SENDER_SEED), publicKey: toHex(sender.publicKey) },
      {
        name: 'proposer (bytes 0x20..0x3f)',
        seed: toHex(PROPOSER_SEED),
        publicKey: toHex(proposer.publicKey),
      },
      {
        name: 'RFC 8032 7.1 TEST 1',
        seed: toHex(RFC8032_SEED),
        publicKey: toHex(createSigner(RFC8032_SEED).publicKey),
      },
    ],
  };

  const bodies: TxBody[] = [
    {
      chainId: 'ehrchain-test',
      sender: sender.publicKey,
      nonce: 0,
      gasLimit: 100_000,
      contract: 'consent',
      method: 'grant',
      args: [
        new TextEncoder().encode('patient-1'),
        new Uint8Array(0),
        new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      ],
    },
    {
      chainId: 'ehrchain-test',
      sender: sender.publicKey,
      nonce: 2 ** 53 - 1,
      gasLimit: 1,
      contract: 'kv',
      method: 'noop',
      args: [],
    },
    {
      chainId: 'ehrchain-test',
      sender: sender.publicKey,
      nonce: 1,
      gasLimit: 2 ** 32,
      contract: 'kv',
      method: 'put',
      args: [new Uint8Array([0x01])],
    },
  ];
  const txs = bodies.map((b) => signTx(b, sender));
  const tx = {
    note: 'hash = sha256(hashDomain || bodyHex); signature = ed25519(sender seed, hash); signedTx = bodyHex || signature.',
    senderSeed: toHex(SENDER_SEED),
    hashDomain: toHex(TX_HASH_DOMAIN),
    txs: txs.map((t) => ({
      body: {
        chainId: t.body.chainId,
        sender: toHex(t.body.sender),
        nonce: t.body.nonce,
        gasLimit: t.body.gasLimit,
        contract: t.body.contract,
        method: t.body.method,
        args: t.body.args.map(toHex),
      },
      bodyHex: toHex(encodeTxBody(t.body)),
      hash: toHex(t.hash),
      signature: toHex(t.signature),
      signedTx: toHex(t.bytes),
    })),
  };

  const block = buildBlock(
    {
      chainId: 'ehrchain-test',
      height: 1,
      parentHash: new Uint8Array(32),
      stateHeight: 0,
      stateRoot: sha256(new TextEncoder().encode('genesis state (test vector)')),
      term: 1,
      time: 1_735_689_600_000,
    },
    txs,
    proposer,
  );
  const h = block.header;
  const header = {
    note: 'hash = sha256(hashDomain || headerHex); signature = ed25519(proposer seed, hash); txRoot over the three txs of tx.json.',
    proposerSeed: toHex(PROPOSER_SEED),
    hashDomain: toHex(HEADER_HASH_DOMAIN),
    header: {
      chainId: h.chainId,
      height: h.height,
      parentHash: toHex(h.parentHash),
      txRoot: toHex(h.txRoot),
      stateHeight: h.stateHeight,
      stateRoot: toHex(h.stateRoot),
      proposer: toHex(h.proposer),
      term: h.term,
      time: h.time,
      txCount: h.txCount,
    },
    headerHex: toHex(encodeBlockHeader(h)),
    hash: toHex(block.hash),
    signature: toHex(block.signature),
    blockHex: toHex(encodeBlock(block)),
  };

  const leaves = ['a', 'b', 'c', 'd', 'e'].map((s) => sha256(new TextEncoder().encode(s)));
  const merkle = {
    note: 'leaf = sha256(0x00 || d); node = sha256(0x01 || l || r); empty = sha256(""); RFC 6962, no duplication.',
    leaves: leaves.slice(0, 3).map(toHex),
    leafHashes: leaves.slice(0, 3).map((l) => toHex(merkleLeaf(l))),
    root: toHex(merkleRoot(leaves.slice(0, 3))),
    rootsByCount: [0, 1, 2, 3, 4, 5].map((n) => ({
      leaves: leaves.slice(0, n).map(toHex),
      root: toHex(merkleRoot(leaves.slice(0, n))),
    })),
  };

  return {
    'keys.json': keys,
    'tx.json': tx,
    'header.json': header,
    'merkle.json': merkle,
    'signatures.json': signatureVectors(SENDER_SEED),
    'batch.json': batchVector(tx.txs.map((t) => t.signedTx)),
  };
}

if (process.argv.includes('--write')) {
  for (const [name, v] of Object.entries(generateVectors())) {
    writeFileSync(
      new URL(`../../../docs/vectors/${name}`, import.meta.url),
      `${JSON.stringify(v, null, 2)}\n`,
    );
  }
  console.log('wrote docs/vectors/*.json');
}
