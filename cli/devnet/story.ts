/**
 * The demo story, in phases of independent chains run side by side (cast.ts names the people):
 * governance adds insurer-1 while the hospitals register their people; patients grant; doctors
 * write records; requests, reads and one co-signed emergency read.
 */
import { join } from 'node:path';
import { Account, EhrClient } from '../../client/client.js';
import type { ConsentClient } from '../../client/consent.js';
import { readKeyFile } from '../../client/keyfile.js';
import { encodeAction } from '../../node/contracts/governance.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { encodeInt } from '../../vm/abi.js';
import { encodeOp } from '../../vm/consent/abi.js';
import { DEMO_STAFF, DemoOrg, type DemoPatient, type DemoPerson, demoRecords, personFile } from './cast.js';
import { DAY, Seeder, short } from './seeder.js';

/** The demo consortium's story over a {@link Seeder}. */
export class DemoStory extends Seeder {
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
      this.grant('lena-hospital-2', this.cc('patient-lena'), h2, this.terms(rw), 'patient-lena'),
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
    await this.step(`register:${file}`, `${admin} registers ${p.name} (${p.role})`, async () => {
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
            `${short(author)} writes ${p.name}'s ${r.category} record`,
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

  /**
   * Tariq (hospital-2) breaks the glass for dana; noah, his admin, co-signs; dana's key wraps the
   * record's data key for tariq (shareKey, as the records client does for a grant), so tariq's read
   * decrypts it and the demo doctor can open it in the portal; tariq reads.
   */
  async emergency(): Promise<void> {
    const e = await this.step('emergency:tariq-dana', 'tariq asks for emergency access to dana', () =>
      this.cc('doctor-tariq').emergencyRequest(this.id('patient-dana'), 'unconscious', 4 * 3_600_000),
    );
    await this.step('cosign:tariq-dana', 'noah co-signs the emergency', () =>
      this.cc('admin-noah').emergencyCosign(e),
    );
    // The contract wraps keys at anchor time for the readers of the moment; an emergency reader
    // comes later, so the record's key is shared with him (dana's key signs: only the patient or a
    // guardian may share). Without it the emergency read releases a ciphertext nobody can open.
    const rec = this.record('dana');
    await this.step(
      'share:tariq-dana',
      "dana's record key is shared with tariq for the emergency",
      async () => {
        await this.rc('patient-dana').shareKey(fromHex(rec.id), 1, this.person('doctor-tariq').key.publicKey);
        return true;
      },
    );
    await this.read('tariq-dana-emergency', 'doctor-tariq', 'dana', rec, 'ETREAT');
  }
}
