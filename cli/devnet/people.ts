/**
 * The demo people's key files, `<devnet>/people/<role>-<name>.json` in the `ehrchain keygen` format
 * (client/keyfile.ts), made once and reused on every later run; and the line printed for each
 * person saying how to act as them in the portal and from the CLI.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { generateKeyPair, type KeyPair, readKeyFile, writeKeyFile } from '../../client/keyfile.js';
import { type DemoPerson, personFile } from './cast.js';

/** A demo person with their key and key file. */
export interface Person extends DemoPerson {
  readonly key: KeyPair;
  /** The key file's path. */
  readonly path: string;
}

/**
 * Loads each person's key file, creating the missing ones. A hospital's admin gets a copy of the
 * genesis admin key (`keys/admin-<org>.json`, made by init), so the demo admin is the real one.
 */
export async function loadPeople(dir: string, cast: readonly DemoPerson[]): Promise<Map<string, Person>> {
  const out = new Map<string, Person>();
  for (const p of cast) {
    const path = join(dir, 'people', `${personFile(p)}.json`);
    if (!existsSync(path)) {
      const genesisAdmin = join(dir, 'keys', `admin-${p.org}.json`);
      const key =
        p.role === 'admin' && existsSync(genesisAdmin) ? await readKeyFile(genesisAdmin) : generateKeyPair();
      await writeKeyFile(path, key);
    }
    out.set(personFile(p), { ...p, key: await readKeyFile(path), path });
  }
  return out;
}

/** A path as people type it from here: relative below the working directory, else absolute. */
export function displayPath(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? resolve(path) : r;
}

/** What each role would try first from the CLI, as them (`--key` and `--url` are added). */
function cliExample(p: Person, file: string, extra: PersonHints): string {
  switch (p.role) {
    case 'patient':
      return 'consent trail';
    case 'guardian':
      return `consent requests --patient ${extra.patientFile ?? '<patient key file>'}`;
    case 'doctor':
      return extra.recordId === undefined
        ? `consent requests --by ${file}`
        : `record get --record ${extra.recordId}`;
    case 'insurer':
    case 'researcher':
      return `consent requests --by ${file}`;
    default:
      // Runnable as printed: a new person's key first, then the admin registers it.
      return `keygen --out new-patient-${p.name}.json && npx ehrchain consent register --role patient --actor new-patient-${p.name}.json`;
  }
}

/** What makes a person's CLI example concrete: their ward's key file, a record they may read. */
export interface PersonHints {
  readonly patientFile?: string;
  readonly recordId?: string;
}

/**
 * Two lines per person: who they are and how to open their portal (`open http://127.0.0.1:8081/portal/
 * and import .data/devnet/people/patient-ana.json`), then the same person from the CLI.
 */
export function personLine(p: Person, url: string, hints: PersonHints = {}): string {
  const file = displayPath(p.path);
  const portal = `  ${personFile(p)} (${p.org}, ${p.about}): open ${url}/portal/ and import ${file}`;
  const cli = `      npx ehrchain ${cliExample(p, file, hints)} --key ${file} --url ${url}`;
  return `${portal}\n${cli}`;
}
