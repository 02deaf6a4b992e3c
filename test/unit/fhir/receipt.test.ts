/**
 * Consent receipts: the node side (receipt.ts, signed with jose) checked by the independent
 * verifier (client/receipt.ts, @noble/curves): a good receipt verifies and says what was consented;
 * a tampered payload, a wrong Merkle path, a forged block and a non-validator signer are refused.
 * The receipt of docs/vectors/receipt.json (deterministic: ed25519 signatures are) verifies too.
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { ReceiptError, rootFromPath, verifyReceipt } from '../../../client/receipt.js';
import { merklePath, receiptPayload } from '../../../node/fhir/receipt.js';
import { buildBlock } from '../../../protocol/chain/block.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { privateKeyFromSeed, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { merkleRoot } from '../../../protocol/chain/merkle.js';
import { signTx } from '../../../protocol/chain/tx.js';
import { encodeOp } from '../../../vm/consent/abi.js';

const seed = (n: number) => new Uint8Array(32).fill(n);
const VALIDATOR = seed(1);
const OUTSIDER = seed(9);
const PATIENT = seed(2);
const PATIENT_ID = 'ab'.repeat(32);
const DOCTOR_ID = 'cd'.repeat(32);
const GENESIS = { chainId: 'vectors', validators: [{ publicKey: toHex(publicKeyFromSeed(VALIDATOR)) }] };
const b64u = (s: string) => Buffer.from(s).toString('base64url');

function block(txCount: number, signer: Uint8Array = VALIDATOR) {
  const grant = encodeOp({
    op: 'grant',
    patient: PATIENT_ID,
    grantee: { kind: 'actor', id: DOCTOR_ID },
    actions: ['read'],
    scope: { kind: 'categories', categories: ['lab'] },
    purposes: ['TREAT'],
    start: 1_700_000_000_000,
    end: 1_800_000_000_000,
    exceptions: [],
  });
  const txs = Array.from({ length: txCount }, (_, nonce) =>
    signTx(
      {
        chainId: 'vectors',
        sender: publicKeyFromSeed(PATIENT),
        nonce,
        gasLimit: 1_000_000,
        contract: 'consent',
        method: grant.method,
        args: grant.args,
      },
      PATIENT,
    ),
  );
  const fields = {
    chainId: 'vectors',
    height: 7,
    parentHash: new Uint8Array(32),
    stateHeight: 6,
    stateRoot: new Uint8Array(32),
    term: 2,
    time: 1_700_000_100_000,
  };
  return buildBlock(fields, txs, signer);
}

async function receipt(
  o: { txCount?: number; index?: number; nodeSeed?: Uint8Array; proposer?: Uint8Array<ArrayBuffer> } = {},
) {
  const b = block(o.txCount ?? 5, o.proposer);
  const node = o.nodeSeed ?? VALIDATOR;
  const payload = receiptPayload({
    block: b,
    index: o.index ?? 3,
    facts: {
      patient: PATIENT_ID,
      controller: DOCTOR_ID,
      subject: 4,
      purposes: ['TREAT'],
      period: { start: 1_700_000_000_000, end: 1_800_000_000_000 },
      categories: ['lab'],
    },
    jurisdiction: 'EU',
    signer: toHex(publicKeyFromSeed(node)),
  });
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: 'ehrchain-consent-receipt+jws',
      kid: toHex(publicKeyFromSeed(node)),
    })
    .sign(privateKeyFromSeed(node));
  return { jws, payload };
}

/** Re-signs a modified payload with the validator's key: only the proof can catch it. */
async function resign(payload: object) {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: GENESIS.validators[0]!.publicKey })
    .sign(privateKeyFromSeed(VALIDATOR));
}

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof ReceiptError ? e.code : String(e);
  }
  return 'accepted';
};

describe('consent receipts', () => {
  it('a receipt verifies and says what was consented', async () => {
    const v = verifyReceipt((await receipt()).jws, GENESIS);
    expect(v).toMatchObject({
      op: 'grant',
      patient: PATIENT_ID,
      controllers: [DOCTOR_ID],
      purposes: ['TREAT'],
      categories: ['lab'],
      jurisdiction: 'EU',
      height: 7,
    });
  });

  it('refuses a tampered payload', async () => {
    const { jws } = await receipt();
    const [h, p, s] = jws.split('.');
    const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
    forged.piiPrincipalId = 'ee'.repeat(32);
    expect(code(() => verifyReceipt(`${h}.${b64u(JSON.stringify(forged))}.${s}`, GENESIS))).toBe(
      'bad_signature',
    );
  });

  it('refuses a wrong Merkle path, even signed by a validator', async () => {
    const { payload } = await receipt();
    const path = [...payload.ehrchain.proof.path];
    path[0] = '00'.repeat(32);
    const jws = await resign({
      ...payload,
      ehrchain: { ...payload.ehrchain, proof: { ...payload.ehrchain.proof, path } },
    });
    expect(code(() => verifyReceipt(jws, GENESIS))).toBe('bad_path');
  });

  it('refuses a receipt signed by a node that is not a genesis validator', async () => {
    expect(code(() => verifyReceipt('x', GENESIS))).toBe('malformed');
    return receipt({ nodeSeed: OUTSIDER }).then(({ jws }) =>
      expect(code(() => verifyReceipt(jws, GENESIS))).toBe('unknown_signer'),
    );
  });

  it('refuses a block whose proposer is not a genesis validator', async () => {
    const { payload } = await receipt({ proposer: OUTSIDER });
    const jws = await resign(payload);
    expect(code(() => verifyReceipt(jws, GENESIS))).toBe('not_a_validator');
  });

  it('refuses a receipt whose tx is not the receipt id', async () => {
    const { payload } = await receipt();
    expect(code(() => verifyReceipt('', GENESIS))).toBe('malformed');
    const jws = await resign({ ...payload, consentReceiptID: '11'.repeat(32) });
    expect(code(() => verifyReceipt(jws, GENESIS))).toBe('tx_mismatch');
  });

  it('the Merkle path of every leaf of trees of 1..33 leaves leads to merkleRoot', () => {
    for (let n = 1; n <= 33; n++) {
      const hashes = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i + 1));
      const root = merkleRoot(hashes);
      for (let i = 0; i < n; i++) expect(rootFromPath(hashes[i]!, i, n, merklePath(hashes, i))).toEqual(root);
    }
  });

  it('docs/vectors/receipt.json: the published receipt verifies to the published summary', async () => {
    const file = new URL('../../../docs/vectors/receipt.json', import.meta.url);
    const { jws } = await receipt();
    const want = {
      description:
        'A consent receipt (docs/fhir.md) made by test/unit/fhir/receipt.test.ts from fixed seeds; deterministic.',
      genesis: GENESIS,
      receipt: jws,
      verified: verifyReceipt(jws, GENESIS),
    };
    if (process.env.UPDATE_VECTORS === '1')
      (await import('node:fs')).writeFileSync(file, `${JSON.stringify(want, null, 2)}\n`);
    const vec = JSON.parse(readFileSync(file, 'utf8'));
    expect(vec).toEqual(want);
    expect(verifyReceipt(vec.receipt, vec.genesis)).toEqual(vec.verified);
    expect(hexToBytes(vec.verified.nodeKey)).toHaveLength(32);
  });
});
