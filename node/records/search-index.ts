/**
 * The node's searchable-index store: a LevelDB of its own in `<dataDir>/index`. It holds tokens
 * (16-byte HMACs) and wrapped index keys only, never a code or any other plaintext.
 * Sublevels (keys are raw bytes):
 *   `tok`  patient (32) | token (16) | record (32) | version u32   -> empty   (the posting lists)
 *   `ver`  record (32) | version u32 -> patient (32) | tokens (16 each)    (to replace a version's)
 *   `key`  patient (32) | reader id (32) -> wrapped index key (105)
 * Replacing a version's tokens is one atomic batch.
 */
import { Level } from 'level';
import { TOKEN_BYTES } from '../../protocol/records/blind-index.js';
import { concatBytes, u32 } from '../../protocol/records/bytes.js';

const bytesEnc = {
  name: 'ehrchain-index-bytes',
  format: 'view',
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
} as const;

function makeSub(level: Level<Uint8Array, Uint8Array>, name: string) {
  return level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: bytesEnc, valueEncoding: bytesEnc });
}

/** A record version found by the index. */
export interface Posting {
  readonly recordId: Uint8Array;
  readonly version: number;
}

/** The upper bound of a prefix range: the prefix with 0xff bytes appended past any key under it. */
const upperOf = (prefix: Uint8Array): Uint8Array => concatBytes(prefix, new Uint8Array(40).fill(0xff));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Tokens and wrapped index keys, per patient. */
export class SearchIndexStore {
  readonly #level: Level<Uint8Array, Uint8Array>;
  readonly #tok: ReturnType<typeof makeSub>;
  readonly #ver: ReturnType<typeof makeSub>;
  readonly #key: ReturnType<typeof makeSub>;
  // Serialises the read-modify-write of a version's tokens.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(level: Level<Uint8Array, Uint8Array>) {
    this.#level = level;
    this.#tok = makeSub(level, 'tok');
    this.#ver = makeSub(level, 'ver');
    this.#key = makeSub(level, 'key');
  }

  /** Opens (creating) the store in `dir`. */
  static async open(dir: string): Promise<SearchIndexStore> {
    const level = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: bytesEnc, valueEncoding: bytesEnc });
    await level.open();
    return new SearchIndexStore(level);
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#level.close();
  }

  /** Sets the tokens of (record, version) of `patient`, replacing any earlier ones. */
  putTokens(
    patient: Uint8Array,
    recordId: Uint8Array,
    version: number,
    tokens: readonly Uint8Array[],
  ): Promise<void> {
    const p = this.#queue.then(() => this.#putTokens(patient, recordId, version, tokens));
    this.#queue = p.catch(() => undefined);
    return p;
  }

  async #putTokens(
    patient: Uint8Array,
    recordId: Uint8Array,
    version: number,
    tokens: readonly Uint8Array[],
  ): Promise<void> {
    const rv = concatBytes(recordId, u32(version));
    const batch = this.#level.batch();
    const old = await this.#ver.get(rv);
    if (old !== undefined) {
      const oldPatient = old.subarray(0, 32);
      for (let o = 32; o + TOKEN_BYTES <= old.length; o += TOKEN_BYTES)
        batch.del(concatBytes(oldPatient, old.subarray(o, o + TOKEN_BYTES), rv), { sublevel: this.#tok });
    }
    for (const t of tokens)
      batch.put(concatBytes(patient, t, rv), new Uint8Array(0), { sublevel: this.#tok });
    batch.put(rv, concatBytes(patient, ...tokens), { sublevel: this.#ver });
    await batch.write();
  }

  /** Deletes the tokens of every version of a record (erasure); returns how many versions had some. */
  deleteRecord(recordId: Uint8Array): Promise<number> {
    const p = this.#queue.then(async () => {
      const batch = this.#level.batch();
      let n = 0;
      for await (const [rv, v] of this.#ver.iterator({ gte: recordId, lt: upperOf(recordId) })) {
        const patient = v.subarray(0, 32);
        for (let o = 32; o + TOKEN_BYTES <= v.length; o += TOKEN_BYTES)
          batch.del(concatBytes(patient, v.subarray(o, o + TOKEN_BYTES), rv), { sublevel: this.#tok });
        batch.del(rv, { sublevel: this.#ver });
        n++;
      }
      await batch.write();
      return n;
    });
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** Whether tokens are stored for (record, version). */
  async hasTokens(recordId: Uint8Array, version: number): Promise<boolean> {
    return (await this.#ver.get(concatBytes(recordId, u32(version)))) !== undefined;
  }

  /** Versions of `patient` holding `token`, at most `limit` (+1 to tell the caller there are more). */
  async postings(patient: Uint8Array, token: Uint8Array, limit: number): Promise<Posting[]> {
    const prefix = concatBytes(patient, token);
    const out: Posting[] = [];
    for await (const k of this.#tok.keys({ gt: prefix, lt: upperOf(prefix), limit })) {
      const view = new DataView(k.buffer, k.byteOffset, k.byteLength);
      out.push({ recordId: k.slice(48, 80), version: view.getUint32(80) });
    }
    return out;
  }

  /** Versions of `patient` holding every token; `truncated` when a posting list hit `limit`. */
  async match(
    patient: Uint8Array,
    tokens: readonly Uint8Array[],
    limit: number,
  ): Promise<{ postings: Posting[]; truncated: boolean }> {
    let truncated = false;
    let result: Map<string, Posting> | null = null;
    for (const t of tokens) {
      const list = await this.postings(patient, t, limit + 1);
      if (list.length > limit) {
        truncated = true;
        list.length = limit;
      }
      const next = new Map<string, Posting>();
      for (const p of list) {
        const id = `${hex(p.recordId)}:${p.version}`;
        if (result === null || result.has(id)) next.set(id, p);
      }
      result = next;
      if (result.size === 0) break;
    }
    return { postings: [...(result?.values() ?? [])], truncated };
  }

  /** Stores the patient's index key wrapped for each reader id. */
  async putKeys(
    patient: Uint8Array,
    keys: readonly { reader: Uint8Array; wrapped: Uint8Array }[],
  ): Promise<void> {
    // The root's chained batch: a fresh sublevel's own batch() refuses until the sublevel has opened.
    const batch = this.#level.batch();
    for (const k of keys) batch.put(concatBytes(patient, k.reader), k.wrapped, { sublevel: this.#key });
    await batch.write();
  }

  /** The patient's index key wrapped for `reader`, if stored. */
  getKey(patient: Uint8Array, reader: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#key.get(concatBytes(patient, reader));
  }

  /** Every key and value of the store (tests scan it for plaintext). */
  async *entries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const [k, v] of this.#level.iterator()) yield [k, v];
  }
}
