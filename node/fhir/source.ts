/**
 * Reads what the FHIR views show from the consent contract's queries at the node's applied state:
 * a grant, a request, a patient's trail, and the grants and requests on it (found through the
 * trail's `grant` and `requestAccess` entries: the contract keeps no other per-patient index of
 * them). No I/O of its own: `query` is the node's synchronous contract query.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { decodeInt, encodeInt, unpackFields } from '../../vm/abi.js';
import {
  entryFromFields,
  grantFromFields,
  requestFromFields,
  type TrailEntry,
} from '../../vm/consent/results.js';
import type { AccessRequest, Grant } from '../../vm/consent/types.js';

/** A consent contract query on applied state (throws on a revert). */
export type ConsentQuery = (method: string, args: readonly Uint8Array[]) => Uint8Array;

/** A grant or a request, in the order they reached the patient's trail. */
export type ConsentItem =
  | { readonly kind: 'grant'; readonly id: number }
  | { readonly kind: 'request'; readonly id: number };

/** Typed reads of consent state. */
export class ConsentSource {
  constructor(private readonly query: ConsentQuery) {}

  /** Grant `id`, or null if there is none. */
  grant(id: number): Grant | null {
    const b = this.query('grantInfo', [encodeInt(id)]);
    if (b.length === 0) return null;
    const request = decodeInt(this.query('grantRequest', [encodeInt(id)]));
    return grantFromFields(id, unpackFields(b), request);
  }

  /** Request `id`, or null if there is none. */
  request(id: number): AccessRequest | null {
    const b = this.query('requestInfo', [encodeInt(id)]);
    return b.length === 0 ? null : requestFromFields(id, unpackFields(b));
  }

  /** How many entries the patient's trail holds. */
  trailLength(patient: string): number {
    return decodeInt(this.query('trailLength', [hexToBytes(patient)]));
  }

  /** Entries `from` .. `to - 1` of the patient's trail. */
  trail(patient: string, from = 0, to = this.trailLength(patient)): TrailEntry[] {
    const p = hexToBytes(patient);
    const out: TrailEntry[] = [];
    for (let i = from; i < to; i++)
      out.push(entryFromFields(i, unpackFields(this.query('trailEntry', [p, encodeInt(i)]))));
    return out;
  }

  /** The grants and requests on the patient's trail, oldest first. */
  consentsOf(patient: string): ConsentItem[] {
    const out: ConsentItem[] = [];
    for (const e of this.trail(patient)) {
      if (e.subject.length !== 8) continue;
      if (e.op === 'grant') out.push({ kind: 'grant', id: decodeInt(e.subject) });
      else if (e.op === 'requestAccess') out.push({ kind: 'request', id: decodeInt(e.subject) });
    }
    return out;
  }
}
