/**
 * The searchable encrypted index on 3 real validators (libp2p on 127.0.0.1, LevelDB, HTTP): a
 * patient publishes its index key to an author and two readers; the author writes synthetic records
 * with tokens through node 0, which pushes keys and tokens to the others; every search (through
 * node 0 or node 1) equals a plaintext search of the same records restricted to what the reader's
 * consent allows; a reader without consent gets nothing; an erased record drops out everywhere;
 * and no LevelDB of any node holds a code in the clear.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../client/client.js';
import { IndexClient, type SearchHit } from '../../../client/index-tokens.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import {
  categoryTerm,
  codeTerm,
  type IndexTerm,
  indexKeyId,
  newIndexKey,
  termsOf,
  tokenOf,
  tokensOf,
  yearTerm,
} from '../../../protocol/records/blind-index.js';
import { utf8 } from '../../../protocol/records/bytes.js';
import { wrapKey } from '../../../protocol/records/envelope.js';
import {
  signIndexKeysRequest,
  signIndexTokensRequest,
  signSearchRequest,
} from '../../../protocol/records/index-request.js';
import { createNetwork, type Network, waitFor } from '../../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from './world.js';

const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const OBS_CAT = 'http://terminology.hl7.org/CodeSystem/observation-category';
const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
const obs = (code: string, year: number, value: number) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [cc(OBS_CAT, 'laboratory')],
  code: cc(LOINC, code),
  subject: { reference: 'Patient/synthetic-1' },
  effectiveDateTime: `${year}-04-01T09:00:00Z`,
  valueQuantity: { value, unit: '1' },
});
const condition = (year: number) => ({
  resourceType: 'Condition',
  code: cc(SCT, '44054006'),
  subject: { reference: 'Patient/synthetic-1' },
  onsetDateTime: `${year}-01-15`,
});

/** The synthetic records the author writes: [category on chain, resource, previous record index]. */
const WRITES: [string, Record<string, unknown>, number | null][] = [
  ['lab', obs('4548-4', 2023, 6.1), null],
  ['lab', obs('4548-4', 2024, 6.4), null],
  ['lab', obs('718-7', 2024, 13.2), null],
  [
    'imaging',
    {
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: cc(LOINC, '24627-2'),
      subject: { reference: 'Patient/synthetic-1' },
      effectiveDateTime: '2024-09-09',
    },
    null,
  ],
  [
    'lab',
    {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: obs('4548-4', 2022, 7.0) }, { resource: condition(2022) }],
    },
    null,
  ],
  ['imaging', condition(2021), null],
  ['lab', obs('718-7', 2025, 12.9), 0], // version 2 of the first record
];
const PLAINTEXT_CODES = ['4548-4', '718-7', '24627-2', '44054006', 'loinc.org', 'laboratory'];

/** A written version, as the plaintext model sees it. */
interface Written {
  readonly recordId: string;
  readonly version: number;
  readonly cid: string;
  readonly category: string;
  readonly terms: Set<string>;
  erased: boolean;
}

const key = (t: IndexTerm) => `${t.kind}:${t.value}`;
const hitKey = (h: { recordId: string; version: number }) => `${h.recordId}@${h.version}`;

/** The naive model: versions holding every term, in categories the reader may read, not erased. */
function plaintextSearch(
  all: readonly Written[],
  terms: readonly IndexTerm[],
  categories: readonly string[],
) {
  return all
    .filter((w) => !w.erased && categories.includes(w.category) && terms.every((t) => w.terms.has(key(t))))
    .map(hitKey)
    .sort();
}

const QUERIES: [string, IndexTerm[]][] = [
  ['HbA1c', [codeTerm(LOINC, '4548-4')]],
  ['HbA1c in 2024', [codeTerm(LOINC, '4548-4'), yearTerm(2024)]],
  ['anything in 2024', [yearTerm(2024)]],
  ['diabetes (SNOMED)', [codeTerm(SCT, '44054006')]],
  ['laboratory category', [categoryTerm(OBS_CAT, 'laboratory')]],
  [
    'haemoglobin, spelled with an upper-case host and a trailing slash',
    [codeTerm('HTTP://LOINC.ORG/', '718-7')],
  ],
  ['chest CT', [codeTerm(LOINC, '24627-2')]],
  ['a code nobody has', [codeTerm(LOINC, '9999-9')]],
];

describe('searchable encrypted index on a node', () => {
  let net: Network;
  let w: RecordsWorld;
  let patient: Actor;
  let author: Actor;
  let labReader: Actor;
  let stranger: Actor;
  const indexKey = newIndexKey();
  const written: Written[] = [];
  const indexed: ({ tokens: number; replicas: number } | undefined)[] = [];
  const idx = (a: Actor, node = 0) => new IndexClient(net.node(node).client, a.seed, net.chainId);

  const grant = (who: Actor, actions: ('read' | 'write')[], categories: string[]) =>
    w.run(w.client(patient, 0).account, {
      op: 'grant',
      patient: patient.id,
      grantee: { kind: 'actor', id: who.id },
      actions,
      scope: { kind: 'categories', categories },
      purposes: ['TREAT'],
      start: Date.now() - HOUR,
      end: Date.now() + 24 * HOUR,
      exceptions: [],
    });

  /** Searches as `who` through node `node` and returns hit keys, sorted. */
  const search = async (who: Actor, terms: IndexTerm[], purpose: 'TREAT' | 'HRESCH' = 'TREAT', node = 0) => {
    const k = await idx(who, node).indexKey(fromHex(patient.id));
    const r = await idx(who, node).search(k, fromHex(patient.id), terms, purpose);
    expect(r.truncated).toBe(false);
    return r.results.map((h: SearchHit) => hitKey(h)).sort();
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc', config: { records: { dhtTimeoutMs: 1000 } } });
    await net.waitLeader();
    w = await new RecordsWorld(net).init();
    patient = await w.register('patient');
    author = await w.register('doctor');
    labReader = await w.register('doctor');
    stranger = await w.register('doctor');
    await grant(author, ['read', 'write'], ['lab', 'imaging']);
    await grant(labReader, ['read'], ['lab']);
    // The stranger holds the index key but no consent: the node's filter, not the key, decides.
    expect(await idx(patient).publishKey(indexKey, [author.key, labReader.key, stranger.key])).toEqual({
      keys: 3,
      replicas: 3,
    });
    const authorKey = await idx(author).indexKey(fromHex(patient.id));
    expect(toHex(authorKey)).toBe(toHex(indexKey));
    for (const [category, resource, previous] of WRITES) {
      const prev = previous === null ? undefined : written[previous];
      const r = await w.client(author, 0).put({
        patientKey: patient.key,
        resource,
        category,
        indexKey: authorKey,
        ...(prev === undefined ? {} : { recordId: fromHex(prev.recordId) }),
      });
      indexed.push(r.index);
      written.push({
        recordId: r.recordId,
        version: r.version,
        cid: r.cid,
        category,
        terms: new Set(termsOf(resource).map(key)),
        erased: false,
      });
    }
  }, 180_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it.each(QUERIES)(
    'a granted reader searching for %s through another validator gets the plaintext answer over consented records',
    async (_n, terms) => {
      expect(await search(labReader, terms, 'TREAT', 1)).toEqual(plaintextSearch(written, terms, ['lab']));
    },
  );

  it.each(QUERIES)(
    'the author searching for %s gets the plaintext answer over both categories',
    async (_n, terms) => {
      expect(await search(author, terms)).toEqual(plaintextSearch(written, terms, ['lab', 'imaging']));
    },
  );

  it('each put stored its distinct tokens on all 3 validators', () => {
    expect(indexed).toEqual(
      WRITES.map(([, resource]) => ({ tokens: termsOf(resource).length, replicas: 3 })),
    );
  });

  it('the queries are not vacuous: most have answers, and the lab reader sees fewer than the author', () => {
    const all = QUERIES.map(([, t]) => plaintextSearch(written, t, ['lab', 'imaging']).length);
    const lab = QUERIES.map(([, t]) => plaintextSearch(written, t, ['lab']).length);
    expect(all.filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
    expect(lab.reduce((a, b) => a + b, 0)).toBeLessThan(all.reduce((a, b) => a + b, 0));
  });

  it('the answers name the CIDs anchored on chain', async () => {
    const k = await idx(author).indexKey(fromHex(patient.id));
    const r = await idx(author).search(k, fromHex(patient.id), [codeTerm(LOINC, '24627-2')]);
    expect(r.results).toEqual([{ recordId: written[3]!.recordId, version: 1, cid: written[3]!.cid }]);
  });

  it('a reader without consent gets nothing, for every query', async () => {
    for (const [, terms] of QUERIES) expect(await search(stranger, terms)).toEqual([]);
  });

  it('a granted reader asking for another purpose than granted gets nothing', async () => {
    expect(await search(labReader, [codeTerm(LOINC, '4548-4')], 'HRESCH')).toEqual([]);
  });

  it('refused and accepted index requests get their codes, in the bodies docs/openapi.json publishes', async () => {
    const url = net.node(0).url;
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : {
              headers: { 'content-type': 'application/json' },
              body: typeof body === 'string' ? body : JSON.stringify(body),
            }),
      });
      const json = (await res.json()) as { error?: { code: string } };
      expect(publishedSchemaErrors(method, path, res.status, json), `${method} ${path}`).toEqual([]);
      return [res.status, json.error?.code ?? 'ok'];
    };
    const b64 = (b: Uint8Array) => ({ request: Buffer.from(b).toString('base64url') });
    const search = (f: { time?: number; chainId?: string } = {}) =>
      signSearchRequest(
        {
          chainId: f.chainId ?? net.chainId,
          patient: fromHex(patient.id),
          purpose: 'TREAT',
          tokens: [new Uint8Array(16)],
          ...(f.time === undefined ? {} : { time: f.time }),
        },
        createSigner(labReader.seed),
      );
    const replayed = b64(search());
    const forged = search();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const keysByDoctor = signIndexKeysRequest(
      { chainId: net.chainId, keys: [{ reader: fromHex(author.id), wrapped: new Uint8Array(105) }] },
      createSigner(stranger.seed),
    );
    const cases: [string, string, string, unknown, (string | number)[]][] = [
      ['no body field', 'POST', '/v1/search', {}, [400, 'bad_request']],
      ['not base64url', 'POST', '/v1/search', { request: 'not base64!' }, [400, 'bad_request']],
      ['not JSON', 'POST', '/v1/search', '{', [400, 'bad_encoding']],
      ['truncated request', 'POST', '/v1/search', { request: 'RUhSURI' }, [400, 'bad_encoding']],
      ['a keys request sent to search', 'POST', '/v1/search', b64(keysByDoctor), [400, 'bad_encoding']],
      ['forged signature', 'POST', '/v1/search', b64(forged), [401, 'bad_signature']],
      ['another chain', 'POST', '/v1/search', b64(search({ chainId: 'other' })), [401, 'bad_signature']],
      ['stale', 'POST', '/v1/search', b64(search({ time: Date.now() - HOUR })), [401, 'stale_request']],
      ['first send', 'POST', '/v1/search', replayed, [200, 'ok']],
      ['replayed', 'POST', '/v1/search', replayed, [409, 'replayed_request']],
      ['keys from a doctor', 'PUT', '/v1/index/keys', b64(keysByDoctor), [403, 'not_patient']],
      [
        'no wrapped key for this reader',
        'GET',
        `/v1/index/keys/${patient.id}/${'00'.repeat(32)}`,
        undefined,
        [404, 'not_found'],
      ],
      [
        'a key path that is not hex',
        'GET',
        `/v1/index/keys/${patient.id}/xyz`,
        undefined,
        [400, 'bad_request'],
      ],
    ];
    for (const [name, method, path, body, want] of cases)
      expect(await send(method, path, body), name).toEqual(want);
    // And the successes of every index route validate too.
    const k = await idx(author).indexKey(fromHex(patient.id));
    const ok = signSearchRequest(
      {
        chainId: net.chainId,
        patient: fromHex(patient.id),
        purpose: 'TREAT',
        tokens: [tokenOf(k, yearTerm(2024))],
      },
      createSigner(author.seed),
    );
    expect(await send('POST', '/v1/search', b64(ok))).toEqual([200, 'ok']);
    expect(await send('GET', `/v1/index/keys/${patient.id}/${author.id}`)).toEqual([200, 'ok']);
    const keys = signIndexKeysRequest(
      {
        chainId: net.chainId,
        keys: [
          { reader: fromHex(author.id), wrapped: wrapKey(k, author.key, indexKeyId(fromHex(patient.id)), 1) },
        ],
      },
      createSigner(patient.seed),
    );
    expect(await send('PUT', '/v1/index/keys', b64(keys))).toEqual([200, 'ok']);
    const tokens = signIndexTokensRequest(
      {
        chainId: net.chainId,
        recordId: fromHex(written[0]!.recordId),
        version: 1,
        tokens: tokensOf(k, WRITES[0]![1]),
      },
      createSigner(author.seed),
    );
    expect(await send('PUT', '/v1/index/tokens', b64(tokens))).toEqual([200, 'ok']);
  });

  it('only the author or the patient sets a version’s tokens (403 not_author)', async () => {
    const req = signIndexTokensRequest(
      { chainId: net.chainId, recordId: fromHex(written[0]!.recordId), version: 1, tokens: [] },
      createSigner(stranger.seed),
    );
    const res = await fetch(`${net.node(0).url}/v1/index/tokens`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: Buffer.from(req).toString('base64url') }),
    });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'not_author',
    ]);
  });

  it('tokens for a version not anchored are refused (404 unknown_record)', async () => {
    const err = await idx(author)
      .putTokens(indexKey, new Uint8Array(32).fill(7), 1, WRITES[0]![1])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).status, (err as ApiError).code]).toEqual([404, 'unknown_record']);
  });

  it('an erased record drops out of every answer, and its tokens are deleted', async () => {
    const bundle = written[4]!;
    const stores = [0, 1, 2].map((i) => net.node(i).node!.search.store);
    for (const store of stores) expect(await store.hasTokens(fromHex(bundle.recordId), 1)).toBe(true);
    await w.client(patient, 0).erase(fromHex(bundle.recordId));
    bundle.erased = true;
    for (const store of stores)
      await waitFor(async () => !(await store.hasTokens(fromHex(bundle.recordId), 1)), 'tokens deleted');
    const terms = [codeTerm(SCT, '44054006')];
    expect(await search(author, terms)).toEqual(plaintextSearch(written, terms, ['lab', 'imaging']));
    expect(await search(author, terms)).toHaveLength(1);
  });

  it('no LevelDB of any node holds a code, a coding or a category in the clear', async () => {
    const dbs: string[] = [];
    for (const i of [0, 1, 2]) {
      const dataDir = net.node(i).node!.config.dataDir;
      await net.node(i).stop();
      const found = await levelDirs(dataDir);
      expect(found.map((d) => d.slice(dataDir.length))).toEqual(expect.arrayContaining(['/index', '/blobs']));
      dbs.push(...found);
    }
    let entries = 0;
    for (const dir of dbs) {
      const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      try {
        for await (const [k, v] of db.iterator()) {
          entries++;
          for (const code of PLAINTEXT_CODES) {
            const needle = Buffer.from(utf8(code));
            expect(Buffer.from(k).includes(needle), `${dir} key holds ${code}`).toBe(false);
            expect(Buffer.from(v).includes(needle), `${dir} value holds ${code}`).toBe(false);
          }
        }
      } finally {
        await db.close();
      }
    }
    expect(entries).toBeGreaterThan(WRITES.length);
  });
});

const openapi = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};
const ajv = new Ajv({ strict: false, allErrors: true });

/** Errors of a JSON reply against the schema docs/openapi.json publishes for its route and status. */
function publishedSchemaErrors(method: string, path: string, status: number, body: unknown): string[] {
  const template = path.startsWith('/v1/index/keys/') ? '/v1/index/keys/{patient}/{reader}' : path;
  const responses = openapi.paths[template]?.[method.toLowerCase()]?.responses ?? {};
  const schema = (responses[String(status)] ?? responses[`${String(status)[0]}XX`])?.content?.[
    'application/json'
  ]?.schema;
  if (schema === undefined) return [`no documented ${status} reply`];
  const v = ajv.compile(schema);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Every LevelDB directory (holding a CURRENT file) under `dir`. */
async function levelDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const names = await readdir(dir);
  if (names.includes('CURRENT')) out.push(dir);
  for (const n of names) {
    const p = join(dir, n);
    if ((await stat(p)).isDirectory()) out.push(...(await levelDirs(p)));
  }
  return out;
}
