/**
 * The {@link MapContext} of a running node: requests and grants read from the consent contract's
 * state with its `requestInfo` / `grantInfo` queries, guardians from the links the index has seen.
 * Memoised per block: one block asks about the same request or grant at most once.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { decodeInt, encodeInt, unpackFields } from '../../vm/abi.js';
import { REQUEST_STATUS_CODE, ROLE_CODE } from '../../vm/consent/abi.js';
import { type GrantFacts, type MapContext, orgKey, type RequestFacts } from './map.js';

/** A read-only consent query against the applied state: its return data, or null if it failed. */
export type ConsentQuery = (method: string, args: Uint8Array[]) => Uint8Array | null;

const int = (b: Uint8Array | undefined): number => (b?.length === 8 ? decodeInt(b) : 0);
const dec = new TextDecoder();
const ROLE_NAME = new Map(Object.entries(ROLE_CODE).map(([k, v]) => [v, k]));

/** The index key of a grant's organisation or role grantee (gkind 2 or 3), else null. */
function groupOf(gkind: number, grantee: Uint8Array): string | null {
  if (gkind === 2) return orgKey(dec.decode(grantee));
  const role = gkind === 3 && grantee.length === 8 ? ROLE_NAME.get(decodeInt(grantee)) : undefined;
  return role === undefined ? null : `role:${role}`;
}

/** A Request struct's fields the index uses, or null for an empty (unknown) one. */
function requestFacts(data: Uint8Array): RequestFacts | null {
  if (data.length === 0) return null;
  const f = unpackFields(data);
  const [patient, requester] = f;
  if (!patient || !requester) return null;
  return {
    patient: toHex(patient),
    requester: toHex(requester),
    expiresAt: int(f[12]),
    open: int(f[13]) === REQUEST_STATUS_CODE.open,
  };
}

/** A Grant struct's fields the index uses, or null for an empty (unknown) one. */
function grantFacts(data: Uint8Array): GrantFacts | null {
  if (data.length === 0) return null;
  const f = unpackFields(data);
  const [patient, , gkind, grantee] = f;
  if (!patient || !grantee) return null;
  return {
    patient: toHex(patient),
    granteeActor: int(gkind) === 1 ? toHex(grantee) : null,
    granteeGroup: groupOf(int(gkind), grantee),
    end: int(f[9]),
    revoked: int(f[13]) >= 0,
  };
}

/** A context answering from `query`, with guardians from `guardiansOf`. */
export function createStateContext(
  query: ConsentQuery,
  guardiansOf: (p: string) => readonly string[],
): MapContext {
  const requests = new Map<number, RequestFacts | null>();
  const grants = new Map<number, GrantFacts | null>();
  const orgs = new Map<string, string | null>();
  const ask = <T>(
    memo: Map<number, T | null>,
    id: number,
    method: string,
    decode: (b: Uint8Array) => T | null,
  ) => {
    if (!memo.has(id)) {
      const data = query(method, [encodeInt(id)]);
      memo.set(id, data === null ? null : decode(data));
    }
    return memo.get(id) ?? null;
  };
  return {
    guardiansOf,
    request: (id) => ask(requests, id, 'requestInfo', requestFacts),
    grant: (id) => ask(grants, id, 'grantInfo', grantFacts),
    orgOf: (actor) => {
      if (!orgs.has(actor)) {
        // actorInfo: pack(role, org, ...) (docs/consent.md); empty for an unknown actor.
        const data = query('actorInfo', [hexToBytes(actor)]);
        const org = data === null || data.length === 0 ? undefined : unpackFields(data)[1];
        orgs.set(actor, org === undefined ? null : dec.decode(org));
      }
      return orgs.get(actor) ?? null;
    },
  };
}
