/**
 * consent-mix and records: the plan is consistent (consecutive nonces per actor, every revoke has a
 * grant to target), and short real runs against one network of 3 validator processes (driven with
 * --target and the hospitals' admin key files) commit consent txs with status ok and measure
 * records puts and gets. Never asserts a speed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../cli/bench/bench.js';
import {
  CONSENT_OPS,
  type ConsentShape,
  DEFAULT_CONSENT_MIX,
  OP_CAN_ACCESS,
  OP_REVOKE,
  parseMix,
  revokesPerPatient,
  walkPlan,
} from '../../../cli/bench/consent/plan.js';
import { LocalNetwork } from '../../../cli/bench/network/network.js';
import { parseBenchOptions } from '../../../cli/bench/options.js';

const shape: ConsentShape = { hospitals: 3, patients: 4, doctors: 2, extraAdmins: 1, recordsPerDoctor: 2 };

describe('consent-mix plan', () => {
  it('parses a mix and refuses unknown ops', () => {
    expect(parseMix('grant=40,revoke=10', CONSENT_OPS)).toMatchObject({ grant: 40, revoke: 10, anchor: 0 });
    expect(() => parseMix('grant=40,steal=1', CONSENT_OPS)).toThrow(/steal/);
    expect(() => parseMix('grant=0', CONSENT_OPS)).toThrow(/every weight/);
    expect(() => parseBenchOptions({ workload: 'consent-mix', mix: 'x=1' })).toThrow(/--mix/);
    expect(() => parseBenchOptions({ workload: 'kv', mix: 'grant=1' })).toThrow(/--mix/);
  });

  it('gives each actor consecutive nonces, in one worker, and the mix proportions', () => {
    const owner = new Map<string, number>();
    const nextSeq = new Map<string, number>();
    const counts = [0, 0, 0, 0, 0];
    for (let w = 0; w < 3; w++) {
      walkPlan(shape, DEFAULT_CONSENT_MIX, w, 3, 1000, (p) => {
        counts[p.op] = (counts[p.op] ?? 0) + 1;
        if (p.op === OP_CAN_ACCESS) return;
        const key = `${p.op === 0 ? 'a' : p.op <= OP_REVOKE ? 'p' : 'd'}${p.actor}`;
        expect(owner.get(key) ?? w).toBe(w);
        owner.set(key, w);
        expect(p.seq).toBe(nextSeq.get(key) ?? 0);
        nextSeq.set(key, p.seq + 1);
      });
    }
    expect(counts).toEqual([300, 1200, 300, 900, 300]);
    const revokes = revokesPerPatient(shape, DEFAULT_CONSENT_MIX, 3, 1000);
    expect([...revokes.values()].reduce((a, b) => a + b, 0)).toBe(300);
  });
});

describe('consent-mix and records on 3 validators (--target, --admin-key)', () => {
  let net: LocalNetwork;
  let keys: string[];
  beforeAll(async () => {
    net = await LocalNetwork.create({
      nodes: 3,
      dir: null,
      proxy: false,
      nodeArgs: null,
      blockIntervalMs: null,
    });
    await net.start();
    keys = [1, 2, 3].map((i) => join(net.dir, 'keys', `admin-hospital-${i}.json`));
  }, 120_000);
  afterAll(async () => {
    await net?.stop(false);
  }, 60_000);

  /** A small consent-mix run on the file's network: 3 patients and 2 doctors per hospital, 240 txs. */
  const consentMix = (extra: { rate: number } | { batch: number }) =>
    parseBenchOptions({
      target: net.nodes.map((n) => n.url),
      adminKey: keys,
      workload: 'consent-mix',
      patients: 3,
      doctors: 2,
      duration: '3s',
      count: 240,
      drain: '20s',
      progress: false,
      ...extra,
    });

  it('consent-mix commits register/grant/revoke/anchor with status ok and answers canAccess', async () => {
    const o = consentMix({ rate: 120 });
    const r = await runBench(o);
    const c = r.consent;
    expect(c).toBeDefined();
    if (c === undefined) return;
    expect(c.setup.measured).toBe(false);
    expect(c.setup.reverted).toBe(0);
    expect(c.setup.actors).toEqual({ admins: 12, doctors: 6, patients: 9 });
    expect(r.committed).toBeGreaterThan(0);
    expect(r.reverted).toBe(0);
    expect(r.uncommitted).toBe(0);
    let committed = 0;
    for (const op of ['register', 'grant', 'revoke', 'anchor']) {
      const t = c.ops[op];
      expect(t?.ok, op).toBeGreaterThan(0);
      expect(t?.ok).toBe(t?.committed);
      committed += t?.committed ?? 0;
    }
    expect(committed).toBe(r.committed);
    expect(c.ops.revoke?.sent ?? 0).toBeLessThanOrEqual(c.setup.revocable_grants);
    expect(c.queries.answered).toBeGreaterThan(0);
    expect(c.queries.allowed).toBe(c.queries.answered);
    expect(c.queries.latency_ms.p50).toBeLessThanOrEqual(c.queries.latency_ms.p99);
    // The canAccess queries are not txs: submitted counts txs only.
    expect(r.submitted).toBe(committed);
  }, 90_000);

  it('consent-mix with --batch posts per-node batches and every tx commits ok', async () => {
    const o = consentMix({ batch: 10 });
    const r = await runBench(o);
    expect(r.settings.batch).toBe(10);
    expect(r.reverted).toBe(0);
    expect(r.rejected).toBe(0);
    expect(r.uncommitted).toBe(0);
    expect(r.committed).toBe(r.submitted);
    const ops = r.consent?.ops ?? {};
    const sent = ['register', 'grant', 'revoke', 'anchor'].map((op) => ops[op]?.sent ?? 0);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(r.committed);
    expect(r.consent?.queries.allowed).toBe(r.consent?.queries.answered);
  }, 90_000);

  it('records puts and gets encrypted FHIR records and reports their latencies', async () => {
    const o = parseBenchOptions({
      target: net.nodes.map((n) => n.url),
      adminKey: keys,
      workload: 'records',
      valueBytes: 2000,
      concurrency: 3,
      duration: '3s',
      progress: false,
    });
    const r = await runBench(o);
    const rec = r.records;
    expect(rec).toBeDefined();
    if (rec === undefined) return;
    expect(rec.value_bytes).toBe(2000);
    expect(rec.put.count).toBeGreaterThan(0);
    expect(rec.get.count).toBeGreaterThan(0);
    expect(rec.put.failed + rec.get.failed).toBe(0);
    expect(rec.put.latency_ms.p50).toBeGreaterThan(0);
    expect(rec.get.latency_ms.p50).toBeLessThanOrEqual(rec.get.latency_ms.p99);
    expect(rec.reads_per_s).toBeGreaterThan(0);
    expect(r.committed).toBe(rec.put.count);
  }, 90_000);
});
