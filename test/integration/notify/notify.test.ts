/**
 * Notifications end to end on 3 validators, through HTTP only: a doctor's access request, the
 * patient's approval, a new version, a read recorded by a serving node and an attestation reach
 * the right person's stream (`GET /v1/events?actor=`) and nobody else's; a resume with
 * Last-Event-ID replays what was missed; a webhook subscriber that is down, across a restart of
 * the node that serves it, receives every delivery once it is back, each once, correctly signed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EhrClient } from '../../../client/client.js';
import type { TxView } from '../../../protocol/api.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import type { ActorEvent } from '../../../protocol/notify.js';
import { decodeInt } from '../../../vm/abi.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import { createNetwork, freePorts, type Network, waitFor } from '../../helpers/network.js';
import { type Actor, actorOf, follow, HOUR, hex32, hospitalAdmin, runOp, types } from './setup.js';

const SECRET = 'test-webhook-secret-0123456789';
const cert = hex32;
const rid = hex32;

/** A webhook receiver on 127.0.0.1 that can be down (not listening) for a while. */
class Receiver {
  readonly received: { id: string; event: ActorEvent; signatureOk: boolean }[] = [];
  #server: Server | null = null;
  constructor(readonly port: number) {}

  async up(): Promise<void> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const sig = String(req.headers['ehrchain-signature'] ?? '');
        const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
        const expected = m && createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest('hex');
        const parsed = JSON.parse(body) as { id: string; event: ActorEvent };
        expect(req.headers['ehrchain-delivery']).toBe(parsed.id);
        this.received.push({ ...parsed, signatureOk: m !== null && expected === m[2] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.#server?.listen(this.port, '127.0.0.1', r));
  }

  async down(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s !== null) await new Promise<void>((r) => s.close(() => r()));
  }
}

describe('notifications of consent events on 3 validators', () => {
  let net: Network;
  let receiver: Receiver;
  let admin: Actor;
  let patient: Actor;
  let other: Actor;
  let doctor: Actor;
  let serving: Actor;
  const client = (i: number): EhrClient => net.node(i).client;
  let patientStream: ReturnType<typeof follow>;
  let doctorStream: ReturnType<typeof follow>;
  let otherStream: ReturnType<typeof follow>;
  let recordId: string;

  const actor = (seed: Uint8Array): Actor => actorOf(net, seed);

  const run = (who: Actor, op: ConsentOp, node = 0): Promise<TxView> => runOp(net, who, op, node);

  beforeAll(async () => {
    const [port] = await freePorts(1);
    receiver = new Receiver(port!);
    net = await createNetwork({ nodes: 3, mode: 'inproc', start: false });
    // Only node 0 serves the hospital system's webhook.
    const file = join(net.node(0).home, 'config.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    config.notify = {
      webhooks: [{ url: `http://127.0.0.1:${port}/hook`, secret: SECRET }],
      webhook: { minBackoffMs: 50, maxBackoffMs: 300 },
    };
    await writeFile(file, JSON.stringify(config));
    await net.startAll();
    await net.waitLeader();
    admin = await hospitalAdmin(net);
    patient = actor(new Uint8Array(randomBytes(32)));
    other = actor(new Uint8Array(randomBytes(32)));
    doctor = actor(new Uint8Array(randomBytes(32)));
    serving = actor(new Uint8Array(randomBytes(32)));
  }, 120_000);

  afterAll(async () => {
    for (const s of [patientStream, doctorStream, otherStream]) s?.stop();
    await receiver?.down();
    await net?.cleanup();
  }, 60_000);

  it('registers a patient, another patient, a doctor and a serving node', async () => {
    const licence = Date.now() + 365 * 24 * HOUR;
    for (const [who, role] of [
      [patient, 'patient'],
      [other, 'patient'],
      [doctor, 'doctor'],
      [serving, 'node'],
    ] as const) {
      await run(admin, {
        op: 'registerActor',
        publicKey: who.key,
        role,
        certHash: cert(),
        licenceExpiry: role === 'doctor' ? licence : 0,
      });
    }
    patientStream = follow(client(1), patient.id);
    doctorStream = follow(client(2), doctor.id);
    otherStream = follow(client(1), other.id);
  });

  it('delivers a request, its approval, a new version, a read and an attestation to the right person', async () => {
    const now = Date.now();
    const req = await run(doctor, {
      op: 'requestAccess',
      patient: patient.id,
      actions: ['read', 'write'],
      scope: { kind: 'all' },
      purposes: ['TREAT'],
      start: now - HOUR,
      end: now + 48 * HOUR,
      exceptions: [],
      reason: 'referral',
      expiresAt: 0,
    });
    const requestId = decodeInt(fromHex(req.receipt!.returnData));
    await waitFor(() => types(patientStream.events).includes('request.received'), 'request.received');

    await run(patient, { op: 'approveRequest', requestId }, 1);
    recordId = rid();
    await run(doctor, {
      op: 'anchor',
      patient: patient.id,
      recordId,
      previous: 0,
      cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
      category: 'lab',
      keys: [{ reader: patient.id, key: toHex(new Uint8Array(randomBytes(48))) }],
    });
    await run(serving, {
      op: 'recordReads',
      reads: [
        {
          reader: doctor.id,
          patient: patient.id,
          recordId,
          version: 1,
          purpose: 'TREAT',
          at: Date.now() - 1000,
        },
      ],
    });
    await run(patient, { op: 'attest', recordId, version: 1, kind: 'patient-confirmed' }, 2);

    await waitFor(() => types(patientStream.events).includes('record.attested'), 'record.attested', 30_000);
    expect(types(patientStream.events)).toEqual([
      'request.received',
      'grant.given',
      'record.version',
      'record.read',
      'record.attested',
    ]);
    const read = patientStream.events.find((e) => e.type === 'record.read');
    expect(read).toMatchObject({ by: doctor.id, recordId, version: 1, purpose: 'TREAT', via: serving.id });
    expect(patientStream.events.every((e) => e.actor === patient.id)).toBe(true);

    await waitFor(() => types(doctorStream.events).includes('request.approved'), 'request.approved');
    expect(types(doctorStream.events)).toEqual(['request.approved', 'grant.given']);
    expect(doctorStream.events[0]).toMatchObject({ requestId, as: 'requester' });
  }, 120_000);

  it('tells nobody else: the other patient heard nothing', () => {
    expect(otherStream.events).toEqual([]);
  });

  it('a resume with Last-Event-ID replays what was missed, in order, on another node', async () => {
    const first = patientStream.events[0]!;
    const resumed = follow(client(0), patient.id, first.id);
    await waitFor(() => resumed.events.length >= patientStream.events.length - 1, 'the replay');
    resumed.stop();
    expect(resumed.events.map((e) => e.id)).toEqual(patientStream.events.slice(1).map((e) => e.id));
  });

  it('a webhook subscriber down across a node restart gets every event once it is back, each once, signed', async () => {
    // Node 0 restarts while the subscriber is still down; its outbox survives on disk.
    await net.node(0).stop();
    await run(
      doctor,
      {
        op: 'anchor',
        patient: patient.id,
        recordId,
        previous: 1,
        cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
        category: 'lab',
        keys: [{ reader: patient.id, key: toHex(new Uint8Array(randomBytes(48))) }],
      },
      1,
    );
    await waitFor(() => patientStream.events.length === 6, 'the version anchored while node 0 was down');
    await net.node(0).start();
    await receiver.up();
    const expected = () => [...patientStream.events, ...doctorStream.events].map((e) => `${e.actor}/${e.id}`);
    await waitFor(
      () => {
        const got = new Set(receiver.received.map((r) => `${r.event.actor}/${r.event.id}`));
        return expected().every((k) => got.has(k));
      },
      'every patient and doctor event delivered',
      60_000,
    );
    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    // In order per subscriber: the chain's order.
    const heights = receiver.received.map((r) => r.event.height);
    expect(heights).toEqual([...heights].sort((a, b) => a - b));
  }, 120_000);
});
