/**
 * The `records` workload: encrypted FHIR records through the records client (client/records.ts),
 * in the bench process's main thread.
 *
 * Setup (untimed, real txs): per virtual client one doctor and one patient, registered by the
 * hospitals' admins in turn; the patient grants the doctor read+write (TREAT, all categories).
 * Timed: `clients` closed loops, each its doctor's own: a put (validate, encrypt, PUT /v1/blobs,
 * anchor tx, wait for its receipt) or a get of one of its records (versionInfo query, signed read
 * request, GET /v1/blobs/<cid>, wrappedKey query, unwrap, decrypt, re-validate) in the `--mix`
 * proportion, round-robin over the nodes for gets (a node without the blob fetches it via the DHT).
 * Each client puts first, so gets have something to read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EhrClient } from '../../../client/client.js';
import { RecordsClient } from '../../../client/records.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import { HOUR, treatingGrant } from '../consent/pregen.js';
import { type LatencySummary, summarize } from '../report/latency.js';
import type { LoadRun } from './load.js';
import type { WorkerResult } from './protocol.js';
import { newSetupStats, runSetup, type SetupBatch } from './setup-txs.js';
import { wallNow } from './tracker.js';

/** The records section of the JSON. */
export interface RecordsFigures {
  readonly value_bytes: number;
  readonly clients: number;
  readonly mix: Readonly<Record<string, number>>;
  readonly setup: {
    readonly measured: false;
    readonly txs: number;
    readonly ok: number;
    readonly ms: number;
  };
  readonly put: OpFigures;
  readonly get: OpFigures & { readonly sources: Readonly<Record<string, number>> };
  /** Gets completed per second of the load (reads served, consent checked by the serving node). */
  readonly reads_per_s: number;
  readonly errors: Readonly<Record<string, number>>;
}

interface OpFigures {
  readonly count: number;
  readonly failed: number;
  readonly per_s: number;
  readonly latency_ms: LatencySummary;
}

/** Settings of a records run. */
export interface RecordsRunOptions {
  readonly urls: readonly string[];
  readonly chainId: string;
  readonly adminSeeds: readonly string[];
  readonly clients: number;
  readonly valueBytes: number;
  readonly mix: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly onStart?: (t0: number) => void;
  /** Every 250 ms: puts started (`sent`) and completed (`committed`). */
  readonly onProgress?: (p: { sent: number; committed: number }) => void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A synthetic FHIR Observation whose JSON is about `bytes` long (random filler in a note). */
function syntheticObservation(bytes: number): Record<string, unknown> {
  const filler = randomBytes(Math.max(0, Math.ceil((bytes - 200) * 0.75))).toString('base64');
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'synthetic lab result (bench)' },
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value: 5.4, unit: 'mmol/L' },
    note: [{ text: filler }],
  };
}

/** Runs setup and the timed loop; returns the figures and the puts as a LoadRun (anchors = txs). */
export async function runRecords(r: RecordsRunOptions): Promise<{ figures: RecordsFigures; run: LoadRun }> {
  const seed = randomBytes(8).toString('hex');
  const seedOf = (role: string, i: number) =>
    new Uint8Array(createHash('sha256').update(`ehrchain-bench-records|${seed}|${role}|${i}`).digest());
  const H = r.adminSeeds.length;
  const now = Date.now();
  const stats = newSetupStats();
  // Setup 1: admins register the doctors and patients.
  const regs: SetupBatch[] = [];
  for (let h = 0; h < H; h++) {
    const signer = createSigner(Buffer.from(r.adminSeeds[h] ?? '', 'hex'));
    const res = await fetch(`${r.urls[h % r.urls.length]}/v1/accounts/${hex(signer.publicKey)}`);
    const nonce = ((await res.json()) as { nonce: number }).nonce;
    const calls = [];
    for (let i = h; i < r.clients; i += H) {
      for (const role of ['doctor', 'patient'] as const) {
        const key = hex(createSigner(seedOf(role, i)).publicKey);
        calls.push(
          encodeOp({
            op: 'registerActor',
            publicKey: key,
            role,
            certHash: hex(createHash('sha256').update(key).digest()),
            licenceExpiry: role === 'doctor' ? now + 365 * 24 * HOUR : 0,
          }),
        );
      }
    }
    if (calls.length > 0) regs.push({ signer, nonce, calls });
  }
  await runSetup(r.urls, r.chainId, regs, stats);
  // Setup 2: each patient grants its doctor read+write.
  const grants: SetupBatch[] = Array.from({ length: r.clients }, (_, i) => {
    const patient = createSigner(seedOf('patient', i));
    const doctorKey = hex(createSigner(seedOf('doctor', i)).publicKey);
    return {
      signer: patient,
      nonce: 0,
      calls: [encodeOp(treatingGrant(actorIdOf(hex(patient.publicKey)), actorIdOf(doctorKey), now))],
    };
  });
  await runSetup(r.urls, r.chainId, grants, stats);
  if (stats.reverted > 0)
    throw new Error(`records setup: ${stats.reverted} txs reverted ${JSON.stringify(stats.errors)}`);

  const ehr = r.urls.map((u) => new EhrClient(u));
  const putWeight = r.mix.put ?? 0;
  const getWeight = r.mix.get ?? 0;
  const putLat: number[] = [];
  const getLat: number[] = [];
  const sends: number[] = [];
  const commits: number[] = [];
  const sources: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let putFailed = 0;
  let getFailed = 0;
  const fail = (e: unknown) => {
    const code = (e as { code?: unknown }).code;
    const k = typeof code === 'string' ? code : e instanceof Error ? e.message.slice(0, 60) : 'error';
    errors[k] = (errors[k] ?? 0) + 1;
  };
  const t0 = wallNow() + 50;
  const end = t0 + r.durationMs;
  r.onStart?.(t0);
  let started = 0;
  const progress = setInterval(() => r.onProgress?.({ sent: started, committed: putLat.length }), 250);
  while (wallNow() < t0) await new Promise((res) => setTimeout(res, 5));
  await Promise.all(
    Array.from({ length: r.clients }, async (_, i) => {
      const doctorSeed = seedOf('doctor', i);
      const patientKey = createSigner(seedOf('patient', i)).publicKey;
      const clients = ehr.map((c) => new RecordsClient(c, doctorSeed, r.chainId));
      const writer = clients[i % clients.length];
      if (writer === undefined) return;
      const mine: Uint8Array[] = [];
      const share = putWeight / Math.max(1, putWeight + getWeight);
      // Bounded by the duration (each op ends within the client's timeouts).
      for (let n = 0; wallNow() < end; n++) {
        // Op n is a put when the running put share steps up (evenly spread), or nothing is stored yet.
        if (mine.length === 0 || Math.floor((n + 1) * share) > Math.floor(n * share)) {
          const t = wallNow();
          started++;
          try {
            const res = await writer.put({
              patientKey,
              resource: syntheticObservation(r.valueBytes),
              category: 'lab',
            });
            const done = wallNow();
            putLat.push(done - t);
            sends.push(t);
            commits.push(done);
            mine.push(Buffer.from(res.recordId, 'hex'));
          } catch (e) {
            putFailed++;
            fail(e);
          }
          continue;
        }
        // The newest record is read through the writer's node (it answered the anchor's receipt, so
        // it has applied it); older ones through the nodes in turn (others may lag by a block).
        const ri = n % mine.length;
        const reader = ri === mine.length - 1 ? writer : clients[(i + n) % clients.length];
        const rec = mine[ri];
        if (reader === undefined || rec === undefined) continue;
        const t = wallNow();
        try {
          const got = await reader.get(rec, { version: 1 });
          getLat.push(wallNow() - t);
          const src = got.source.split(':')[0] ?? '';
          sources[src] = (sources[src] ?? 0) + 1;
        } catch (e) {
          getFailed++;
          fail(e);
        }
      }
    }),
  ).finally(() => clearInterval(progress));
  const seconds = r.durationMs / 1000;
  const op = (lat: number[], failed: number): OpFigures => ({
    count: lat.length,
    failed,
    per_s: Math.round((lat.length / seconds) * 100) / 100,
    latency_ms: summarize(lat),
  });
  const nan = () => new Float64Array(sends.length).fill(Number.NaN);
  const result: WorkerResult = {
    type: 'done',
    id: 0,
    sent: sends.length,
    pregenMs: 0,
    tSend: Float64Array.from(sends),
    tAccept: nan(),
    tCommit: Float64Array.from(commits),
    tBlock: nan(),
    tDue: nan(),
    rejected: 0,
    failed: putFailed,
    busyRetries: 0,
    reverted: 0,
    rejectCodes: {},
    caughtUp: 0,
    reconnects: 0,
    exhausted: false,
  };
  return {
    figures: {
      value_bytes: r.valueBytes,
      clients: r.clients,
      mix: r.mix,
      setup: { measured: false, txs: stats.txs, ok: stats.ok, ms: stats.ms },
      put: op(putLat, putFailed),
      get: { ...op(getLat, getFailed), sources },
      reads_per_s: Math.round((getLat.length / seconds) * 100) / 100,
      errors,
    },
    run: { t0, results: [result], pregenMs: 0, pregenTxs: 0 },
  };
}
