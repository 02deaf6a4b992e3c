/**
 * The demo consortium (cli/devnet/seed.ts) seeded into a real 3-validator network over HTTP: the
 * organisations, people, grants and records are there, grantees can read what they were granted,
 * the patients' trails show the reads (the emergency one flagged), and seeding again sends nothing.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CHAIN_ID, RECORDS_PER_PATIENT } from '../../../cli/devnet/cast.js';
import { activitySteps } from '../../../cli/devnet/demo.js';
import { type SeedResult, seedDemo } from '../../../cli/devnet/seed.js';
import { ConsentClient } from '../../../client/consent.js';
import { RecordsClient } from '../../../client/records.js';
import { fromHex } from '../../../protocol/chain/encoding.js';
import { createNetwork, type Network, waitFor } from '../../helpers/network.js';

describe('the demo consortium on a 3-validator network', () => {
  let net: Network;
  let seeded: SeedResult;
  const lines: string[] = [];

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc', chainId: DEMO_CHAIN_ID });
    await net.waitLeader();
    seeded = await seedDemo({ dir: net.dir, urls: net.urls(), log: (l) => lines.push(l) });
  }, 90_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  const cc = (file: string, node = 0) => {
    const p = seeded.people.get(file);
    if (p === undefined) throw new Error(`no ${file}`);
    return new ConsentClient(net.node(node).client, p.key.seed, net.chainId);
  };
  const rc = (file: string, node = 0) => {
    const p = seeded.people.get(file);
    if (p === undefined) throw new Error(`no ${file}`);
    return new RecordsClient(net.node(node).client, p.key.seed, net.chainId);
  };
  const firstRecord = (patient: string) => {
    const r = seeded.records.get(patient)?.[0];
    if (r === undefined) throw new Error(`no record of ${patient}`);
    return r;
  };

  it('ran every step and printed progress for each', () => {
    expect(seeded.fresh).toBe(true);
    expect(lines.length).toBe(seeded.stepsRun + 1);
    expect(lines.at(-1)).toMatch(/^demo consortium seeded/);
  });

  it('registers every demo person in their organisation', async () => {
    const admin = cc('admin-maria');
    const want: [string, string][] = [
      ['admin-olga', 'insurer-1'],
      ['doctor-rosa', 'hospital-1'],
      ['doctor-tariq', 'hospital-2'],
      ['insurer-uma', 'insurer-1'],
      ['guardian-victor', 'hospital-1'],
      ['patient-dana', 'hospital-1'],
      ['patient-ana', 'hospital-2'],
    ];
    for (const [file, org] of want) expect((await admin.actor(cc(file).id))?.org, file).toBe(org);
    expect([...seeded.people.keys()].filter((f) => f.startsWith('patient-'))).toHaveLength(5);
  });

  it('writes three records per patient', () => {
    for (const [patient, recs] of seeded.records) expect(recs, patient).toHaveLength(RECORDS_PER_PATIENT);
  });

  it("lets each grantee read what it was granted, through its own organisation's node", async () => {
    const dana = firstRecord('dana');
    const got = await rc('doctor-rosa', 0).get(fromHex(dana.id));
    expect(got.resource.resourceType).toBe('Condition');
    const ana = await rc('doctor-tariq', 1).get(fromHex(firstRecord('ana').id));
    expect(ana.version).toBe(1);
    const lab = seeded.records.get('dana')?.find((r) => r.category === 'lab');
    expect((await rc('doctor-sam', 0).get(fromHex(lab?.id ?? ''))).resource.resourceType).toBe('Observation');
  });

  it("lets tariq decrypt dana's record under the co-signed emergency (its key was shared with him)", async () => {
    const got = await rc('doctor-tariq', 1).get(fromHex(firstRecord('dana').id), { purpose: 'ETREAT' });
    expect(got.resource.resourceType).toBe('Condition');
  });

  it('holds an upcoming grant, a revoked one, a deny exception and an open request', async () => {
    const sam = cc('doctor-sam');
    const fatima = cc('patient-fatima').id;
    const lab = { kind: 'category', category: 'lab' } as const;
    expect((await sam.canAccess(sam.id, fatima, lab, 'read', 'TREAT')).reason).toBe('not_yet_valid');
    const uma = cc('insurer-uma');
    expect((await uma.canAccess(uma.id, fatima, lab, 'read', 'HPAYMT')).reason).toBe('revoked');
    const rosa = cc('doctor-rosa').id;
    const mh = { kind: 'category', category: 'mental-health' } as const;
    expect((await uma.canAccess(rosa, cc('patient-dana').id, mh, 'read', 'TREAT')).reason).toBe(
      'denied_by_exception',
    );
    expect(await cc('patient-lena').openRequests(cc('patient-lena').id)).toHaveLength(1);
  });

  it("puts the reads on dana's trail, the emergency one flagged", async () => {
    const dana = cc('patient-dana');
    const readReasons = async () =>
      (await dana.trail(dana.id)).filter((e) => e.op === 'read').map((e) => e.detailText);
    // Reads are recorded by the serving node in batches (about every second), in no fixed order.
    // Each node records its own reads, so wait for all three kinds, not only the emergency one.
    const kinds = ['granted', 'own_record', 'emergency'];
    await waitFor(
      async () => {
        const r = await readReasons();
        return kinds.every((k) => r.includes(k));
      },
      "the granted, own-record and emergency reads on dana's trail",
      20_000,
    );
    expect(await readReasons()).toEqual(expect.arrayContaining(kinds));
  });

  it('runs activity steps that put the heartbeat and read a record', async () => {
    const steps = await activitySteps({ dir: net.dir, urls: net.urls() }, seeded);
    expect(steps).toHaveLength(3);
    const rosa = cc('doctor-rosa').id;
    const dana = cc('patient-dana');
    const rosaReads = async () =>
      (await dana.trail(dana.id)).filter((e) => e.op === 'read' && e.by === rosa).length;
    const before = await rosaReads();
    // Ticks 0 and 1 put the heartbeat (through nodes 1 and 2); tick 2 reads dana's first record.
    for (const [tick, step] of steps.entries()) await step?.(tick);
    const hb = await net.node(0).client.query('kv', 'get', [new TextEncoder().encode('demo-heartbeat')]);
    expect(Buffer.from(hb.returnData, 'hex').toString()).toBe('1');
    await waitFor(async () => (await rosaReads()) > before, "rosa's activity read on dana's trail", 20_000);
  });

  it('sends nothing when seeded again', async () => {
    const admin = seeded.people.get('admin-maria');
    const before = await net.node(0).client.nextNonce(admin?.key.publicKey ?? new Uint8Array());
    const again = await seedDemo({ dir: net.dir, urls: net.urls() });
    expect(again.fresh).toBe(false);
    expect(again.stepsRun).toBe(0);
    expect(await net.node(0).client.nextNonce(admin?.key.publicKey ?? new Uint8Array())).toBe(before);
  });

  it('resumes a seeding cut short at the steps its journal lacks, done ones included', async () => {
    const file = join(net.dir, 'demo', 'journal.json');
    const journal = JSON.parse(await readFile(file, 'utf8')) as { steps: Record<string, unknown> };
    // As if the devnet stopped after these txs committed but before the journal recorded them.
    const lost = ['revoke:fatima-uma', 'attest:dana', 'read:rosa-fatima'];
    for (const step of lost) delete journal.steps[step];
    await writeFile(file, JSON.stringify(journal));
    await rm(join(net.dir, 'demo', 'seeded.json'));
    const log: string[] = [];
    const again = await seedDemo({ dir: net.dir, urls: net.urls(), log: (l) => log.push(l) });
    expect(again.fresh).toBe(true);
    expect(again.stepsRun).toBe(lost.length);
    expect(log.filter((l) => l.endsWith('(already on chain)'))).toHaveLength(2);
  });
});
