/**
 * A steady kv put load for upgrade tests: one account puts keys one at a time through a chosen node
 * until stopped, keeping the hash of every put acknowledged (committed with an ok receipt) and of
 * every put committed with a failed receipt (refused by the chain).
 */
import { Account } from '../../../client/client.js';
import { type Network, sleep, type TestNode, waitFor } from '../../helpers/network.js';

const enc = new TextEncoder();

export class PutLoad {
  via: TestNode;
  readonly acked: string[] = [];
  /** Puts committed with a receipt other than ok: `hash: status error`. */
  readonly refused: string[] = [];
  #stopped = false;
  #inFlight: Promise<unknown> = Promise.resolve();
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly net: Network,
    via: TestNode,
    private readonly seed = 'rolling-upgrade/load',
  ) {
    this.via = via;
  }

  start(): void {
    const me = new Account(enc.encode(this.seed.padEnd(32, '.')), this.net.chainId);
    this.#done = (async () => {
      for (let i = 0; !this.#stopped && i < 10_000; i++) {
        try {
          const call = me.call(this.via.client, 'kv', 'put', [enc.encode(`k/${i}`), enc.encode('v')], {
            timeoutMs: 20_000,
          });
          this.#inFlight = call;
          const r = await call;
          if (r.receipt?.status === 'ok') this.acked.push(r.hash);
          else this.refused.push(`${r.hash}: ${r.receipt?.status} ${r.receipt?.error ?? ''}`);
        } catch {
          // The node went down or the tx was not acknowledged: only acknowledged puts must survive.
          await sleep(100);
          await me.sync(this.via.client).catch(() => undefined);
        }
      }
    })();
  }

  /**
   * Sends the next puts through `via`, once the one in flight is answered: a request still open on
   * a node being stopped holds its HTTP server's close up (fastify waits for it, up to 72 s).
   */
  async moveTo(via: TestNode): Promise<void> {
    this.via = via;
    await this.#inFlight.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  /** Waits until `n` more puts than now are acknowledged. */
  async more(n: number, what: string, timeoutMs = 60_000): Promise<void> {
    const want = this.acked.length + n;
    await waitFor(() => this.acked.length >= want, `${n} more puts ${what}`, timeoutMs);
  }
}
