/**
 * `ehrchain receipt get <tx hash> --url` and `ehrchain receipt verify <receipt.json> --genesis
 * <genesis.json>`: fetch a consent receipt from a node, and check one offline (client/receipt.ts:
 * the node's signature, the Merkle path, the proposer's signature, both genesis validators),
 * printing what was consented. Exit code 1 on a refused receipt, with its reason code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';

/** Registers `receipt get` and `receipt verify` on the program. */
export function addReceiptCommands(program: Command): void {
  const receipt = program.command('receipt').description('verifiable consent receipts (docs/fhir.md)');
  receipt
    .command('get <txHash>')
    .description('fetch the consent receipt of a committed consent tx')
    .requiredOption('--url <url>', 'node HTTP API')
    .option('--out <file>', 'write it here (default: stdout)')
    .action(async (hash: string, o: { url: string; out?: string }) => {
      const r = await fetch(`${o.url.replace(/\/$/, '')}/v1/receipts/${hash}`);
      const body = (await r.json()) as { receipt?: string; error?: { code: string; message: string } };
      if (!r.ok || body.receipt === undefined)
        throw new Error(`${body.error?.code ?? r.status}: ${body.error?.message ?? ''}`);
      const text = `${JSON.stringify({ receipt: body.receipt }, null, 2)}\n`;
      if (o.out) await writeFile(o.out, text);
      else process.stdout.write(text);
    });
  receipt
    .command('verify <file>')
    .description('verify a receipt offline against the genesis, and print what was consented')
    .requiredOption('--genesis <file>', 'genesis.json of the chain')
    .action(async (file: string, o: { genesis: string }) => {
      const { ReceiptError, verifyReceipt } = await import('../client/receipt.js');
      const raw = (await readFile(file, 'utf8')).trim();
      const jws = raw.startsWith('{') ? (JSON.parse(raw) as { receipt: string }).receipt : raw;
      const genesis = JSON.parse(await readFile(o.genesis, 'utf8')) as {
        chainId: string;
        validators: { publicKey: string }[];
      };
      try {
        const v = verifyReceipt(jws, genesis);
        const period = v.period
          ? ` from ${new Date(v.period.start).toISOString()} until ${new Date(v.period.end).toISOString()}`
          : '';
        console.log(
          `valid receipt ${v.receiptId} (block ${v.height}, ${new Date(v.time).toISOString()}, signed by node ${v.nodeKey.slice(0, 16)}…)`,
        );
        console.log(
          `${v.op}: patient ${v.patient} -> ${v.controllers.join(', ') || '-'} for ${v.purposes.join(', ')}${v.categories.length ? ` on ${v.categories.join(', ')}` : ''}${period} [${v.jurisdiction}]`,
        );
      } catch (err) {
        if (!(err instanceof ReceiptError)) throw err;
        console.error(`invalid receipt: ${err.code}: ${err.message}`);
        process.exitCode = 1;
      }
    });
}
