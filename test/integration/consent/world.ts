/**
 * A consent world on a real 3-validator network, driven only through HTTP with ConsentClient:
 * hospital-1's admin (from the network's key files), actors it registers, and an insurer
 * organisation added by governance (two validators approve).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Account } from '../../../client/client.js';
import { ConsentClient, ConsentError } from '../../../client/consent.js';
import { readKeyFile } from '../../../client/keyfile.js';
import { encodeAction } from '../../../node/contracts/governance.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { encodeInt } from '../../../vm/abi.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import type { Role } from '../../../vm/consent/types.js';
import type { Network } from '../../helpers/network.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** One actor: its seed and its consent client on a chosen node. */
export interface Actor {
  readonly seed: Uint8Array;
  readonly key: string;
  readonly id: string;
  readonly cc: ConsentClient;
}

export class ConsentWorld {
  admin!: ConsentClient;
  insurerAdmin!: ConsentClient;
  #next = 0;

  constructor(readonly net: Network) {}

  async init(): Promise<this> {
    const k = await readKeyFile(join(this.net.dir, 'keys', 'admin-hospital-1.json'));
    this.admin = this.client(k.seed, 0);
    return this;
  }

  /** A consent client for a seed, on node `node` (default: round robin over the validators). */
  client(seed: Uint8Array, node = this.#next++ % this.net.nodes.length): ConsentClient {
    return new ConsentClient(this.net.node(node).client, seed, this.net.chainId);
  }

  /** Registers a new actor with `by` (default: hospital-1's admin). */
  async register(role: Role, by: ConsentClient = this.admin): Promise<Actor> {
    const seed = new Uint8Array(randomBytes(32));
    const key = toHex(publicKeyFromSeed(seed));
    const licensed = role === 'doctor' || role === 'insurer' || role === 'researcher';
    const id = await by.register({
      publicKey: key,
      role,
      licenceExpiry: licensed ? Date.now() + 365 * DAY : 0,
    });
    return { seed, key, id, cc: this.client(seed) };
  }

  /** Governance adds the organisation `insurer-1` (kind insurer) with a fresh first admin. */
  async addInsurer(): Promise<void> {
    const seed = new Uint8Array(randomBytes(32));
    const call = encodeOp({
      op: 'addOrg',
      org: 'insurer-1',
      kind: 'insurer',
      adminKey: toHex(publicKeyFromSeed(seed)),
      adminCertHash: toHex(new Uint8Array(randomBytes(32))),
    });
    const action = encodeAction({ kind: 'consentCall', method: call.method, args: call.args });
    const validator = async (i: number) =>
      new Account(
        (await readKeyFile(join(this.net.dir, `node${i + 1}`, 'keys', 'validator.json'))).seed,
        this.net.chainId,
      );
    const client = this.net.node(0).client;
    const p = await (await validator(0)).call(client, 'governance', 'propose', [action], {
      timeoutMs: 30_000,
    });
    expect(p.receipt?.status).toBe('ok');
    const id = Number(BigInt(`0x${p.receipt?.returnData ?? '0'}`));
    const a = await (await validator(1)).call(client, 'governance', 'approve', [encodeInt(id)], {
      timeoutMs: 30_000,
    });
    expect(a.receipt?.status).toBe('ok');
    this.insurerAdmin = this.client(seed, 1);
  }
}

/** Runs `f` and returns the ConsentError it must throw. */
export async function refusal(f: () => Promise<unknown>): Promise<ConsentError> {
  try {
    await f();
  } catch (err) {
    if (err instanceof ConsentError) return err;
    throw err;
  }
  throw new Error('expected a ConsentError, but the call succeeded');
}
