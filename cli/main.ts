/** Entry point of the `ehrchain` command: maps sub-commands and flags to options in one place. */
import { Command, InvalidArgumentError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { addConsentCommands } from './consent/index.js';
import { addGovernanceCommands } from './governance.js';
import { addReceiptCommands } from './receipt.js';
import { addRecordCommands } from './record.js';
import { addResearchCommands } from './research/index.js';

function int(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    }
    return n;
  };
}

const program = new Command()
  .name('ehrchain')
  .description("A permissioned blockchain for sharing health records under the patient's control")
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('keygen')
  .description('create an ed25519 key file (mode 0600) and print its public key')
  .requiredOption('--out <file>', 'where to write the key file (refuses to overwrite)')
  .action(async (o: { out: string }) => {
    const { generateKeyPair, writeKeyFile } = await import('../client/keyfile.js');
    const { nodeIdFromValidatorKey } = await import('../node/p2p/identity.js');
    const key = generateKeyPair();
    await writeKeyFile(o.out, key);
    console.log(`publicKey ${Buffer.from(key.publicKey).toString('hex')}`);
    console.log(`peerId    ${nodeIdFromValidatorKey(key.publicKey)}`);
  });

program
  .command('init')
  .description('create keys, genesis and one config directory per validator')
  .option('--nodes <n>', 'number of validators', int('--nodes', 1, 64), 3)
  .option('--out <dir>', 'output directory', '.data/network')
  .option('--hosts <list>', 'comma-separated host per validator (default: all 127.0.0.1)')
  .option('--http-port <port>', 'first HTTP port', int('--http-port', 1, 65535), 8080)
  .option('--p2p-port <port>', 'first libp2p port', int('--p2p-port', 1, 65535), 9080)
  .option('--listen-host <host>', 'address to bind instead of the advertised host (e.g. 0.0.0.0)')
  .option('--chain-id <id>', 'chain id', 'ehrchain')
  .action(
    async (o: {
      nodes: number;
      out: string;
      hosts?: string;
      httpPort: number;
      p2pPort: number;
      listenHost?: string;
      chainId: string;
    }) => {
      const { initNetwork } = await import('./init.js');
      const hosts =
        o.hosts?.split(',').map((h) => h.trim()) ?? Array.from({ length: o.nodes }, () => '127.0.0.1');
      const distinct = new Set(hosts).size === hosts.length;
      const r = await initNetwork({
        nodes: o.hosts === undefined ? o.nodes : hosts.length,
        out: o.out,
        hosts,
        httpPort: o.httpPort,
        p2pPort: o.p2pPort,
        chainId: o.chainId,
        portStep: distinct ? 0 : 1,
        ...(o.listenHost === undefined ? {} : { listenHost: o.listenHost }),
      });
      for (const [i, home] of r.homes.entries()) {
        const v = r.genesis.validators[i]!;
        console.log(`${v.name}  ${home}  http ${v.http}  p2p ${v.p2p.join(' ')}`);
      }
      console.log(`\nStart each validator with: ehrchain start --home <dir>`);
    },
  );

program
  .command('start')
  .description('run one validator node from its home directory')
  .requiredOption('--home <dir>', 'the node directory made by init')
  .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
  .option(
    '--recover-from-peers',
    "set this node's chain store aside (kept in <dataDir>/damaged-*) and rebuild it from the peers",
  )
  .action(async (o: { home: string; logLevel?: string; recoverFromPeers?: boolean }) => {
    const { runStart } = await import('./start.js');
    await runStart(o);
  });

interface DevnetFlags {
  nodes: number;
  dir: string;
  httpPort: number;
  p2pPort: number;
  logLevel: string;
  demo: boolean;
  activity: boolean;
}

program
  .command('backup')
  .description(
    "write a consistent backup of a node's chain store (online through its admin socket, or offline)",
  )
  .requiredOption('--home <dir>', 'the node directory')
  .requiredOption('--out <path>', 'the backup file, or an existing directory to write a named one in')
  .action(async (o: { home: string; out: string }) => {
    const { runBackup } = await import('./backup.js');
    console.log(JSON.stringify(await runBackup(o), null, 2));
  });

program
  .command('restore')
  .description("restore a stopped node's chain store from a backup; it then rejoins and catches up")
  .requiredOption('--from <file>', 'the backup file')
  .requiredOption('--home <dir>', 'the node directory')
  .option('--force', 'set an existing chain store aside (into <dataDir>/damaged-*) instead of refusing')
  .action(async (o: { from: string; home: string; force?: boolean }) => {
    const { runRestore } = await import('./backup.js');
    console.log(JSON.stringify(await runRestore(o), null, 2));
  });

program
  .command('devnet')
  .description('run a local network of validator processes (created on first run, resumed after)')
  .option('--nodes <n>', 'number of validators', int('--nodes', 1, 16), 3)
  .option('--dir <dir>', 'data directory', '.data/devnet')
  .option(
    '--http-port <port>',
    "node 1's HTTP port; node i uses port + i - 1",
    int('--http-port', 1, 65535),
    8080,
  )
  .option('--p2p-port <port>', "node 1's libp2p port", int('--p2p-port', 1, 65535), 9080)
  .option('--log-level <level>', 'log level of the nodes', 'info')
  .option('--no-demo', 'a new devnet starts empty, without the synthetic demo consortium')
  .option('--no-activity', "no synthetic activity on a demo chain (it keeps the explorer's charts moving)")
  .action(async (o: DevnetFlags) => {
    const { runDevnet } = await import('./devnet/devnet.js');
    await runDevnet({ ...o, host: '127.0.0.1' });
  });

program
  .command('status')
  .description("print a node's status")
  .option('--url <url>', 'node HTTP URL', 'http://127.0.0.1:8080')
  .action(async (o: { url: string }) => {
    const { EhrClient } = await import('../client/client.js');
    console.log(JSON.stringify(await new EhrClient(o.url).status(), null, 2));
  });

program
  .command('tx')
  .description('sign a contract call with a key file, submit it and wait for the receipt')
  .requiredOption('--key <file>', 'the sender key file')
  .requiredOption('--contract <id>', 'contract id, e.g. kv')
  .requiredOption('--method <name>', 'method name')
  .option('--arg <value...>', 'arguments: 0x-prefixed hex, or text (UTF-8)')
  .option('--url <url>', 'node HTTP URL', 'http://127.0.0.1:8080')
  .option('--gas <n>', 'gas limit', int('--gas', 1), 1_000_000)
  .action(
    async (o: {
      key: string;
      contract: string;
      method: string;
      arg?: string[];
      url: string;
      gas: number;
    }) => {
      const { Account, EhrClient } = await import('../client/client.js');
      const { readKeyFile } = await import('../client/keyfile.js');
      const client = new EhrClient(o.url);
      const status = await client.status();
      const key = await readKeyFile(o.key);
      const account = new Account(key.seed, status.chainId);
      const args = (o.arg ?? []).map((a) =>
        a.startsWith('0x') ? new Uint8Array(Buffer.from(a.slice(2), 'hex')) : new TextEncoder().encode(a),
      );
      const tx = await account.call(client, o.contract, o.method, args, { gasLimit: o.gas });
      console.log(JSON.stringify(tx, null, 2));
    },
  );

addGovernanceCommands(program);
addRecordCommands(program);
addConsentCommands(program);
addResearchCommands(program);
addReceiptCommands(program);

const collect = (v: string, prev: string[] = []) => [...prev, v];

const bench = program
  .command('bench')
  .description('benchmark a fresh local network (or running nodes with --target) and report')
  .option('--nodes <n>', 'validators to start', int('--nodes', 1, 16), 3)
  .option('--target <url...>', 'drive these running nodes instead of starting a network')
  .option('--workload <name>', 'noop, kv, consent-mix or records', 'noop')
  .option('--duration <time>', 'how long to send (30, 30s, 500ms, 2m)', '30s')
  .option('--count <n>', 'stop after sending this many txs', int('--count', 1))
  .option('--rate <tx/s>', 'offered rate (default: as fast as possible)', int('--rate', 1))
  .option('--workers <n>', 'load generator threads', int('--workers', 1, 64), 2)
  .option('--accounts <n>', 'sender accounts over all workers', int('--accounts', 1), 1000)
  .option('--concurrency <n>', 'concurrent HTTP requests per worker', int('--concurrency', 1), 64)
  .option('--inflight <n>', 'flat out: most submitted-but-uncommitted txs', int('--inflight', 1), 20_000)
  .option(
    '--batch <n>',
    'txs per HTTP request: more than 1 posts batches to /v1/txs (noop, kv, consent-mix)',
    int('--batch', 1, 1000),
    1,
  )
  .option(
    '--pregen-rate <tx/s>',
    'flat out: txs to pre-sign per second of duration',
    int('--pregen-rate', 1),
    10_000,
  )
  .option(
    '--value-bytes <n>',
    'kv value size; records: FHIR record size (default 10000)',
    int('--value-bytes', 0, 4_000_000),
  )
  .option(
    '--mix <weights>',
    'consent-mix: grant=40,revoke=10,anchor=30,register=10,canAccess=10 (also request, approve); records: put=20,get=80',
  )
  .option('--patients <n>', 'consent-mix: patients per hospital (setup)', int('--patients', 1), 100)
  .option('--doctors <n>', 'consent-mix: doctors per hospital (setup)', int('--doctors', 1), 50)
  .option('--admin-key <file...>', "consent-mix/records with --target: the hospitals' first admin key files")
  .option(
    '--fault <spec>',
    'kill-leader@10s, kill@5s:node2, restart@15s:node2, partition@20s:node3:5s',
    collect,
  )
  .option('--sweep <from:to:step>', 'step the offered rate, e.g. 1000:8000:1000')
  .option('--p99-bound <ms>', 'sweep: p99 bound', int('--p99-bound', 1), 1000)
  .option('--repeat <k>', 'runs on fresh networks; reports the median', int('--repeat', 1, 100), 1)
  .option('--baseline <system>', 'also drive a local 3-member etcd cluster (etcd)')
  .option('--http <impl>', 'load generator HTTP: undici (Agent, the default), node (http.Agent) or fetch')
  .option('--drain <time>', 'after sending, wait this long for commits', '10s')
  .option('--proxy', 'put the fault proxy between validators (implied by partition faults)')
  .option('--block-interval <ms>', 'block interval of the started validators', int('--block-interval', 1))
  .option(
    '--node-args <args>',
    'extra node flags for the validators, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"',
  )
  .option(
    '--node-bin <file>',
    "the ehrchain binary that inits and runs the validators (default: this checkout's bin/ehrchain.mjs)",
  )
  .option('--dir <dir>', 'create the network here instead of a temp dir')
  .option('--keep', 'keep the network directory (data, logs, profiles)')
  .option('--json <file>', 'write the JSON result')
  .option('--html <file>', 'write the HTML report')
  .option('--no-progress', 'no progress bar')
  .action(async (o: import('./bench/options.js').RawBenchFlags & { target?: string[] }) => {
    const { parseBenchOptions } = await import('./bench/options.js');
    const { runBench, summaryText } = await import('./bench/bench.js');
    const opts = parseBenchOptions(o, process.argv);
    console.log(summaryText(await runBench(opts)));
  });

bench
  .command('compare <a> <b>')
  .description('print the ratios B/A of the key figures of two bench JSON results')
  .action(async (a: string, b: string) => {
    const { runCompare } = await import('./bench/compare.js');
    console.log(await runCompare(a, b));
  });

// Last, so that `watch` joins an `ehrchain consent` group registered above, or creates it.

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  console.error(`ehrchain: ${e.message ?? String(err)}`);
  process.exit(1);
});
