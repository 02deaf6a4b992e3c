/**
 * Node configuration and genesis: their shapes, defaults and validation. A node's home directory
 * holds `config.json` (this node's settings), `genesis.json` (identical on every node of a chain)
 * and `keys/validator.json` (the validator's ed25519 seed, mode 0600, never logged).
 */

import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { type ChainFeatures, featuresProblem } from '../../protocol/chain/features.js';
import { ACTOR_EVENT_TYPES } from '../../protocol/notify.js';
import { type WebhookSubscriber, webhookProblem } from '../notify/options.js';
import { defaultNodeOptions, type NodeOptions } from '../options.js';

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
  /** Rule changes and the height each takes effect at (protocol/chain/features.ts); absent: none. */
  readonly features?: ChainFeatures;
}

export interface NodeConfig {
  readonly name: string;
  readonly chainId: string;
  /** Absolute after loading. */
  readonly dataDir: string;
  readonly keyFile: string;
  readonly p2p: { readonly listen: readonly string[]; readonly announce: readonly string[] };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Every tuning knob (HTTP host and port included), the defaults with config.json laid over them. */
  readonly options: NodeOptions;
}

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
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isHexKey = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

function optionalObject(obj: Json, key: string, ctx: string): Json {
  const v = obj[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new ConfigError('config_invalid', `${ctx}.${key}: expected an object`);
  return v;
}

// Knobs where 0 means "off" rather than nonsense.
const ZERO_OK = new Set(['maxEventLoopDelayMs', 'maxApplyBacklog', 'maxIdleSenders', 'port']);
// Knobs that are a word, with the words allowed.
const WORDS: Readonly<Record<string, readonly string[]>> = {
  mode: ['sync', 'async', 'workers'],
  library: ['sodium', 'node'],
  verifyOnOpen: ['full', 'state', 'none'],
};

/**
 * Lays a config.json section over a module's defaults: only keys the defaults have, each of the
 * default's kind (a non-negative integer, a word from WORDS, or a nested section).
 */
function section<T extends object>(defaults: T, given: Json, ctx: string, skip: readonly string[] = []): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(given)) {
    if (skip.includes(k)) continue;
    const d = (defaults as Record<string, unknown>)[k];
    if (d === undefined) throw new ConfigError('config_invalid', `${ctx}.${k}: unknown field`);
    if (typeof d === 'object' && d !== null) {
      if (!isObject(v)) throw new ConfigError('config_invalid', `${ctx}.${k}: expected an object`);
      out[k] = section(d, v, `${ctx}.${k}`);
    } else if (typeof d === 'string') {
      const words = WORDS[k];
      if (words === undefined || typeof v !== 'string' || !words.includes(v))
        throw new ConfigError('config_invalid', `${ctx}.${k}: expected one of ${(words ?? []).join(', ')}`);
      out[k] = v;
    } else {
      const min = ZERO_OK.has(k) ? 0 : 1;
      if (!Number.isSafeInteger(v) || (v as number) < min)
        throw new ConfigError(
          'config_invalid',
          `${ctx}.${k}: expected ${min === 0 ? 'a non-negative' : 'a positive'} integer`,
        );
      out[k] = v;
    }
  }
  return out as T;
}

/** config.json's raft section; `electionTicks`/`heartbeatTicks` are the old names of two keys. */
function raftSection(given: Json): Json {
  const out: Json = { ...given };
  for (const [old, now] of [
    ['electionTicks', 'electionTick'],
    ['heartbeatTicks', 'heartbeatTick'],
  ] as const) {
    if (old in out) {
      if (now in out) throw new ConfigError('config_invalid', `config.raft: both ${old} and ${now}`);
      out[now] = out[old];
      delete out[old];
    }
  }
  return out;
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
    'tx',
    'verifier',
    'raft',
    'mempool',
    'records',
    'notify',
    'fhir',
    'store',
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
    p2p: {
      listen: field(p2p, 'listen', isStringArray, 'an array of multiaddrs', 'config.p2p'),
      announce:
        p2p.announce === undefined ? [] : field(p2p, 'announce', isStringArray, 'multiaddrs', 'config.p2p'),
    },
    options: nodeOptionsFromConfig(raw, http, p2p),
    logLevel: logLevel as NodeConfig['logLevel'],
  };
}

/** The one place config.json maps onto the node's options (every section optional). */
function nodeOptionsFromConfig(raw: Json, http: Json, p2p: Json): NodeOptions {
  const d = defaultNodeOptions;
  const httpOpts = section(d.http, http, 'config.http', ['host', 'port']);
  return {
    block: section(d.block, optionalObject(raw, 'block', 'config'), 'config.block'),
    tx: section(d.tx, optionalObject(raw, 'tx', 'config'), 'config.tx'),
    verifier: section(d.verifier, optionalObject(raw, 'verifier', 'config'), 'config.verifier'),
    raft: section(d.raft, raftSection(optionalObject(raw, 'raft', 'config')), 'config.raft'),
    mempool: section(d.mempool, optionalObject(raw, 'mempool', 'config'), 'config.mempool'),
    http: {
      ...httpOpts,
      host: http.host === undefined ? d.http.host : field(http, 'host', isString, 'a host', 'config.http'),
      port: field(http, 'port', isPort, 'a port number', 'config.http'),
    },
    p2p: section(d.p2p, p2p, 'config.p2p', ['listen', 'announce']),
    records: section(d.records, optionalObject(raw, 'records', 'config'), 'config.records'),
    notify: notifySection(optionalObject(raw, 'notify', 'config')),
    fhir: fhirSection(optionalObject(raw, 'fhir', 'config')),
    store: section(d.store, optionalObject(raw, 'store', 'config'), 'config.store'),
  };
}

/** `notify`: the numeric knobs as any section, and `webhooks` validated entry by entry. */
function notifySection(given: Json): NodeOptions['notify'] {
  const d = defaultNodeOptions.notify;
  const out = section(d, given, 'config.notify', ['webhooks']);
  if (given.webhooks === undefined) return out;
  if (!Array.isArray(given.webhooks))
    throw new ConfigError('config_invalid', 'config.notify.webhooks: expected an array');
  const webhooks = given.webhooks.map((w: unknown, i: number) => {
    const problem = webhookProblem(w, ACTOR_EVENT_TYPES);
    if (problem !== null) throw new ConfigError('config_invalid', `config.notify.webhooks[${i}].${problem}`);
    return w as WebhookSubscriber;
  });
  return { ...out, webhooks };
}

function fhirSection(given: Json): NodeOptions['fhir'] {
  section(defaultNodeOptions.fhir, given, 'config.fhir', ['jurisdiction']);
  const j = given.jurisdiction;
  return j === undefined
    ? defaultNodeOptions.fhir
    : { jurisdiction: field(given, 'jurisdiction', isString, 'a non-empty string', 'config.fhir') };
}

/** Validates a parsed genesis.json. */
function parseGenesis(raw: unknown): Genesis {
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
  if (raw.features !== undefined) {
    const problem = featuresProblem(raw.features);
    if (problem !== null) throw bad(`.features${problem}`);
  }
  const features = raw.features === undefined ? {} : { features: raw.features as ChainFeatures };
  return { chainId: raw.chainId, time: raw.time as number, validators, organisations, ...features };
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
