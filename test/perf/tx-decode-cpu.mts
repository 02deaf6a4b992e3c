/**
 * CPU per tx of decodeSignedTx (the tx hash included) in the checkout at ROOT, with the node's
 * block rules loaded as a node loads them (the tx hash goes through the platform's sha256:
 * libsodium for short inputs where protocol/crypto/native.ts loads it). 2,000 kv puts decoded 10 times per round, 15 rounds, median.
 * For comparing builds in alternating runs:
 *
 *   ROOT=/path/to/checkout npx tsx test/perf/tx-decode-cpu.mts
 */
const root = process.env.ROOT ?? process.cwd();
await import(`${root}/node/blocks/tx-root.ts`);
const { decodeSignedTx } = await import(`${root}/protocol/chain/tx.ts`);
const { kvPuts } = await import(`${root}/test/perf/kv-txs.ts`);
const txs: Uint8Array[] = kvPuts(2000, 100).map((t: { bytes: Uint8Array }) => t.bytes);
const out: number[] = [];
for (let r = 0; r < 15; r++) {
  const c0 = process.cpuUsage();
  for (let k = 0; k < 10; k++) for (const b of txs) decodeSignedTx(b);
  const d = process.cpuUsage(c0);
  out.push((d.user + d.system) / (10 * txs.length));
}
out.sort((a, b) => a - b);
console.log(root, 'decodeSignedTx CPU µs/tx, median of 15 rounds', out[7]?.toFixed(3));
