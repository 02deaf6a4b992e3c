/**
 * What every `ehrchain consent` command shares: the common flags, opening a consent client for
 * the signer, and printing the outcome (a line for people, or `--json`). A refusal by the contract
 * prints its reason as a sentence (and the code) and sets exit code 1.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ApiError, EhrClient } from '../../client/client.js';
import { ConsentClient, ConsentError } from '../../client/consent.js';
import { readKeyFile } from '../../client/keyfile.js';
import { resolveActor, UsageError } from './args.js';

/** Flags every consent command takes. */
export interface CommonFlags {
  readonly key?: string;
  readonly url: string;
  readonly json?: boolean;
}

/** An open session: the signer's client, the time "now" means, and actor resolution. */
export interface Session {
  readonly cc: ConsentClient;
  readonly now: number;
  /** The actor id an actor argument names (key file, public key, actor id). */
  actor(v: string): Promise<string>;
}

/** A command's outcome: one JSON value, and the text shown to people. */
export interface Outcome {
  readonly json: unknown;
  readonly text: string;
}

/** Adds --key, --url and --json to a command. */
export function common(c: Command, keyRequired = true): Command {
  const withKey = keyRequired
    ? c.requiredOption('--key <file>', "the signer's key file")
    : c.option('--key <file>', 'your key file (default for --patient)');
  return withKey
    .option('--url <url>', 'node HTTP API', 'http://127.0.0.1:8080')
    .option('--json', 'print JSON instead of text');
}

async function open(o: CommonFlags): Promise<Session> {
  const client = new EhrClient(o.url);
  const { chainId } = await client.status();
  // Queries sign nothing: without --key any seed will do.
  const seed = o.key === undefined ? new Uint8Array(randomBytes(32)) : (await readKeyFile(o.key)).seed;
  const cc = new ConsentClient(client, seed, chainId);
  return {
    cc,
    now: Date.now(),
    actor: (v) => resolveActor(v, async (id) => (await cc.actor(id)) !== null),
  };
}

/** Wraps a command body: opens the session, prints the outcome or the refusal. */
export function action<O extends CommonFlags>(
  body: (o: O, s: Session) => Promise<Outcome>,
): (o: O) => Promise<void> {
  return async (o) => {
    try {
      const out = await body(o, await open(o));
      console.log(o.json === true ? JSON.stringify(out.json, null, 2) : out.text);
    } catch (err) {
      process.exitCode = 1;
      const e = describe(err);
      if (e === null) throw err;
      if (o.json === true) console.log(JSON.stringify({ error: e }, null, 2));
      else console.error(`refused: ${e.sentence} (${e.code})`);
    }
  };
}

function describe(err: unknown): { code: string; sentence: string; method?: string } | null {
  if (err instanceof ConsentError) return { code: err.code, sentence: err.sentence, method: err.method };
  if (err instanceof UsageError) return { code: err.code, sentence: err.message };
  if (err instanceof ApiError) return { code: err.code, sentence: `The node refused: ${err.message}` };
  return null;
}

/** A time as people read it (UTC, minutes). */
export const when = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
