/**
 * Seeds the demo consortium (cast.ts) into a running demo chain through the public HTTP API only,
 * with the TypeScript client, as the people themselves would: governance adds the insurer, admins
 * register their staff and patients, patients grant, doctors write records, people read them, one
 * doctor breaks the glass. Every step is journaled (journal.ts), so a seeding cut short resumes at
 * the step it stopped at; once all are done a marker makes every later call a no-op.
 */
import { join } from 'node:path';
import { Account, EhrClient } from '../../client/client.js';
import { ConsentClient } from '../../client/consent.js';
import { readKeyFile } from '../../client/keyfile.js';
import { RecordsClient } from '../../client/records.js';
import { encodeAction } from '../../node/contracts/governance.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import type { PurposeName } from '../../protocol/records/request.js';
import { encodeInt } from '../../vm/abi.js';
import { encodeOp } from '../../vm/consent/abi.js';
import type { Grantee, Terms } from '../../vm/consent/types.js';
import {
  DEMO_STAFF,
  DemoOrg,
  type DemoPatient,
  type DemoPerson,
  demoPatients,
  demoRecords,
  isDemoChain,
  ORG_NODE,
  personFile,
} from './cast.js';
import { Journal, type StepResult } from './journal.js';
import { loadPeople, type Person } from './people.js';

const DAY = 86_400_000;

/** Why the demo cannot be seeded: stable codes, the sentence for people in the message. */
export class DemoSeedError extends Error {
  override readonly name = 'DemoSeedError';
  constructor(
    readonly code: 'not_demo_chain' | 'too_few_nodes' | 'step_failed',
    message: string,
    /** The step that failed (`step_failed`). */
    readonly step: string | null = null,
  ) {
    super(message);
  }
}

/** What seeding needs: the devnet directory (keys, journal, people) and each validator's URL. */
export interface SeedOptions {
  readonly dir: string;
  /** Node i's HTTP API; hospital-1 uses node 1, hospital-2 node 2, the insurer node 3 (or node 1). */
  readonly urls: readonly string[];
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** A record written by the seeding. */
export interface DemoRecord {
  readonly id: string;
  readonly category: string;
}

/** What the seeding left: the people, the records per patient, and how many steps ran now. */
export interface SeedResult {
  /** False when the marker said the demo was already there (nothing was sent). */
  readonly fresh: boolean;
  readonly stepsRun: number;
  readonly people: ReadonlyMap<string, Person>;
  readonly records: ReadonlyMap<string, readonly DemoRecord[]>;
  readonly journal: Journal;
}

/** Seeds the demo consortium, resuming a half-done seeding; a no-op once it is complete. */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  if (opts.urls.length < 2)
    throw new DemoSeedError('too_few_nodes', 'the demo needs two validators (two hospitals) or more');
  const { chainId } = await new EhrClient(opts.urls[0] ?? '').status();
  if (!isDemoChain(chainId))
    throw new DemoSeedError(
      'not_demo_chain',
      `chain ${chainId} is not a demo chain (its id must end in -demo)`,
    );
  const journal = await Journal.open(opts.dir, chainId, new Date().toISOString().slice(0, 10));
  const patients = demoPatients(journal.data.referenceDate);
  const people = await loadPeople(opts.dir, [...DEMO_STAFF, ...patients]);
  const s = new Seeder(opts, chainId, journal, people, log);
  const records = new Map(patients.map((p) => [p.name, s.recordsOf(p.name)]));
  if (Journal.isSeeded(opts.dir)) return { fresh: false, stepsRun: 0, people, records, journal };
  await s.run(patients);
  await journal.finish({ steps: Object.keys(journal.data.steps).length });
  log(`demo consortium seeded (${s.stepsRun} steps)`);
  return {
    fresh: true,
    stepsRun: s.stepsRun,
    people,
    records: new Map(patients.map((p) => [p.name, s.recordsOf(p.name)])),
    journal,
  };
}

class Seeder {
  stepsRun = 0;

  constructor(
    private readonly opts: SeedOptions,
    private readonly chainId: string,
    private readonly journal: Journal,
    private readonly people: ReadonlyMap<string, Person>,
    private readonly log: (line: string) => void,
  ) {}

  person(file: string): Person {
    const p = this.people.get(file);
    if (p === undefined) throw new Error(`no demo person ${file}`);
    return p;
  }

  /** The HTTP client of a person's organisation's node. */
  node(p: Person): EhrClient {
    const urls = this.opts.urls;
    return new EhrClient(urls[ORG_NODE[p.org] % urls.length] ?? urls[0] ?? '');
  }

  // A fresh client per use: each learns its nonce from the node, so consent and records calls of
  // one person never trip over each other's cached nonce.
  cc(file: string): ConsentClient {
    const p = this.person(file);
    return new ConsentClient(this.node(p), p.key.seed, this.chainId);
  }

  rc(file: string): RecordsClient {
    const p = this.person(file);
    return new RecordsClient(this.node(p), p.key.seed, this.chainId);
  }

  id(file: string): string {
    return this.cc(file).id;
  }

  recordsOf(patient: string): DemoRecord[] {
    const out: DemoRecord[] = [];
    for (let i = 0; this.journal.has(`record:${patient}:${i}`); i++)
      out.push(this.journal.get(`record:${patient}:${i}`) as unknown as DemoRecord);
    return out;
  }

  record(patient: string, category?: string): DemoRecord {
    const all = this.recordsOf(patient);
    const r = category === undefined ? all[0] : all.find((x) => x.category === category);
    if (r === undefined) throw new Error(`no ${category ?? ''} record of ${patient}`);
    return r;
  }

  async step<T extends StepResult>(name: string, label: string, f: () => Promise<T>): Promise<T> {
    if (this.journal.has(name)) return this.journal.get(name) as T;
    this.opts.signal?.throwIfAborted();
    let result: T;
    try {
      result = await f();
    } catch (err) {
      if (this.opts.signal?.aborted) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new DemoSeedError('step_failed', `step ${name} failed: ${why}`, name);
    }
    await this.journal.put(name, result);
    this.stepsRun++;
    this.log(label);
    return result;
  }

  terms(t: Partial<Terms> & { days: number; fromDays?: number }): Terms {
    // A minute back, so a node whose clock is a little behind ours already sees the grant in force.
    const start = Date.now() - 60_000 + (t.fromDays ?? 0) * DAY;
    return {
      actions: t.actions ?? ['read'],
      purposes: t.purposes ?? ['TREAT'],
      scope: t.scope ?? { kind: 'all' },
      start,
      end: start + t.days * DAY,
      exceptions: t.exceptions ?? [],
    };
  }

  /** A client whose account knows its nonce, so several of its calls can be in flight at once. */
  async primed<T extends ConsentClient | RecordsClient>(c: T): Promise<T> {
    await c.account.sync(c.client);
    return c;
  }

  async grant(
    name: string,
    by: ConsentClient,
    grantee: Grantee,
    terms: Terms,
    patient: string,
  ): Promise<number> {
    const [who, whom] = name.split('-');
    return this.step(`grant:${name}`, `${who} grants ${whom}`, () =>
      by.grant(grantee, terms, this.id(patient)),
    );
  }

  actor(file: string): Grantee {
    return { kind: 'actor', id: this.id(file) };
  }

  async read(name: string, reader: string, patient: string, rec: DemoRecord, purpose: PurposeName) {
    await this.step(`read:${name}`, `${reader} reads a ${rec.category} record of ${patient}`, async () => {
      if (purpose === 'ETREAT') {
        // Emergency access releases the ciphertext (recorded as an emergency read); no key is wrapped for it.
        await this.rc(reader).fetchBlob(fromHex(rec.id), 1, { purpose });
      } else await this.rc(reader).get(fromHex(rec.id), { purpose });
      return true;
    });
  }

  // Phases of independent chains run side by side; within a chain, steps run in order. One
  // person's calls inside a phase share one primed client, so they are pipelined, not serialised.
  async run(patients: readonly DemoPatient[]): Promise<void> {
    const admins = DEMO_STAFF.filter((p) => p.role === 'admin');
    const toRegister = [...DEMO_STAFF, ...patients].filter((p) => p.role !== 'admin');
    const olga = DEMO_STAFF.find((a) => a.role === 'admin' && a.org === DemoOrg.insurer);
    const staffOf = (a: DemoPerson) => toRegister.filter((p) => p.org === a.org);
    await Promise.all([
      // uma must exist before anyone grants her anything: insurer-1, then olga registers her.
      this.addInsurer().then(() => (olga === undefined ? undefined : this.registerAll(olga, staffOf(olga)))),
      ...admins.filter((a) => a.org !== DemoOrg.insurer).map((a) => this.registerAll(a, staffOf(a))),
    ]);
    await this.grants();
    await this.writeRecords(patients);
    await Promise.all([this.requests(), this.reads(), this.emergency()]);
  }

  async registerAll(admin: DemoPerson, people: readonly DemoPerson[]): Promise<void> {
    const by = await this.primed(this.cc(personFile(admin)));
    await Promise.all(people.map((p) => this.register(personFile(p), by, admin.name)));
  }

  async grants(): Promise<void> {
    const rw = { actions: ['read', 'write'] as const, days: 365 };
    const payment = { purposes: ['HPAYMT'] as const, days: 90 };
    const labSoon = { scope: { kind: 'categories', categories: ['lab'] } as const, days: 30, fromDays: 7 };
    const dana = async () => {
      const by = await this.primed(this.cc('patient-dana'));
      const noMentalHealth = [{ kind: 'category', category: 'mental-health' } as const];
      const bills = { kind: 'categories', categories: ['problems', 'encounter'] } as const;
      await Promise.all([
        this.grant(
          'dana-rosa',
          by,
          this.actor('doctor-rosa'),
          { ...this.terms(rw), exceptions: noMentalHealth },
          'patient-dana',
        ),
        this.grant(
          'dana-uma',
          by,
          this.actor('insurer-uma'),
          { ...this.terms(payment), scope: bills },
          'patient-dana',
        ),
      ]);
    };
    const fatima = async () => {
      const by = await this.primed(this.cc('patient-fatima'));
      const [revoked] = await Promise.all([
        this.grant('fatima-uma', by, this.actor('insurer-uma'), this.terms(payment), 'patient-fatima'),
        this.grant('fatima-rosa', by, this.actor('doctor-rosa'), this.terms(rw), 'patient-fatima'),
        this.grant('fatima-sam', by, this.actor('doctor-sam'), this.terms(labSoon), 'patient-fatima'),
      ]);
      await this.step('revoke:fatima-uma', 'fatima revokes her grant to uma', async () => {
        await by.revoke(revoked);
        return true;
      });
    };
    const jo = async () => {
      // Registration ran in the phase before: maria can link, then victor grants for jo.
      await this.step('link:victor-jo', 'victor becomes the guardian of jo', async () => {
        await this.cc('admin-maria').linkGuardian(this.id('guardian-victor'), this.id('patient-jo'));
        return true;
      });
      await this.grant(
        'victor-rosa',
        this.cc('guardian-victor'),
        this.actor('doctor-rosa'),
        this.terms(rw),
        'patient-jo',
      );
    };
    const h2 = { kind: 'org', id: DemoOrg.h2 } as const;
    await Promise.all([
      dana(),
      fatima(),
      jo(),
      this.grant('lena-hospital2', this.cc('patient-lena'), h2, this.terms(rw), 'patient-lena'),
      this.grant(
        'ana-tariq',
        this.cc('patient-ana'),
        this.actor('doctor-tariq'),
        this.terms(rw),
        'patient-ana',
      ),
    ]);
  }

  /** Governance adds insurer-1 with olga as its first admin (proposed by node 1, approved by a majority). */
  async addInsurer(): Promise<void> {
    await this.step('org:insurer-1', 'governance adds insurer-1', async () => {
      const olga = this.person('admin-olga');
      if ((await this.cc('admin-olga').actor(this.id('admin-olga'))) !== null) return true;
      const call = encodeOp({
        op: 'addOrg',
        org: DemoOrg.insurer,
        kind: 'insurer',
        adminKey: toHex(olga.key.publicKey),
        adminCertHash: toHex(new Uint8Array(32).fill(7)),
      });
      const action = encodeAction({ kind: 'consentCall', method: call.method, args: call.args });
      const client = new EhrClient(this.opts.urls[0] ?? '');
      let id = 0;
      for (let i = 0; i < this.opts.urls.length; i++) {
        const seed = (await readKeyFile(join(this.opts.dir, `node${i + 1}`, 'keys', 'validator.json'))).seed;
        const arg = i === 0 ? action : encodeInt(id);
        const tx = await new Account(seed, this.chainId).call(
          client,
          'governance',
          i === 0 ? 'propose' : 'approve',
          [arg],
        );
        if (tx.receipt?.status !== 'ok')
          throw new Error(`governance refused: ${tx.receipt?.error ?? 'unknown'}`);
        if (i === 0) id = Number(BigInt(`0x${tx.receipt.returnData}`));
        if (tx.receipt.events.some((e) => e.name !== 'approved')) return true;
      }
      throw new Error('governance did not execute the proposal');
    });
  }

  /** `admin` registers a person of its organisation (skipped when already registered). */
  async register(file: string, by: ConsentClient, admin: string): Promise<void> {
    const p = this.person(file);
    await this.step(`register:${file}`, `${admin} registers ${file}`, async () => {
      if ((await by.actor(this.id(file))) !== null) return true;
      const licensed = p.role === 'doctor' || p.role === 'insurer';
      await by.register({
        publicKey: p.key.publicKey,
        role: p.role,
        licenceExpiry: licensed ? Date.now() + 365 * DAY : 0,
      });
      return true;
    });
  }

  /** Three records per patient, by their doctor, each key wrapped also for the readers granted it. */
  async writeRecords(patients: readonly DemoPatient[]): Promise<void> {
    const write = async (author: string, mine: readonly DemoPatient[]) => {
      const rc = await this.primed(this.rc(author));
      const puts = mine.flatMap((p) =>
        demoRecords(p.record).map((r, i) => {
          const readers =
            p.name === 'dana' && ['problems', 'encounter'].includes(r.category)
              ? [this.person('insurer-uma').key.publicKey]
              : [];
          return this.step(
            `record:${p.name}:${i}`,
            `${author} writes a ${r.category} record of ${p.name}`,
            async () => {
              const put = await rc.put({
                patientKey: this.person(personFile(p)).key.publicKey,
                resource: r.resource,
                category: r.category,
                readerKeys: readers,
              });
              return { id: put.recordId, category: r.category };
            },
          );
        }),
      );
      await Promise.all(puts);
    };
    await Promise.all([
      write(
        'doctor-rosa',
        patients.filter((p) => p.org === DemoOrg.h1),
      ),
      write(
        'doctor-tariq',
        patients.filter((p) => p.org !== DemoOrg.h1),
      ),
    ]);
  }

  /** Sam asks dana for her lab results, she approves and shares the key; uma's request to lena stays open. */
  async requests(): Promise<void> {
    const lab = this.terms({ scope: { kind: 'categories', categories: ['lab'] }, days: 90 });
    const claim = this.terms({
      purposes: ['HPAYMT'],
      scope: { kind: 'categories', categories: ['encounter'] },
      days: 90,
    });
    const sam = async () => {
      const asked = await this.step('request:sam-dana', 'sam asks dana for her lab results', () =>
        this.cc('doctor-sam').request(this.id('patient-dana'), lab, 'referral'),
      );
      await this.step('approve:sam-dana', 'dana approves sam', () => this.cc('patient-dana').approve(asked));
      const labRecord = this.record('dana', 'lab');
      await this.step('share:sam-dana', 'dana shares her lab record key with sam', async () => {
        await this.rc('patient-dana').shareKey(
          fromHex(labRecord.id),
          1,
          this.person('doctor-sam').key.publicKey,
        );
        return true;
      });
      await this.read('sam-dana', 'doctor-sam', 'dana', labRecord, 'TREAT');
      await this.step('attest:dana', 'dana confirms her first record', async () => {
        await this.cc('patient-dana').attest(this.record('dana').id, 1, 'patient-confirmed');
        return true;
      });
    };
    await Promise.all([
      sam(),
      this.step('request:uma-lena', 'uma asks lena for her encounters (left open)', () =>
        this.cc('insurer-uma').request(
          this.id('patient-lena'),
          claim,
          'claim',
          Date.now() + 30 * DAY - 60_000,
        ),
      ),
    ]);
  }

  async reads(): Promise<void> {
    await Promise.all([
      this.read('rosa-dana', 'doctor-rosa', 'dana', this.record('dana'), 'TREAT'),
      this.read('rosa-fatima', 'doctor-rosa', 'fatima', this.record('fatima'), 'TREAT'),
      this.read('dana-dana', 'patient-dana', 'dana', this.record('dana'), 'TREAT'),
      this.read('uma-dana', 'insurer-uma', 'dana', this.record('dana', 'problems'), 'HPAYMT'),
      this.read('tariq-lena', 'doctor-tariq', 'lena', this.record('lena'), 'TREAT'),
    ]);
  }

  /** Tariq (hospital-2) breaks the glass for dana; noah, his admin, co-signs; tariq reads. */
  async emergency(): Promise<void> {
    const e = await this.step('emergency:tariq-dana', 'tariq asks for emergency access to dana', () =>
      this.cc('doctor-tariq').emergencyRequest(this.id('patient-dana'), 'unconscious', 4 * 3_600_000),
    );
    await this.step('cosign:tariq-dana', 'noah co-signs the emergency', () =>
      this.cc('admin-noah').emergencyCosign(e),
    );
    await this.read('tariq-dana-emergency', 'doctor-tariq', 'dana', this.record('dana'), 'ETREAT');
  }
}
