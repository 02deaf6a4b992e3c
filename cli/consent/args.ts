/**
 * Flag values of `ehrchain consent` as people write them, turned into the model's values: role,
 * purpose, action, scope and exception names, dates (ISO, `now`, `+30d`), and actors (a key file,
 * a public key, or an actor id). Throws {@link UsageError} for anything it cannot read.
 */
import { existsSync } from 'node:fs';
import { readKeyFile } from '../../client/keyfile.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { actorId } from '../../protocol/records/consent-calls.js';
import type { Action, AttestationKind, Exception, Purpose, Role, Scope } from '../../vm/consent/types.js';

/** A flag value that cannot be read; the CLI prints it and exits 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

const ROLES: readonly Role[] = [
  'admin',
  'doctor',
  'patient',
  'guardian',
  'insurer',
  'researcher',
  'node',
  'custodian',
];

/** Purpose names on the command line -> the contract's purpose-of-use codes. */
const PURPOSE_NAMES: Readonly<Record<string, Purpose>> = {
  treatment: 'TREAT',
  payment: 'HPAYMT',
  research: 'HRESCH',
  emergency: 'ETREAT',
};
/** The command-line name of a purpose code. */
export const purposeLabel = (p: Purpose): string =>
  Object.entries(PURPOSE_NAMES).find(([, v]) => v === p)?.[0] ?? p;

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function parseRole(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  return v as Role;
}

/** `treatment,payment` (or the codes TREAT, HPAYMT, ...). */
export function parsePurposes(v: string): Purpose[] {
  return list(v).map((p) => {
    const code =
      PURPOSE_NAMES[p.toLowerCase()] ?? (Object.values(PURPOSE_NAMES).find((c) => c === p) as Purpose);
    if (code === undefined)
      throw new UsageError(`--purpose must be among ${Object.keys(PURPOSE_NAMES).join(', ')}`);
    return code;
  });
}

/** `read,write`. */
export function parseActions(v: string): Action[] {
  return list(v).map((a) => {
    if (a !== 'read' && a !== 'write') throw new UsageError('--actions must be among read, write');
    return a;
  });
}

/** `all`, `categories:lab,imaging` or `record:<id hex>`. */
export function parseScope(v: string): Scope {
  if (v === 'all') return { kind: 'all' };
  if (v.startsWith('categories:')) {
    const categories = list(v.slice('categories:'.length));
    if (categories.length === 0) throw new UsageError('--scope categories: names no category');
    return { kind: 'categories', categories };
  }
  if (v.startsWith('record:'))
    return { kind: 'record', recordId: hexId(v.slice('record:'.length), '--scope record:') };
  throw new UsageError('--scope must be all, categories:<a,b> or record:<id>');
}

/** `category:<code>` or `record:<id>`, for --except (repeatable). */
export function parseException(v: string): Exception {
  if (v.startsWith('category:')) return { kind: 'category', category: v.slice('category:'.length) };
  if (v.startsWith('record:'))
    return { kind: 'record', recordId: hexId(v.slice('record:'.length), '--except record:') };
  throw new UsageError('--except must be category:<code> or record:<id>');
}

export function parseAttestationKind(v: string): AttestationKind {
  if (v !== 'patient-confirmed' && v !== 'admin-validated' && v !== 'co-signed')
    throw new UsageError('--kind must be patient-confirmed, admin-validated or co-signed');
  return v;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `90s`, `15m`, `2h`, `30d`. */
export function parseDuration(v: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(v);
  if (m === null) throw new UsageError(`not a duration: ${v} (write 90s, 15m, 2h or 30d)`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1_000);
}

/** A time: `now`, `+2h` / `-1d` from `now`, an ISO date (`2025-03-01`, `2025-03-01T12:00Z`) or ms. */
export function parseTime(v: string, now: number): number {
  if (v === 'now') return now;
  if (v.startsWith('+')) return now + parseDuration(v.slice(1));
  if (v.startsWith('-')) return now - parseDuration(v.slice(1));
  if (/^\d{12,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`not a date: ${v} (write now, +30d, or 2025-03-01)`);
  return t;
}

function hexId(v: string, what: string): string {
  if (!/^[0-9a-f]{64}$/i.test(v)) throw new UsageError(`${what} must be 64 hex digits`);
  return v.toLowerCase();
}

/** What an actor argument names. */
export type ActorRef =
  | { readonly kind: 'key'; readonly publicKey: string }
  | { readonly kind: 'id'; readonly id: string };

/**
 * Reads an actor argument: a key file (a path that exists), `key:<hex>` / `id:<hex>`, or bare
 * hex, which is ambiguous (a public key and an actor id are both 32 bytes) and left to
 * {@link resolveActor} to settle on chain.
 */
async function readActorArg(v: string): Promise<ActorRef | { readonly kind: 'hex'; readonly hex: string }> {
  if (v.startsWith('key:')) return { kind: 'key', publicKey: hexId(v.slice(4), 'key:') };
  if (v.startsWith('id:')) return { kind: 'id', id: hexId(v.slice(3), 'id:') };
  if (/^[0-9a-f]{64}$/i.test(v)) return { kind: 'hex', hex: v.toLowerCase() };
  if (existsSync(v)) return { kind: 'key', publicKey: toHex((await readKeyFile(v)).publicKey) };
  throw new UsageError(`${v} is neither a key file, a public key nor an actor id`);
}

/**
 * The actor id an argument names. Bare hex is taken as a public key if that key's actor is
 * registered (`isRegistered`), else as an actor id.
 */
export async function resolveActor(
  v: string,
  isRegistered: (id: string) => Promise<boolean>,
): Promise<string> {
  const r = await readActorArg(v);
  if (r.kind === 'id') return r.id;
  if (r.kind === 'key') return toHex(actorId(fromHex(r.publicKey)));
  const asKey = toHex(actorId(fromHex(r.hex)));
  return (await isRegistered(asKey)) ? asKey : r.hex;
}

/** The public key an argument names (register needs a key, not an id). */
export async function resolvePublicKey(v: string): Promise<string> {
  const r = await readActorArg(v);
  if (r.kind === 'id') throw new UsageError('register needs a public key or a key file, not an actor id');
  return r.kind === 'key' ? r.publicKey : r.hex;
}
