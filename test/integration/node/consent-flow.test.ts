/**
 * The consent contract end to end on a real 3-validator network, through the HTTP API only: an
 * admin registers a patient and two doctors, the patient grants and revokes, a doctor anchors a
 * record, a two-party emergency access is requested and co-signed, and every node answers the
 * canAccess query and the audit trail identically.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account, type EhrClient } from '../../../client/client.js';
import { readKeyFile } from '../../../client/keyfile.js';
import type { TxView } from '../../../protocol/api.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { decodeInt, encodeInt } from '../../../vm/abi.js';
import { decodeDecision, encodeCanAccess, encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { Purpose } from '../../../vm/consent/types.js';
import { sameChain } from '../../helpers/chain-check.js';
import { createNetwork, type Network } from '../../helpers/network.js';

const HOUR = 3_600_000;
const cert = () => toHex(new Uint8Array(randomBytes(32)));

interface Actor {
  readonly account: Account;
  readonly id: string;
  readonly key: string;
}

describe('consent flow through the HTTP API on 3 validators', () => {
  let net: Network;
  let admin: Actor;
  let patient: Actor;
  let doctorA: Actor;
  let doctorB: Actor;
  const client = (i: number): EhrClient => net.node(i).client;

  const actor = (seed: Uint8Array, chainId: string): Actor => {
    const key = toHex(publicKeyFromSeed(seed));
    return { account: new Account(seed, chainId), id: actorIdOf(key), key };
  };

  async function run(who: Actor, op: ConsentOp, node = 0): Promise<TxView> {
    const c = encodeOp(op);
    return who.account.call(client(node), 'consent', c.method, c.args, { timeoutMs: 30_000 });
  }

  async function canAccess(node: number, who: Actor, purpose: Purpose, at = Date.now()) {
    const q = encodeCanAccess(who.id, patient.id, { kind: 'category', category: 'lab' }, 'read', purpose, at);
    const r = await client(node).query('consent', q.method, q.args);
    expect(r.status).toBe('ok');
    return decodeDecision(fromHex(r.returnData));
  }

  /** The same answer from every validator: consent is enforced identically everywhere. */
  async function canAccessEverywhere(who: Actor, purpose: Purpose) {
    const at = Date.now();
    const answers = await Promise.all([0, 1, 2].map((n) => canAccess(n, who, purpose, at)));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    return answers[0]!;
  }

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
    const chainId = net.chainId;
    const adminKey = await readKeyFile(join(net.dir, 'keys', 'admin-hospital-1.json'));
    admin = actor(adminKey.seed, chainId);
    patient = actor(new Uint8Array(randomBytes(32)), chainId);
    doctorA = actor(new Uint8Array(randomBytes(32)), chainId);
    doctorB = actor(new Uint8Array(randomBytes(32)), chainId);
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it('registers a patient and two doctors (admin of hospital-1)', async () => {
    const licence = Date.now() + 365 * 24 * HOUR;
    for (const [who, role] of [
      [patient, 'patient'],
      [doctorA, 'doctor'],
      [doctorB, 'doctor'],
    ] as const) {
      const tx = await run(admin, {
        op: 'registerActor',
        publicKey: who.key,
        role,
        certHash: cert(),
        licenceExpiry: role === 'patient' ? 0 : licence,
      });
      expect(tx.receipt?.status, tx.receipt?.error).toBe('ok');
    }
  });

  it('refuses a patient registering actors (the caller comes from the signature)', async () => {
    const tx = await run(patient, {
      op: 'registerActor',
      publicKey: toHex(new Uint8Array(randomBytes(32))),
      role: 'doctor',
      certHash: cert(),
      licenceExpiry: Date.now() + HOUR,
    });
    expect(tx.receipt?.status).toBe('reverted');
  });

  it('grants, anchors, revokes: canAccess follows on every node', async () => {
    expect((await canAccessEverywhere(doctorA, 'TREAT')).allowed).toBe(false);
    const grant = await run(
      patient,
      {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'actor', id: doctorA.id },
        actions: ['read', 'write'],
        scope: { kind: 'categories', categories: ['lab'] },
        purposes: ['TREAT'],
        start: Date.now() - HOUR,
        end: Date.now() + 24 * HOUR,
        exceptions: [],
      },
      1,
    );
    expect(grant.receipt?.status, grant.receipt?.error).toBe('ok');
    const grantId = decodeInt(fromHex(grant.receipt!.returnData));
    expect(await canAccessEverywhere(doctorA, 'TREAT')).toEqual({ allowed: true, reason: 'granted' });
    expect((await canAccessEverywhere(doctorA, 'HRESCH')).allowed).toBe(false);

    const anchor = await run(
      doctorA,
      {
        op: 'anchor',
        patient: patient.id,
        recordId: toHex(new Uint8Array(randomBytes(32))),
        previous: 0,
        cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
        category: 'lab',
        keys: [{ reader: patient.id, key: toHex(new Uint8Array(randomBytes(48))) }],
      },
      2,
    );
    expect(anchor.receipt?.status, anchor.receipt?.error).toBe('ok');

    const revoke = await run(patient, { op: 'revoke', grantId });
    expect(revoke.receipt?.status, revoke.receipt?.error).toBe('ok');
    const after = await canAccessEverywhere(doctorA, 'TREAT');
    expect(after.allowed).toBe(false);
  });

  it('emergency access needs a co-signer of the same organisation, then is allowed and audited', async () => {
    const req = await run(doctorA, {
      op: 'requestEmergency',
      patient: patient.id,
      reason: 'unconscious',
      durationMs: HOUR,
    });
    expect(req.receipt?.status, req.receipt?.error).toBe('ok');
    const emergencyId = decodeInt(fromHex(req.receipt!.returnData));
    expect((await canAccessEverywhere(doctorA, 'ETREAT')).allowed).toBe(false);

    const selfCosign = await run(doctorA, { op: 'cosignEmergency', emergencyId });
    expect(selfCosign.receipt?.status).toBe('reverted');
    const cosign = await run(doctorB, { op: 'cosignEmergency', emergencyId }, 1);
    expect(cosign.receipt?.status, cosign.receipt?.error).toBe('ok');
    expect(await canAccessEverywhere(doctorA, 'ETREAT')).toEqual({ allowed: true, reason: 'emergency' });

    // The patient's audit trail records the whole story, identically on every node.
    const lengths = await Promise.all(
      [0, 1, 2].map(async (n) => {
        const r = await client(n).query('consent', 'trailLength', [fromHex(patient.id)]);
        return decodeInt(fromHex(r.returnData));
      }),
    );
    expect(new Set(lengths).size).toBe(1);
    expect(lengths[0]).toBeGreaterThanOrEqual(5);
    const entries = await Promise.all(
      Array.from({ length: lengths[0]! }, (_, i) =>
        client(0).query('consent', 'trailEntry', [fromHex(patient.id), encodeInt(i)]),
      ),
    );
    const text = entries.map((e) => Buffer.from(e.returnData, 'hex').toString('latin1')).join('|');
    for (const op of ['grant', 'anchor', 'revoke', 'requestEmergency', 'cosignEmergency'])
      expect(text).toContain(op);
  });

  it('every node holds the same chain and state root after the flow', async () => {
    const head = await sameChain(net.nodes);
    expect(head.height).toBeGreaterThan(0);
  });
});
