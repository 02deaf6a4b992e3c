/**
 * The validator set and the governance identity, kept in state (under the state root) in the system
 * key space:
 *   0x00 0x02 || public key -> 0x01           (membership, O(1) to check)
 *   0x00 0x05               -> the whole set  (JSON array of {publicKey, name, p2p, http}, in order)
 */
import { createHash } from 'node:crypto';
import { KeySpace } from './keys.js';
import type { ReadonlyStateView, StateView } from './view.js';

/** A validator as state records it. */
export interface ValidatorRecord {
  readonly publicKey: Uint8Array;
  readonly name: string;
  readonly p2p: readonly string[];
  readonly http: string;
}

/**
 * The caller governance actions use toward contracts (the consent contract's governance key). No
 * private key exists for it: only an approved governance action can act as it.
 */
export const GOVERNANCE_IDENTITY: Uint8Array = new Uint8Array(
  createHash('sha256').update('ehrchain/governance/v1').digest(),
);

const MEMBER = 0x02;
const SET = new Uint8Array([KeySpace.System, 0x05]);

/** State key that marks `publicKey` as a validator. */
function validatorKey(publicKey: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + publicKey.length);
  k[0] = KeySpace.System;
  k[1] = MEMBER;
  k.set(publicKey, 2);
  return k;
}

/** Whether `publicKey` is an authorised validator. */
export function isValidatorIn(state: ReadonlyStateView, publicKey: Uint8Array): boolean {
  return publicKey.length === 32 && state.get(validatorKey(publicKey)) !== undefined;
}

/** The validator set, in the order it was formed. */
export function readValidators(state: ReadonlyStateView): ValidatorRecord[] {
  const raw = state.get(SET);
  if (raw === undefined) return [];
  const list = JSON.parse(new TextDecoder().decode(raw)) as {
    publicKey: string;
    name: string;
    p2p: string[];
    http: string;
  }[];
  return list.map((v) => ({ ...v, publicKey: new Uint8Array(Buffer.from(v.publicKey, 'hex')) }));
}

/** Replaces the validator set (membership keys included). */
export function writeValidators(state: StateView, next: readonly ValidatorRecord[]): void {
  for (const v of readValidators(state)) state.delete(validatorKey(v.publicKey));
  for (const v of next) state.set(validatorKey(v.publicKey), new Uint8Array([1]));
  const json = JSON.stringify(
    next.map((v) => ({
      publicKey: Buffer.from(v.publicKey).toString('hex'),
      name: v.name,
      p2p: [...v.p2p],
      http: v.http,
    })),
  );
  state.set(SET, new TextEncoder().encode(json));
}
