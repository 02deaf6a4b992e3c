/**
 * Genesis: the hash that names a chain and the state it starts from. The validator set and the
 * consortium admins live in state (so they are under the state root), in the system key space:
 *   0x00 0x02 || validator public key (32) -> validator name (UTF-8)
 *   0x00 0x03 || admin public key (32)     -> 0x01
 */
import { createHash } from 'node:crypto';
import { fromHex } from './chain/encoding.js';
import type { Genesis } from './config.js';
import { KeySpace } from './state/keys.js';
import type { ReadonlyStateView, StateWrite } from './state/view.js';

export const SystemTag = { Validator: 0x02, Admin: 0x03 } as const;

function systemKey(tag: number, publicKey: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + publicKey.length);
  k[0] = KeySpace.System;
  k[1] = tag;
  k.set(publicKey, 2);
  return k;
}

/** State key under which a validator is registered. */
export const validatorKey = (publicKey: Uint8Array): Uint8Array => systemKey(SystemTag.Validator, publicKey);
/** State key under which a consortium admin is registered. */
export const adminKey = (publicKey: Uint8Array): Uint8Array => systemKey(SystemTag.Admin, publicKey);

/** sha256 of the genesis in a fixed field order: every node of a chain computes the same hash. */
export function genesisHash(g: Genesis): Uint8Array {
  const canonical = JSON.stringify({
    chainId: g.chainId,
    time: g.time,
    validators: g.validators.map((v) => ({ name: v.name, publicKey: v.publicKey })),
    admins: [...g.admins],
  });
  return new Uint8Array(createHash('sha256').update(canonical).digest());
}

/** The state writes of height 0. */
export function genesisWrites(g: Genesis): StateWrite[] {
  const enc = new TextEncoder();
  return [
    ...g.validators.map((v) => ({ key: validatorKey(fromHex(v.publicKey)), value: enc.encode(v.name) })),
    ...g.admins.map((a) => ({ key: adminKey(fromHex(a)), value: new Uint8Array([1]) })),
  ];
}

/** Whether `publicKey` is an authorised validator in `state`. */
export function isValidatorIn(state: ReadonlyStateView, publicKey: Uint8Array): boolean {
  return publicKey.length === 32 && state.get(validatorKey(publicKey)) !== undefined;
}
