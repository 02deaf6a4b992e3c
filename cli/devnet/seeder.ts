/**
 * The machinery of the demo seeding: each person's clients on their organisation's node, journaled
 * steps (a step done is never sent again), terms relative to now, reads. story.ts tells the story.
 */
import { EhrClient } from '../../client/client.js';
import { actorIdOf, ConsentClient, ConsentError } from '../../client/consent.js';
import { RecordsClient } from '../../client/records.js';
import { fromHex } from '../../protocol/chain/encoding.js';
import type { PurposeName } from '../../protocol/records/request.js';
import type { Grantee, Terms } from '../../vm/consent/types.js';
import { timerSleep } from './activity.js';
import { ORG_NODE } from './cast.js';
import type { Journal, StepResult } from './journal.js';
import type { Person } from './people.js';

export const DAY = 86_400_000;

/** Tries of a step that fails for another reason than the contract's refusal. */
const STEP_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 1_000;

/**
 * Refusals that mean a resumed step was done already (its tx committed before the journal said so):
 * the step counts as done. None of these steps' results is used by a later step.
 */
const ALREADY_DONE: ReadonlySet<string> = new Set([
  'actor_exists',
  'org_exists',
  'already_linked',
  'already_revoked',
  'already_cosigned',
  'already_attested',
  'request_answered',
]);

/** `doctor-rosa` -> `rosa`. */
export const short = (file: string): string => file.slice(file.indexOf('-') + 1);

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

/** Steps and clients of one seeding; story.ts's DemoStory runs the story on it. */
export class Seeder {
  stepsRun = 0;

  constructor(
    protected readonly opts: SeedOptions,
    protected readonly chainId: string,
    protected readonly journal: Journal,
    protected readonly people: ReadonlyMap<string, Person>,
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

  /** A person's actor id (hex). */
  id(file: string): string {
    return actorIdOf(this.person(file).key.publicKey);
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
    let result: T | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await f();
        break;
      } catch (err) {
        if (this.opts.signal?.aborted) throw err;
        // The devnet stopped after this step's tx committed but before the journal said so.
        if (err instanceof ConsentError && ALREADY_DONE.has(err.code)) break;
        // A node busy or not serving yet (503, timeout, refused connection) gets two more tries; a
        // refusal by the contract is final.
        if (err instanceof ConsentError || attempt === STEP_ATTEMPTS) {
          const why = err instanceof Error ? err.message : String(err);
          throw new DemoSeedError('step_failed', `step ${name} failed: ${why}`, name);
        }
        await timerSleep(RETRY_PAUSE_MS * attempt, this.opts.signal ?? new AbortController().signal);
      }
    }
    await this.journal.put(name, result);
    this.stepsRun++;
    this.log(result === null ? `${label} (already on chain)` : label);
    // Only steps whose result nobody reads can end up already done (see ALREADY_DONE).
    return result as T;
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
    const [who, whom] = [name.slice(0, name.indexOf('-')), name.slice(name.indexOf('-') + 1)];
    return this.step(`grant:${name}`, `${who} grants ${whom}`, () =>
      by.grant(grantee, terms, this.id(patient)),
    );
  }

  actor(file: string): Grantee {
    return { kind: 'actor', id: this.id(file) };
  }

  async read(name: string, reader: string, patient: string, rec: DemoRecord, purpose: PurposeName) {
    await this.step(
      `read:${name}`,
      `${short(reader)} reads ${patient}'s ${rec.category} record`,
      async () => {
        // Fetched, unwrapped and decrypted: an emergency read too (its key is shared first, story.ts).
        await this.rc(reader).get(fromHex(rec.id), { purpose });
        return true;
      },
    );
  }
}
