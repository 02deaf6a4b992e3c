/**
 * The demo on a running devnet: once a leader is elected, seed the consortium (seed.ts; a no-op
 * after the first time), print how to act as each demo person, then run the bounded synthetic
 * activity (activity.ts) until the devnet stops. Runs beside the nodes and never delays them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Account, EhrClient } from '../../client/client.js';
import { generateKeyPair, readKeyFile, writeKeyFile } from '../../client/keyfile.js';
import { RecordsClient } from '../../client/records.js';
import { fromHex } from '../../protocol/chain/encoding.js';
import { ActivityLoop, type ActivityStep, defaultActivityOptions, timerSleep } from './activity.js';
import { ORG_NODE } from './cast.js';
import { displayPath, type PersonHints, personLine } from './people.js';
import { DemoSeedError, type SeedResult, seedDemo } from './seed.js';

export interface DemoOptions {
  /** The devnet directory (keys, node homes, people/, demo/). */
  readonly dir: string;
  /** Node i's HTTP URL. */
  readonly urls: readonly string[];
  /** Run the synthetic activity after seeding (`--no-activity` turns it off). */
  readonly activity: boolean;
  readonly activityIntervalMs?: number;
  readonly log: (line: string) => void;
  /** Aborted when the devnet stops. */
  readonly signal: AbortSignal;
}

/** How long to wait for the first leader before giving up on the demo (the nodes keep running). */
const READY_TIMEOUT_MS = 120_000;

/** Seeds (or finds) the demo, prints the people, runs the activity until `signal` aborts. */
export async function runDemo(o: DemoOptions): Promise<void> {
  const log = o.log;
  try {
    if (!(await waitForLeader(o))) {
      if (!o.signal.aborted)
        log(`the nodes had no leader after ${READY_TIMEOUT_MS / 1000} s: no demo seeding this time`);
      return;
    }
    if (!existsSync(join(o.dir, 'demo', 'seeded.json')))
      log('seeding the synthetic demo consortium (the nodes are already serving)...');
    const seeded = await seedDemo({ dir: o.dir, urls: o.urls, log, signal: o.signal });
    printPeople(o, seeded);
    if (!o.activity) return;
    const loop = new ActivityLoop(
      { intervalMs: o.activityIntervalMs ?? defaultActivityOptions.intervalMs },
      {
        steps: await activitySteps(o, seeded),
        sleep: timerSleep,
        onError: (err, n) => {
          if (n === 1) log(`activity paused: ${err instanceof Error ? err.message : String(err)}`);
        },
      },
    );
    loop.start();
    log('synthetic activity: a kv put or a record read every few seconds (--no-activity turns it off)');
    await new Promise<void>((resolve) => {
      if (o.signal.aborted) resolve();
      else o.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await loop.stop();
  } catch (err) {
    if (o.signal.aborted) return;
    if (err instanceof DemoSeedError && err.code === 'step_failed') {
      log(`demo seeding stopped: ${err.message}`);
      log('the chain keeps the steps done so far; start the devnet again to resume from this step,');
      log(`or delete ${o.dir} for a fresh demo chain`);
    } else log(`demo not seeded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// Every node's HTTP API answers and node 1 knows a leader: each organisation's people use their node.
async function waitForLeader(o: DemoOptions): Promise<boolean> {
  const clients = o.urls.map((u) => new EhrClient(u));
  for (let waited = 0; waited < READY_TIMEOUT_MS && !o.signal.aborted; waited += 250) {
    const st = await Promise.all(clients.map((c) => c.status().catch(() => null)));
    if (st.every((s) => s !== null) && st[0]?.leader != null) return true;
    await timerSleep(250, o.signal);
  }
  return false;
}

function printPeople(o: DemoOptions, s: SeedResult): void {
  const rec = (patient: string, category?: string) =>
    s.records.get(patient)?.find((r) => category === undefined || r.category === category)?.id;
  const jo = s.people.get('patient-jo');
  const hints: Record<string, PersonHints> = {
    'doctor-rosa': { recordId: rec('dana') },
    'doctor-sam': { recordId: rec('dana', 'lab') },
    'doctor-tariq': { recordId: rec('ana') },
    'guardian-victor': jo === undefined ? {} : { patientFile: displayPath(jo.path) },
  };
  const lines = [...s.people].map(([file, p]) =>
    personLine(p, o.urls[ORG_NODE[p.org] % o.urls.length] ?? '', hints[file] ?? {}),
  );
  o.log(
    [
      'demo chain, synthetic data only. Act as any of these people (their key files are in people/):',
      ...lines,
    ].join('\n'),
  );
}

/**
 * The activity's steps, in turn: a kv put (`demo-heartbeat` = the tick) by a key of its own
 * (`demo/activity.json`), another, and rosa reading one of her patients' records; tick i goes
 * through node i mod n.
 */
export async function activitySteps(
  o: Pick<DemoOptions, 'dir' | 'urls'>,
  s: SeedResult,
): Promise<ActivityStep[]> {
  const { chainId } = await new EhrClient(o.urls[0] ?? '').status();
  const file = join(o.dir, 'demo', 'activity.json');
  if (!existsSync(file)) await writeKeyFile(file, generateKeyPair());
  const account = new Account((await readKeyFile(file)).seed, chainId);
  const client = (tick: number) => new EhrClient(o.urls[tick % o.urls.length] ?? '');
  const rosa = s.people.get('doctor-rosa');
  const readable = ['dana', 'fatima', 'jo'].flatMap((p) => s.records.get(p) ?? []);
  const put: ActivityStep = async (tick) => {
    const c = client(tick);
    try {
      const value = new TextEncoder().encode(String(tick));
      await account.call(c, 'kv', 'put', [new TextEncoder().encode('demo-heartbeat'), value]);
    } catch (err) {
      // A refused or lost tx leaves our nonce guess wrong: learn it again before the next put.
      await account.sync(c).catch(() => undefined);
      throw err;
    }
  };
  const read: ActivityStep = async (tick) => {
    const r = readable[Math.floor(tick / 3) % readable.length];
    if (rosa === undefined || r === undefined) return;
    await new RecordsClient(client(tick), rosa.key.seed, chainId).get(fromHex(r.id));
  };
  return [put, put, read];
}
