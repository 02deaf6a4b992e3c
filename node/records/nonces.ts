/**
 * Replay protection for signed requests: remembers (signer, nonce) pairs until they fall out of
 * the time window (a request older than the window is refused as stale anyway). Bounded: when
 * full, the oldest entries go first, and a request whose entry could have been dropped is stale.
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    readonly capacity = 200_000,
  ) {}

  /** Records the pair; false if it was seen within the window (a replay). */
  check(signer: Uint8Array, nonce: Uint8Array, time: number, now: number): boolean {
    this.#prune(now);
    const k = Buffer.concat([signer, nonce]).toString('base64');
    if (this.#seen.has(k)) return false;
    this.#seen.set(k, time);
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }

  #prune(now: number): void {
    // Entries are in insertion order, roughly time order: drop from the front while expired.
    for (const [k, t] of this.#seen) {
      if (t >= now - 2 * this.windowMs) break;
      this.#seen.delete(k);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}
