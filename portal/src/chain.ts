/**
 * The portal's connection to the node that served it, for one unlocked key: the TypeScript client
 * (EhrClient, ConsentClient, RecordsClient) over same-origin fetch. Signing, wrapping and
 * decryption happen here in the browser; only signed transactions and signed requests leave it.
 */
import { indexStructureDefinitionBundle } from '@medplum/core';
import { EhrClient } from '../../client/client.js';
import { ConsentClient } from '../../client/consent.js';
import type { KeyPair } from '../../client/keyfile-format.js';
import { RecordsClient } from '../../client/records.js';
import type { StatusView } from '../../protocol/api.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { platformCrypto } from '../../protocol/crypto/platform.js';

// A browser's fetch must not be called as a method of another object.
const boundFetch: typeof fetch = (input, init) => fetch(input, init);

/** An unlocked person on this node. */
export interface Session {
  readonly key: KeyPair;
  /** Actor id (hex): sha256 of the public key. */
  readonly id: string;
  readonly client: EhrClient;
  readonly consent: ConsentClient;
  readonly records: RecordsClient;
  readonly status: StatusView;
  /** Validator actor id (hex) -> validator name, to say which node served a read. */
  readonly nodeNames: ReadonlyMap<string, string>;
}

/** Connects `key` to the node that served the page. */
export async function connect(key: KeyPair): Promise<Session> {
  const client = new EhrClient(location.origin, boundFetch);
  const status = await client.status();
  const consent = new ConsentClient(client, key.seed, status.chainId);
  const records = new RecordsClient(client, key.seed, status.chainId, boundFetch, platformCrypto);
  const nodeNames = new Map(
    status.validators.map((v) => [toHex(platformCrypto.sha256(hexBytes(v.publicKey))), v.name] as const),
  );
  return { key, id: consent.id, client, consent, records, status, nodeNames };
}

function hexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

let fhirReady: Promise<void> | undefined;

/**
 * Indexes the trimmed FHIR R4 definitions the portal ships (fhir-r4.json, built by
 * portal/build.ts) once, before a record is validated in the browser.
 */
export function loadFhirDefinitions(): Promise<void> {
  fhirReady ??= (async () => {
    const res = await fetch('fhir-r4.json');
    if (!res.ok) throw new Error(`FHIR definitions: HTTP ${res.status}`);
    indexStructureDefinitionBundle(await res.json());
  })();
  return fhirReady;
}
