/**
 * CPU per tx of the intake path, a 50-tx batch at a time, as a validator takes kv txs flat out:
 * - http: `POST /v1/txs`'s body decoded as the route does, then admission (decode, rules, signature
 *   through the verify workers, mempool, gossip batch) and the reply's hashes;
 * - gossip: a batch frame from a peer, admitted on a follower that has not seen it;
 * - one tx per request: `POST /v1/tx`'s admission (`submit`) of single txs, one or three of them
 *   arriving in one turn of the event loop, as a validator takes consent-mix.
 * `main thread` counts the event loop's CPU alone (what the validator's main thread spends per tx);
 * `all threads` adds the verify workers' signature checks.
 */
import { TxIngress } from '../../../node/blocks/ingress.js';
import { Verifier } from '../../../node/blocks/verify.js';
import { txsFromBody } from '../../../node/http/tx-body.js';
import { silentLogger } from '../../../node/log.js';
import { Mempool } from '../../../node/mempool/mempool.js';
import { NodeMetrics } from '../../../node/metrics.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { defaultTxLimits } from '../../../protocol/chain/tx.js';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import { kvPuts } from '../kv-txs.js';
import type { PerfCase } from './harness.js';

const BATCH = 50;
const PER_RUN = 2000;
const SENDERS = 100;
// Runs rotate over disjoint chunks of txs; the verifier remembers one chunk's verdicts at most, so
// every run verifies every signature, as a node does for txs it has not seen.
const CHUNKS = 3;

/** One chunk: its 50-tx batch frames, each a fresh request body. */
function chunks(): Uint8Array[][] {
  return Array.from({ length: CHUNKS }, (_, c) => {
    const txs = kvPuts(PER_RUN, SENDERS, 1000 + c * SENDERS);
    const out: Uint8Array[] = [];
    for (let i = 0; i < txs.length; i += BATCH)
      out.push(encodeTxBatch(txs.slice(i, i + BATCH).map((t) => t.bytes)));
    return out;
  });
}

/** An ingress over a fresh mempool, as a node wires it (gossip goes nowhere). */
function ingressWith(sigs: Verifier, metrics: NodeMetrics): TxIngress {
  const pool = new Mempool({}, { committedNonce: () => 0 });
  return new TxIngress(
    {
      limits: defaultTxLimits,
      rules: { chainId: 'ehrchain-bench', maxGasLimit: 10_000_000 },
      gossipBatchTxs: BATCH,
      gossipBatchMs: 5,
    },
    {
      pool,
      verifier: sigs,
      gossip: () => undefined,
      onAdmitted: () => undefined,
      metrics,
      log: silentLogger(),
    },
  );
}

/** The intake cases: http (main thread, all threads) and gossip (main thread). */
export function intakeCases(): PerfCase[] {
  const data = chunks();
  const metrics = new NodeMetrics();
  const leader = new Verifier({ mode: 'workers', workers: 2, verifiedCacheSize: PER_RUN });
  const follower = new Verifier({ mode: 'workers', workers: 2, verifiedCacheSize: PER_RUN });
  let httpRun = 0;
  let gossipRun = 0;
  const http = async (): Promise<void> => {
    const ingress = ingressWith(leader, metrics);
    for (const frame of data[httpRun++ % CHUNKS]!) {
      // A request body as fastify hands it over: a Buffer of its own.
      const body = Buffer.from(frame);
      const results = await ingress.submitBatch(txsFromBody(body, 1000) ?? []);
      // The reply's hashes, as the API maps the results.
      results.map((r) => {
        if (r instanceof ChainError) throw r;
        return { hash: toHex(r.hash) };
      });
    }
    ingress.flush();
  };
  const gossip = async (): Promise<void> => {
    const ingress = ingressWith(follower, metrics);
    for (const frame of data[gossipRun++ % CHUNKS]!) await ingress.receiveBatch(frame, 'peer');
  };
  const singles = data.map((frames) => frames.flatMap((f) => txsFromBody(Buffer.from(f), 1000) ?? []));
  let singleRun = 0;
  const single = (perTurn: number) => async (): Promise<void> => {
    const ingress = ingressWith(leader, metrics);
    const txs = singles[singleRun++ % CHUNKS]!;
    for (let i = 0; i < txs.length; i += perTurn) {
      // Each a request body of its own, as fastify hands it over.
      await Promise.all(txs.slice(i, i + perTurn).map((t) => ingress.submit(new Uint8Array(t))));
    }
    ingress.flush();
  };
  const singleCases = [1, 3].flatMap((perTurn): PerfCase[] => [
    {
      name: `intake http: one tx per request, ${perTurn} a turn, main thread (per tx)`,
      ops: PER_RUN,
      cpu: 'main',
      run: single(perTurn),
    },
    {
      name: `intake http: one tx per request, ${perTurn} a turn, all threads (per tx)`,
      ops: PER_RUN,
      run: single(perTurn),
    },
  ]);
  return [
    ...singleCases,
    { name: 'intake http: 50-tx batch, main thread (per tx)', ops: PER_RUN, cpu: 'main', run: http },
    { name: 'intake http: 50-tx batch, all threads (per tx)', ops: PER_RUN, run: http },
    {
      name: 'intake gossip: 50-tx batch, main thread (per tx)',
      ops: PER_RUN,
      cpu: 'main',
      run: gossip,
      close: async () => {
        await leader.close();
        await follower.close();
      },
    },
  ];
}
