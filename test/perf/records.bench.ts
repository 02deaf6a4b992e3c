/**
 * Encrypted records on a 3-validator in-process network (real libp2p, LevelDB, HTTP):
 *   put latency (validate, encrypt, upload + replicate + DHT provide, anchor tx committed),
 *   get latency through a node that holds the blob (local) and one that does not (DHT lookup +
 *   forwarded fetch), for 10 KB and 1 MB FHIR records; DHT findProviders time; reads served per
 *   second with consent checks (concurrent signed reads of a 10 KB record, median of runs).
 *
 *   node --import tsx test/perf/records.bench.ts [--json] [--runs 3] [--puts 20] [--seconds 5] [--concurrency 32]
 *
 * Prints figures and the load average; never passes or fails on time.
 */
import '../../node/polyfill.js';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { RecordsClient } from '../../client/records.js';
import { fromHex } from '../../protocol/chain/encoding.js';
import { parseBlobCid } from '../../protocol/records/cid.js';
import { createNetwork } from '../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from '../integration/records/world.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    puts: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
  },
});
const RUNS = Number(values.runs);
const PUTS = Number(values.puts);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number) => Math.round(x * 10) / 10;

/** A FHIR Binary whose JSON is about `bytes` long (synthetic random content). */
const binaryOf = (bytes: number) => ({
  resourceType: 'Binary',
  contentType: 'application/octet-stream',
  data: Buffer.from(randomBytes(Math.floor((bytes - 80) * 0.75))).toString('base64'),
});

async function main(): Promise<void> {
  const load0 = loadavg();
  const net = await createNetwork({ nodes: 3, mode: 'inproc' });
  const out: Record<string, number> = {};
  try {
    await net.waitLeader();
    const w = await new RecordsWorld(net).init();
    const patient = await w.register('patient');
    const author = await w.register('doctor');
    const reader = await w.register('doctor');
    for (const [who, actions] of [
      [author, ['read', 'write']],
      [reader, ['read']],
    ] as const) {
      await w.run(w.client(patient, 0).account, {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'actor', id: (who as Actor).id },
        actions: [...actions],
        scope: { kind: 'all' },
        purposes: ['TREAT'],
        start: Date.now() - HOUR,
        end: Date.now() + 24 * HOUR,
        exceptions: [],
      });
    }
    const writer = w.client(author, 0);
    const readers = [0, 1, 2].map((i) => w.client(reader, i));
    // Warm up (FHIR definitions index, connections, DHT tables).
    const warm = await writer.put({
      patientKey: patient.key,
      resource: binaryOf(1000),
      category: 'lab',
      readerKeys: [reader.key],
    });
    await readers[1]!.get(fromHex(warm.recordId));

    for (const [label, size, n] of [
      ['10kb', 10_000, PUTS],
      ['1mb', 1_000_000, Math.max(3, Math.floor(PUTS / 3))],
    ] as const) {
      const put: number[] = [];
      const local: number[] = [];
      const remote: number[] = [];
      const dht: number[] = [];
      for (let i = 0; i < n; i++) {
        const resource = binaryOf(size);
        let t = performance.now();
        const r = await writer.put({
          patientKey: patient.key,
          resource,
          category: 'lab',
          readerKeys: [reader.key],
        });
        put.push(performance.now() - t);
        const id = fromHex(r.recordId);
        const cid = parseBlobCid(r.cid);
        const held = await Promise.all([0, 1, 2].map((j) => w.service(j).blobs.has(cid)));
        const holder = held.findIndex((h) => h);
        const other = held.findIndex((h) => !h);
        t = performance.now();
        await readers[holder]!.get(id);
        local.push(performance.now() - t);
        if (other >= 0) {
          t = performance.now();
          await net.node(other).node!.host.findProviders(cid, { timeoutMs: 5000 });
          dht.push(performance.now() - t);
          t = performance.now();
          const g = await readers[other]!.get(id);
          remote.push(performance.now() - t);
          if (!g.source.startsWith('dht:')) console.error(`note: ${label} read ${i} served via ${g.source}`);
        }
      }
      for (const [k, xs] of [
        ['put', put],
        ['get_local', local],
        ['get_dht', remote],
        ['dht_find_providers', dht],
      ] as const) {
        out[`${k}_${label}_p50_ms`] = ms(pct(xs, 50));
        out[`${k}_${label}_p99_ms`] = ms(pct(xs, 99));
      }
    }

    // Reads served per second with consent checks: signed reads of one 10 KB record, concurrent.
    const target = await writer.put({
      patientKey: patient.key,
      resource: binaryOf(10_000),
      category: 'lab',
      readerKeys: [reader.key],
    });
    const tid = fromHex(target.recordId);
    const tcid = parseBlobCid(target.cid);
    const holder = (await Promise.all([0, 1, 2].map((j) => w.service(j).blobs.has(tcid)))).findIndex(
      (h) => h,
    );
    const rc: RecordsClient = readers[holder]!;
    const info = await rc.version(tid, 1);
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let served = 0;
      const end = performance.now() + SECONDS * 1000;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end) {
            await rc.fetchBlob(tid, 1, { info });
            served++;
          }
        }),
      );
      rates.push(served / ((performance.now() - t0) / 1000));
    }
    out.reads_served_per_s = Math.round(median(rates));
    out.reads_served_per_s_runs = rates.length;
    out.reads_served_per_s_min = Math.round(Math.min(...rates));
    out.reads_served_per_s_max = Math.round(Math.max(...rates));
    out.read_receipts_submitted = [0, 1, 2].reduce((a, j) => a + w.service(j).recorder.submitted, 0);
  } finally {
    await net.cleanup();
  }
  const load1 = loadavg();
  out.loadavg_1m_start = ms(load0[0] ?? 0);
  out.loadavg_1m_end = ms(load1[0] ?? 0);
  if (values.json) console.log(JSON.stringify(out));
  else for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(34)} ${v}`);
}

await main();
process.exit(0);
