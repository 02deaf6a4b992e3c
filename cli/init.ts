/**
 * `ehrchain init`: keys, genesis and one config per validator. For one machine (the devnet) every
 * validator gets its own ports; for real hospitals `--hosts` gives each validator its host and the
 * same ports, so each directory can be copied to its machine.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, writeKeyFile } from '../client/keyfile.js';
import type { Genesis } from '../node/config/config.js';

export interface InitOptions {
  readonly nodes: number;
  readonly out: string;
  /** One host per validator (listen and advertise); repeated hosts get consecutive ports. */
  readonly hosts: readonly string[];
  readonly httpPort: number;
  readonly p2pPort: number;
  readonly chainId: string;
  /** Port increment between validators sharing a host. */
  readonly portStep: number;
  readonly blockIntervalMs?: number;
  /** Listen on this address instead of the advertised host (e.g. 0.0.0.0 behind NAT). */
  readonly listenHost?: string;
}

export interface InitResult {
  readonly genesis: Genesis;
  readonly homes: readonly string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Writes `out/node<i>/{config.json,genesis.json,keys/validator.json}`, and `out/keys/admin-hospital-<i>.json`:
 * the first admin of each validator's hospital in the consent contract.
 */
export async function initNetwork(opts: InitOptions): Promise<InitResult> {
  if (opts.hosts.length !== opts.nodes)
    throw new Error(`--hosts names ${opts.hosts.length} hosts for ${opts.nodes} nodes`);
  await mkdir(opts.out, { recursive: true });
  const seen = new Map<string, number>();
  const plan = opts.hosts.map((host, i) => {
    const k = seen.get(host) ?? 0;
    seen.set(host, k + 1);
    const step = k * opts.portStep;
    return {
      name: `node${i + 1}`,
      host,
      http: opts.httpPort + step,
      p2p: opts.p2pPort + step,
      key: generateKeyPair(),
    };
  });
  // One hospital per validator, each with a first admin whose key the operator keeps.
  const admins = plan.map(() => generateKeyPair());
  for (const [i, a] of admins.entries())
    await writeKeyFile(join(opts.out, 'keys', `admin-hospital-${i + 1}.json`), a);
  const genesis: Genesis = {
    chainId: opts.chainId,
    time: Date.now(),
    validators: plan.map((p) => ({
      name: p.name,
      publicKey: hex(p.key.publicKey),
      p2p: [`/ip4/${p.host}/tcp/${p.p2p}`],
      http: `http://${p.host}:${p.http}`,
    })),
    organisations: admins.map((a, i) => ({
      id: `hospital-${i + 1}`,
      kind: 'hospital' as const,
      adminKey: hex(a.publicKey),
      // Synthetic: the sha256 of the admin key stands in for a certificate hash on a devnet.
      adminCert: hex(new Uint8Array(createHash('sha256').update(a.publicKey).digest())),
    })),
  };
  const homes: string[] = [];
  for (const p of plan) {
    const home = join(opts.out, p.name);
    homes.push(home);
    await mkdir(home, { recursive: true });
    await writeKeyFile(join(home, 'keys', 'validator.json'), p.key);
    const listen = opts.listenHost ?? p.host;
    const config = {
      name: p.name,
      chainId: opts.chainId,
      dataDir: 'data',
      keyFile: 'keys/validator.json',
      http: { host: listen, port: p.http },
      p2p: { listen: [`/ip4/${listen}/tcp/${p.p2p}`], announce: [`/ip4/${p.host}/tcp/${p.p2p}`] },
      ...(opts.blockIntervalMs === undefined ? {} : { block: { intervalMs: opts.blockIntervalMs } }),
    };
    await writeFile(join(home, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(home, 'genesis.json'), `${JSON.stringify(genesis, null, 2)}\n`);
  }
  return { genesis, homes };
}
