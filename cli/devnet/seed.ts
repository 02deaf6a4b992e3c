/**
 * Seeds the demo consortium (cast.ts) into a running demo chain through the public HTTP API only,
 * with the TypeScript client, as the people themselves would: governance adds the insurer, admins
 * register their staff and patients, patients grant, doctors write records, people read them, one
 * doctor breaks the glass. Every step is journaled (journal.ts), so a seeding cut short resumes at
 * the step it stopped at; once all are done a marker makes every later call a no-op.
 */
import { EhrClient } from '../../client/client.js';
import { DEMO_STAFF, demoPatients, isDemoChain } from './cast.js';
import { Journal } from './journal.js';
import { loadPeople, type Person } from './people.js';
import { type DemoRecord, DemoSeedError, type SeedOptions } from './seeder.js';
import { DemoStory } from './story.js';

export { type DemoRecord, DemoSeedError, type SeedOptions } from './seeder.js';

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
  const s = new DemoStory(opts, chainId, journal, people, log);
  const records = new Map(patients.map((p) => [p.name, s.recordsOf(p.name)]));
  if (Journal.isSeeded(opts.dir)) return { fresh: false, stepsRun: 0, people, records, journal };
  const t0 = Date.now();
  await s.run(patients);
  await journal.finish({ steps: Object.keys(journal.data.steps).length });
  log(`demo consortium seeded (${s.stepsRun} steps, ${Math.round((Date.now() - t0) / 1000)} s)`);
  return {
    fresh: true,
    stepsRun: s.stepsRun,
    people,
    records: new Map(patients.map((p) => [p.name, s.recordsOf(p.name)])),
    journal,
  };
}
