/**
 * A records world on a real 3-validator network (test/helpers/network.ts): the admin of
 * hospital-1 registers synthetic actors; each gets a RecordsClient on a chosen node.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { Account } from '../../../client/client.js';
import { readKeyFile } from '../../../client/keyfile.js';
import { RecordsClient } from '../../../client/records.js';
import type { RecordService } from '../../../node/records/service.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { decodeInt } from '../../../vm/abi.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { Network } from '../../helpers/network.js';

export const HOUR = 3_600_000;
export type Role = 'patient' | 'doctor' | 'guardian';

/** A synthetic actor. */
export interface Actor {
  readonly seed: Uint8Array;
  readonly key: Uint8Array;
  readonly id: string;
}

function newActor(): Actor {
  const seed = new Uint8Array(randomBytes(32));
  const key = publicKeyFromSeed(seed);
  return { seed, key, id: toHex(sha256(key)) };
}

/** The admin of hospital-1 and helpers to run consent ops. */
export class RecordsWorld {
  admin!: Account;

  constructor(readonly net: Network) {}

  async init(): Promise<this> {
    const k = await readKeyFile(join(this.net.dir, 'keys', 'admin-hospital-1.json'));
    this.admin = new Account(k.seed, this.net.chainId);
    return this;
  }

  /** Runs an op signed by `account` through node `node`; throws on a revert. */
  async run(account: Account, op: ConsentOp, node = 0): Promise<number> {
    const c = encodeOp(op);
    const tx = await account.call(this.net.node(node).client, 'consent', c.method, c.args, {
      timeoutMs: 30_000,
    });
    if (tx.receipt?.status !== 'ok') throw new Error(`${op.op} reverted: ${tx.receipt?.error}`);
    const rd = tx.receipt.returnData;
    return rd.length === 16 ? decodeInt(fromHex(rd)) : 0;
  }

  async register(role: Role): Promise<Actor> {
    const a = newActor();
    await this.run(this.admin, {
      op: 'registerActor',
      publicKey: toHex(a.key),
      role,
      certHash: toHex(new Uint8Array(randomBytes(32))),
      licenceExpiry: role === 'doctor' ? Date.now() + 365 * 24 * HOUR : 0,
    });
    return a;
  }

  /** A records client for `a` on node `node`. */
  client(a: Actor, node: number): RecordsClient {
    return new RecordsClient(this.net.node(node).client, a.seed, this.net.chainId);
  }

  /** The in-process records service of node `i`. */
  service(i: number): RecordService {
    const n = this.net.node(i).node;
    if (n === null) throw new Error(`node ${i} is not running in process`);
    return n.records;
  }
}
