/**
 * Search latency of the searchable encrypted index on one in-process node (real LevelDB, HTTP):
 * a patient with `--records` synthetic lab Observations written with tokens by 4 authors; a granted
 * reader then runs each query `--searches` times in a row. Latency is the client's: derive the
 * tokens, sign, POST /v1/search, the node's posting-list match and one versionInfo + canAccess per
 * candidate. Queries differ by how many records match (1, ~10 %, ~50 %) and by token count.
 *
 *   node --import tsx test/perf/search.bench.ts [--json] [--records 40] [--searches 200]
 *
 * Prints figures and the load average; never passes or fails on time.
 */
import '../../node/polyfill.js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { IndexClient } from '../../client/index-tokens.js';
import { fromHex } from '../../protocol/chain/encoding.js';
import { codeTerm, type IndexTerm, newIndexKey, yearTerm } from '../../protocol/records/blind-index.js';
import { createNetwork } from '../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from '../integration/records/world.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    records: { type: 'string', default: '40' },
    searches: { type: 'string', default: '200' },
  },
});
const RECORDS = Number(values.records);
const SEARCHES = Number(values.searches);
const LOINC = 'http://loinc.org';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (x: number) => Math.round(x * 10) / 10;

/** Record i: code "rare" once, "tenth" every 10th, "half" every 2nd, else "other"; years cycle. */
const codeOf = (i: number) =>
  i === 0 ? 'rare-1' : i % 10 === 1 ? 'tenth-1' : i % 2 === 0 ? 'half-1' : 'other-1';
const yearOf = (i: number) => 2020 + (i % 5);
const observation = (i: number) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code: codeOf(i) }] },
  subject: { reference: 'Patient/synthetic-bench' },
  effectiveDateTime: `${yearOf(i)}-06-01`,
  valueQuantity: { value: i, unit: '1' },
});

async function main(): Promise<void> {
  const load0 = loadavg();
  const net = await createNetwork({ nodes: 1, mode: 'inproc', config: { records: { dhtTimeoutMs: 300 } } });
  const out: Record<string, number> = {};
  try {
    await net.waitLeader();
    const w = await new RecordsWorld(net).init();
    const patient = await w.register('patient');
    const authors: Actor[] = [];
    for (let i = 0; i < 4; i++) authors.push(await w.register('doctor'));
    const reader = await w.register('doctor');
    for (const [who, actions] of [
      ...authors.map((a) => [a, ['read', 'write']] as const),
      [reader, ['read']] as const,
    ])
      await w.run(w.client(patient, 0).account, {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'actor', id: who.id },
        actions: [...actions],
        scope: { kind: 'categories', categories: ['lab'] },
        purposes: ['TREAT'],
        start: Date.now() - HOUR,
        end: Date.now() + 24 * HOUR,
        exceptions: [],
      });
    const indexKey = newIndexKey();
    const idx = (a: Actor) => new IndexClient(net.node(0).client, a.seed, net.chainId);
    await idx(patient).publishKey(indexKey, [...authors.map((a) => a.key), reader.key]);
    const t0 = performance.now();
    await Promise.all(
      authors.map(async (a, k) => {
        for (let i = k; i < RECORDS; i += authors.length)
          await w
            .client(a, 0)
            .put({ patientKey: patient.key, resource: observation(i), category: 'lab', indexKey });
      }),
    );
    out.setupPutsMs = Math.round(performance.now() - t0);
    const readerIdx = idx(reader);
    const key = await readerIdx.indexKey(fromHex(patient.id));
    const queries: [string, IndexTerm[]][] = [
      ['1 token, 1 match', [codeTerm(LOINC, 'rare-1')]],
      ['1 token, ~10% match', [codeTerm(LOINC, 'tenth-1')]],
      ['1 token, ~50% match', [codeTerm(LOINC, 'half-1')]],
      ['2 tokens (code + year)', [codeTerm(LOINC, 'half-1'), yearTerm(2022)]],
      ['1 token, no match', [codeTerm(LOINC, 'absent-1')]],
    ];
    for (const [name, terms] of queries) {
      const lat: number[] = [];
      let hits = 0;
      for (let i = 0; i < SEARCHES; i++) {
        const s = performance.now();
        const r = await readerIdx.search(key, fromHex(patient.id), terms);
        lat.push(performance.now() - s);
        hits = r.results.length;
      }
      out[`${name} hits`] = hits;
      out[`${name} p50 ms`] = ms(pct(lat, 50));
      out[`${name} p99 ms`] = ms(pct(lat, 99));
    }
  } finally {
    await net.cleanup();
  }
  const load1 = loadavg();
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ records: RECORDS, searches: SEARCHES, load: [load0[0], load1[0]], ...out }, null, 2)}\n`,
    );
    return;
  }
  console.log(`search on one node: ${RECORDS} records, ${SEARCHES} searches per query`);
  for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(36)} ${v}`);
  console.log(`  load average ${load0[0]?.toFixed(1)} -> ${load1[0]?.toFixed(1)} (2 shared cores)`);
}

await main();
