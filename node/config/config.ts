/**
 * Node configuration and genesis: their shapes, defaults and validation. A node's home directory
 * holds `config.json` (this node's settings), `genesis.json` (identical on every node of a chain)
 * and `keys/validator.json` (the validator's ed25519 seed, mode 0600, never logged).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** A validator as genesis names it. */
export interface GenesisValidator {
  readonly name: string;
  /** Raw ed25519 public key, 64 hex chars. Its libp2p peer id derives from it. */
  readonly publicKey: string;
  /** libp2p multiaddrs where the validator can be dialled. */
  readonly p2p: readonly string[];
  /** Base URL of its HTTP API (informational: the explorer links to it). */
  readonly http: string;
}

/** A consortium member registered in the consent contract at genesis, with its first admin. */
export interface GenesisOrganisation {
  /** Organisation code, 1..32 chars (e.g. "hospital-1"). */
  readonly id: string;
  readonly kind: 'hospital' | 'insurer' | 'research';
  /** The first admin's ed25519 public key, 64 hex chars. */
  readonly adminKey: string;
  /** sha256 of the admin's certificate, 64 hex chars. */
  readonly adminCert: string;
}

export interface Genesis {
  readonly chainId: string;
  /** ms since the Unix epoch; the time of height 0. */
  readonly time: number;
  readonly validators: readonly GenesisValidator[];
  /** Organisations (and their first admins) the consent contract starts with. */
  readonly organisations: readonly GenesisOrganisation[];
}

export interface BlockOptions {
  /** A leader with pending txs cuts a block at least this often. */
  readonly intervalMs: number;
  readonly maxTxs: number;
  readonly maxBytes: number;
}

export interface RaftTimingOptions {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Take a state snapshot and compact the Raft log every this many applied entries... */
  readonly snapshotEvery: number;
  /**
   * ...or once this many bytes of entries were applied since the last snapshot, whichever comes
   * first. The Raft log is held in memory until compacted, so this bounds a node's memory.
   */
  readonly snapshotBytes: number;
  /**
   * Raft entries kept below a snapshot when compacting, so a briefly lagging follower catches up
   * from the log; one further behind gets the snapshot (InstallSnapshot).
   */
  readonly keepEntries: number;
  /** At most this many bytes of entries are kept below a snapshot (the fewer of the two limits wins). */
  readonly keepBytes: number;
}

export interface MempoolOptions {
  readonly maxTxs: number;
  readonly maxBytes: number;
  /** How far ahead of a sender's committed nonce a tx may be. */
  readonly nonceWindow: number;
}

export interface NodeConfig {
  readonly name: string;
  readonly chainId: string;
  /** Absolute after loading. */
  readonly dataDir: string;
  readonly keyFile: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly p2p: { readonly listen: readonly string[]; readonly announce: readonly string[] };
  readonly block: BlockOptions;
  readonly raft: RaftTimingOptions;
  readonly mempool: MempoolOptions;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export const defaultBlockOptions: BlockOptions = { intervalMs: 50, maxTxs: 1000, maxBytes: 4 * 1024 * 1024 };
// etcd's defaults: heartbeat 100 ms, election timeout 1 s (randomised to 1-2 s). 500 ms measured too
// short for validators that share a loaded machine: the event loop lags past it and elects needlessly.
export const defaultRaftTimingOptions: RaftTimingOptions = {
  tickMs: 100,
  electionTicks: 10,
  heartbeatTicks: 1,
  snapshotEvery: 20_000,
  snapshotBytes: 32 * 1024 * 1024,
  keepEntries: 2_000,
  keepBytes: 8 * 1024 * 1024,
};
export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 50_000,
  maxBytes: 64 * 1024 * 1024,
  nonceWindow: 1024,
};

/** A configuration or genesis file that cannot be used, with the field at fault. */
export class ConfigError extends Error {
  constructor(
    readonly code: 'config_missing' | 'config_invalid' | 'genesis_invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field<T>(obj: Json, key: string, check: (v: unknown) => v is T, what: string, ctx: string): T {
  const v = obj[key];
  if (!check(v)) throw new ConfigError('config_invalid', `${ctx}.${key}: expected ${what}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isPort = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 65536;
const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isHexKey = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

function optionalObject(obj: Json, key: string, ctx: string): Json {
  const v = obj[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new ConfigError('config_invalid', `${ctx}.${key}: expected an object`);
  return v;
}

function numbers<T extends object>(defaults: T, given: Json, ctx: string): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) throw new ConfigError('config_invalid', `${ctx}.${k}: unknown field`);
    if (!isPositiveInt(v))
      throw new ConfigError('config_invalid', `${ctx}.${k}: expected a positive integer`);
    out[k] = v;
  }
  return out as T;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Validates a parsed config.json; relative paths resolve against `home`. */
export function parseNodeConfig(raw: unknown, home: string): NodeConfig {
  if (!isObject(raw)) throw new ConfigError('config_invalid', 'config: expected a JSON object');
  const known = new Set([
    'name',
    'chainId',
    'dataDir',
    'keyFile',
    'http',
    'p2p',
    'block',
    'raft',
    'mempool',
    'logLevel',
  ]);
  for (const k of Object.keys(raw)) {
    if (!known.has(k)) throw new ConfigError('config_invalid', `config.${k}: unknown field`);
  }
  const abs = (p: string) => (isAbsolute(p) ? p : join(home, p));
  const http = optionalObject(raw, 'http', 'config');
  const p2p = optionalObject(raw, 'p2p', 'config');
  const logLevel = raw.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel as NodeConfig['logLevel'])) {
    throw new ConfigError('config_invalid', `config.logLevel: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    name: field(raw, 'name', isString, 'a non-empty string', 'config'),
    chainId: field(raw, 'chainId', isString, 'a non-empty string', 'config'),
    dataDir: abs(raw.dataDir === undefined ? 'data' : field(raw, 'dataDir', isString, 'a path', 'config')),
    keyFile: abs(
      raw.keyFile === undefined ? 'keys/validator.json' : field(raw, 'keyFile', isString, 'a path', 'config'),
    ),
    http: {
      host: http.host === undefined ? '127.0.0.1' : field(http, 'host', isString, 'a host', 'config.http'),
      port: field(http, 'port', isPort, 'a port number', 'config.http'),
    },
    p2p: {
      listen: field(p2p, 'listen', isStringArray, 'an array of multiaddrs', 'config.p2p'),
      announce:
        p2p.announce === undefined ? [] : field(p2p, 'announce', isStringArray, 'multiaddrs', 'config.p2p'),
    },
    block: numbers(defaultBlockOptions, optionalObject(raw, 'block', 'config'), 'config.block'),
    raft: numbers(defaultRaftTimingOptions, optionalObject(raw, 'raft', 'config'), 'config.raft'),
    mempool: numbers(defaultMempoolOptions, optionalObject(raw, 'mempool', 'config'), 'config.mempool'),
    logLevel: logLevel as NodeConfig['logLevel'],
  };
}

/** Validates a parsed genesis.json. */
export function parseGenesis(raw: unknown): Genesis {
  const bad = (msg: string) => new ConfigError('genesis_invalid', `genesis${msg}`);
  if (!isObject(raw)) throw bad(': expected a JSON object');
  if (!isString(raw.chainId)) throw bad('.chainId: expected a non-empty string');
  if (!Number.isSafeInteger(raw.time) || (raw.time as number) < 0)
    throw bad('.time: expected ms since epoch');
  if (!Array.isArray(raw.validators) || raw.validators.length === 0)
    throw bad('.validators: expected a non-empty array');
  const names = new Set<string>();
  const keys = new Set<string>();
  const validators = raw.validators.map((v: unknown, i: number): GenesisValidator => {
    if (!isObject(v)) throw bad(`.validators[${i}]: expected an object`);
    if (!isString(v.name)) throw bad(`.validators[${i}].name: expected a string`);
    if (!isHexKey(v.publicKey)) throw bad(`.validators[${i}].publicKey: expected 64 lowercase hex chars`);
    if (!isStringArray(v.p2p)) throw bad(`.validators[${i}].p2p: expected an array of multiaddrs`);
    if (!isString(v.http)) throw bad(`.validators[${i}].http: expected a URL`);
    if (names.has(v.name)) throw bad(`.validators[${i}].name: duplicate ${v.name}`);
    if (keys.has(v.publicKey)) throw bad(`.validators[${i}].publicKey: duplicate key`);
    names.add(v.name);
    keys.add(v.publicKey);
    return { name: v.name, publicKey: v.publicKey, p2p: v.p2p, http: v.http };
  });
  const rawOrgs = raw.organisations ?? [];
  if (!Array.isArray(rawOrgs)) throw bad('.organisations: expected an array');
  const orgIds = new Set<string>();
  const organisations = rawOrgs.map((o: unknown, i: number): GenesisOrganisation => {
    if (!isObject(o)) throw bad(`.organisations[${i}]: expected an object`);
    if (typeof o.id !== 'string' || !/^[a-z0-9][a-z0-9_.-]{0,31}$/.test(o.id)) {
      throw bad(`.organisations[${i}].id: expected 1..32 chars of [a-z0-9_.-]`);
    }
    if (o.kind !== 'hospital' && o.kind !== 'insurer' && o.kind !== 'research') {
      throw bad(`.organisations[${i}].kind: expected hospital, insurer or research`);
    }
    if (!isHexKey(o.adminKey)) throw bad(`.organisations[${i}].adminKey: expected 64 lowercase hex chars`);
    if (!isHexKey(o.adminCert)) throw bad(`.organisations[${i}].adminCert: expected 64 lowercase hex chars`);
    if (orgIds.has(o.id)) throw bad(`.organisations[${i}].id: duplicate ${o.id}`);
    orgIds.add(o.id);
    return { id: o.id, kind: o.kind, adminKey: o.adminKey, adminCert: o.adminCert };
  });
  return { chainId: raw.chainId, time: raw.time as number, validators, organisations };
}

async function readJson(path: string, code: ConfigError['code']): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError('config_missing', `cannot read ${path}: run \`ehrchain init\` first`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(code, `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and validates `config.json` and `genesis.json` from a node's home directory. */
export async function loadHome(home: string): Promise<{ config: NodeConfig; genesis: Genesis }> {
  const config = parseNodeConfig(await readJson(join(home, 'config.json'), 'config_invalid'), home);
  const genesis = parseGenesis(await readJson(join(home, 'genesis.json'), 'genesis_invalid'));
  if (genesis.chainId !== config.chainId) {
    throw new ConfigError(
      'config_invalid',
      `config.chainId ${config.chainId} differs from genesis ${genesis.chainId}`,
    );
  }
  return { config, genesis };
}
