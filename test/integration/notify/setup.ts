/**
 * Shared setup of the notification integration tests: actors with their keys, a stream follower
 * that collects what `followActor` yields, and the admin of hospital 1 of a test network.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Account, type EhrClient } from '../../../client/client.js';
import { ConsentClient } from '../../../client/consent.js';
import { readKeyFile } from '../../../client/keyfile.js';
import type { TxView } from '../../../protocol/api.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import type { ActorEvent } from '../../../protocol/notify.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { Network } from '../../helpers/network.js';

export const HOUR = 3_600_000;
/** A random 32-byte hex value (certificate hashes, record ids): synthetic. */
export const hex32 = (): string => toHex(new Uint8Array(randomBytes(32)));

/** A test actor: its account, id and public key (hex), and its seed. */
export interface Actor {
  readonly seed: Uint8Array;
  readonly account: Account;
  readonly id: string;
  readonly key: string;
}

/** An actor of `net` from `seed` (default: a fresh random one). */
export function actorOf(net: Network, seed: Uint8Array = new Uint8Array(randomBytes(32))): Actor {
  const key = toHex(publicKeyFromSeed(seed));
  return { seed, account: new Account(seed, net.chainId), id: actorIdOf(key), key };
}

/** The admin of hospital 1 (its key file from the network's init). */
export async function hospitalAdmin(net: Network): Promise<Actor> {
  const key = await readKeyFile(join(net.dir, 'keys', 'admin-hospital-1.json'));
  return actorOf(net, key.seed);
}

/** Signs and submits a consent operation as `who` through node `node`, and expects it committed ok. */
export async function runOp(net: Network, who: Actor, op: ConsentOp, node = 0): Promise<TxView> {
  const c = encodeOp(op);
  const tx = await who.account.call(net.node(node).client, 'consent', c.method, c.args, {
    timeoutMs: 30_000,
  });
  expect(tx.receipt?.status, `${op.op}: ${tx.receipt?.error}`).toBe('ok');
  return tx;
}

/** `who`'s consent client over node `node` of `net`. */
export const consentOf = (net: Network, who: Actor, node = 0): ConsentClient =>
  new ConsentClient(net.node(node).client, who.seed, net.chainId);

/** What one actor's stream has yielded so far. */
export interface Followed {
  readonly events: ActorEvent[];
  stop(): void;
  readonly done: Promise<void>;
}

/** Collects what `client.followActor(actor)` yields until stopped. */
export function follow(client: EhrClient, actor: string, lastEventId?: string): Followed {
  const abort = new AbortController();
  const events: ActorEvent[] = [];
  const done = (async () => {
    const it = client.followActor(actor, {
      signal: abort.signal,
      reconnectMs: 200,
      ...(lastEventId === undefined ? {} : { lastEventId }),
    });
    for await (const item of it) if (item.kind === 'event') events.push(item.event);
  })().catch(() => undefined);
  return { events, stop: () => abort.abort(), done };
}

/** The types of `events`, in order. */
export const types = (es: readonly ActorEvent[]): string[] => es.map((e) => e.type);
