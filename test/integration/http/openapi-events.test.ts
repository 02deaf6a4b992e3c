/**
 * The server-sent events keep the published contract: on a real node, every event `GET /v1/events`
 * sends (block, leader, receipts) and every event `GET /v1/events?actor=` sends (the consent events
 * of a request, its approval, a new version and a recorded read; a `reset` on a resume it cannot
 * serve whole) has a schema in docs/openapi.json's `x-events`, and its data validates against it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainNode } from '../../../node/node.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { decodeInt } from '../../../vm/abi.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';
import { tx } from '../node/bad-input-cases.js';
import { type Actor, actorOf, hospitalAdmin, runOp } from '../notify/setup.js';

const HOUR = 3_600_000;
const doc = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, object> };
  paths: { '/v1/events': { get: { 'x-events': Record<string, { $ref: string }> } } };
};
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(doc, 'openapi');
const validators = new Map<string, ValidateFunction>();

const inproc = (t: TestNode): ChainNode => {
  if (t.node === null) throw new Error(`${t.name} is not running in process`);
  return t.node;
};

/** The errors of one event's data against its published schema (or that it has none). */
function check(type: string, data: unknown): string[] {
  const ref = doc.paths['/v1/events'].get['x-events'][type]?.$ref;
  if (ref === undefined) return [`event ${type}: no schema in x-events`];
  const v = validators.get(ref) ?? ajv.getSchema(`openapi${ref}`);
  if (v === undefined) return [`event ${type}: ${ref} does not resolve`];
  validators.set(ref, v);
  return v(data) ? [] : (v.errors ?? []).map((e) => `${type}: ${e.instancePath} ${e.message}`);
}

interface Frame {
  readonly type: string;
  readonly data: unknown;
}

/** Reads one SSE stream's frames (`event:` + `data:`) until stopped. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const frames: Frame[] = [];
  const done = (async () => {
    const res = await fetch(url, { headers, signal: abort.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const lines = buf.slice(0, end).split('\n');
        buf = buf.slice(end + 2);
        const type = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (type !== undefined && data !== undefined) frames.push({ type, data: JSON.parse(data) });
      }
    }
  })().catch((e: unknown) => {
    if (!abort.signal.aborted) throw e;
  });
  return { frames, stop: () => abort.abort(), done };
}

describe('every SSE event a real node sends validates against docs/openapi.json', () => {
  let net: Network;
  const streams: ReturnType<typeof openStream>[] = [];
  const follow = (path: string, headers?: Record<string, string>) => {
    const s = openStream(`${net.node(0).url}${path}`, headers);
    streams.push(s);
    return s;
  };
  const actor = (seed: Uint8Array): Actor => actorOf(net, seed);
  const run = (who: Actor, op: ConsentOp) => runOp(net, who, op);
  const typesOf = (s: ReturnType<typeof openStream>) => s.frames.map((f) => f.type);

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc', start: false });
    // A small replay bound on node 0 (the streams' node): a resume from the first event gets a `too_many` reset.
    const file = join(net.node(0).home, 'config.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    config.notify = { maxReplay: 1 };
    await writeFile(file, JSON.stringify(config));
    await net.startAll();
    await net.waitLeader();
  }, 60_000);
  afterAll(async () => {
    for (const s of streams) s.stop();
    await net?.cleanup();
  }, 60_000);

  it('the block and receipts events of a kv tx', async () => {
    const chain = follow('/v1/events?receipts=true');
    const kv = tx(net.chainId, 'sse-alice');
    await net.node(0).client.submit(kv);
    await net.node(0).client.waitForReceipt(toHex(kv.hash), { timeoutMs: 20_000 });
    const hash = toHex(kv.hash);
    await waitFor(
      () => chain.frames.some((f) => f.type === 'receipts' && JSON.stringify(f.data).includes(hash)),
      'the kv tx in a receipts event',
    );
    expect(new Set(typesOf(chain))).toEqual(new Set(['block', 'receipts']));
    for (const f of chain.frames) expect(check(f.type, f.data), f.type).toEqual([]);
  });

  it('the leader event of a leader change', async () => {
    const chain = follow('/v1/events');
    const leader = inproc(await net.waitLeader());
    const target = inproc(net.node(leader === net.node(0).node ? 1 : 0));
    leader.raft.transferLeadership(target.nodeId);
    await waitFor(() => typesOf(chain).includes('leader'), 'a leader event');
    for (const f of chain.frames) expect(check(f.type, f.data), f.type).toEqual([]);
  }, 60_000);

  it('the actor events of a request, its approval, a new version and a read; and reset', async () => {
    const admin = await hospitalAdmin(net);
    const [patient, doctor, serving] = [0, 1, 2].map(() => actor(new Uint8Array(randomBytes(32)))) as [
      Actor,
      Actor,
      Actor,
    ];
    for (const [who, role] of [
      [patient, 'patient'],
      [doctor, 'doctor'],
      [serving, 'node'],
    ] as const) {
      await run(admin, {
        op: 'registerActor',
        publicKey: who.key,
        role,
        certHash: toHex(new Uint8Array(randomBytes(32))),
        licenceExpiry: role === 'doctor' ? Date.now() + 365 * 24 * HOUR : 0,
      });
    }
    const patientStream = follow(`/v1/events?actor=${patient.id}`);
    const doctorStream = follow(`/v1/events?actor=${doctor.id}`);
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
    await run(patient, { op: 'approveRequest', requestId: decodeInt(fromHex(req.receipt!.returnData)) });
    const recordId = toHex(new Uint8Array(randomBytes(32)));
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
      reads: [{ reader: doctor.id, patient: patient.id, recordId, version: 1, purpose: 'TREAT', at: now }],
    });
    await waitFor(
      () =>
        ['request.received', 'record.version', 'record.read'].every((t) =>
          typesOf(patientStream).includes(t),
        ),
      "the patient's events",
    );
    await waitFor(() => typesOf(doctorStream).includes('request.approved'), "the doctor's approval");

    // A resume from the patient's first event replays more than maxReplay (1): a `too_many` reset;
    // a Last-Event-ID that is no event id: a `too_old` one.
    const first = patientStream.frames[0]?.data as { id: string };
    const tooMany = follow(`/v1/events?actor=${patient.id}&since=${first.id}`);
    const tooOld = follow(`/v1/events?actor=${patient.id}`, { 'last-event-id': 'not-an-event-id' });
    await waitFor(() => typesOf(tooMany).includes('reset') && typesOf(tooOld).includes('reset'), 'resets');
    expect(tooMany.frames[0]?.data).toMatchObject({ reason: 'too_many', since: first.id });
    expect(tooOld.frames[0]?.data).toMatchObject({ reason: 'too_old', from: null });

    const all = [...patientStream.frames, ...doctorStream.frames, ...tooMany.frames, ...tooOld.frames];
    for (const f of all) expect(check(f.type, f.data), f.type).toEqual([]);
  }, 120_000);

  it('an event type without a schema fails the check', () => {
    expect(check('no.such.event', {})).toEqual(['event no.such.event: no schema in x-events']);
  });
});
