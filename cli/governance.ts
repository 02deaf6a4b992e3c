/**
 * `ehrchain governance`: validators propose and approve consortium actions (add or remove a
 * validator, add an organisation to the consent contract, upgrade a contract, activate a chain
 * feature at a height). Each command signs a transaction with the validator's key file and waits for
 * its receipt; `governance features` shows the activations scheduled.
 */
import type { Command } from 'commander';
import { Account, EhrClient } from '../client/client.js';
import { readKeyFile } from '../client/keyfile.js';
import { encodeAction, type GovernanceAction } from '../node/contracts/governance.js';
import { fromHex } from '../protocol/chain/encoding.js';
import { type FeatureSchedule, isKnownFeature, MIN_ACTIVATION_LEAD } from '../protocol/chain/features.js';
import { encodeInt } from '../vm/abi.js';
import { encodeOp, type ORG_KIND_CODE } from '../vm/consent/abi.js';

async function send(
  url: string,
  keyFile: string,
  method: 'propose' | 'approve',
  arg: Uint8Array,
): Promise<void> {
  const client = new EhrClient(url);
  const { chainId } = await client.status();
  const key = await readKeyFile(keyFile);
  const tx = await new Account(key.seed, chainId).call(client, 'governance', method, [arg]);
  const r = tx.receipt;
  if (r?.status !== 'ok') throw new Error(`governance ${method} reverted: ${r?.error ?? 'unknown'}`);
  const id = Number(BigInt(`0x${r.returnData}`));
  const executed = r.events.some((e) => e.name !== 'approved');
  console.log(
    `proposal ${id}: ${method === 'propose' ? 'proposed' : 'approved'}${executed ? ', approved by a majority and executed' : ''}`,
  );
}

/**
 * The validators whose node cannot take an activateFeature proposal, as `name (why)`: a release
 * before governance-activated features (v0.4.0) answers the governance `features` query with
 * bad_args, and would revert the proposal where newer nodes run it, which is a state divergence.
 * Unreachable nodes are listed too: nothing says what they run.
 */
export async function validatorsWithoutFeatureGovernance(url: string): Promise<string[]> {
  const { validators } = await new EhrClient(url).status();
  const out: string[] = [];
  for (const v of validators) {
    try {
      const r = await new EhrClient(v.http).query('governance', 'features', []);
      if (r.status !== 'ok') out.push(`${v.name} (its release does not know activateFeature: ${r.error})`);
    } catch (err) {
      out.push(`${v.name} (unreachable at ${v.http}: ${String(err)})`);
    }
  }
  return out;
}

interface ProposeFlags {
  key: string;
  url: string;
  addValidator?: string;
  removeValidator?: string;
  name?: string;
  p2p?: string[];
  http?: string;
  addOrg?: string;
  kind?: keyof typeof ORG_KIND_CODE;
  adminKey?: string;
  adminCert?: string;
  activateFeature?: string;
  atHeight?: string;
  force?: boolean;
}

function actionFrom(o: ProposeFlags): GovernanceAction {
  if (o.addValidator !== undefined) {
    if (o.name === undefined || o.p2p === undefined || o.http === undefined) {
      throw new Error('--add-validator needs --name, --p2p and --http');
    }
    return {
      kind: 'addValidator',
      validator: { publicKey: fromHex(o.addValidator), name: o.name, p2p: o.p2p, http: o.http },
    };
  }
  if (o.removeValidator !== undefined)
    return { kind: 'removeValidator', publicKey: fromHex(o.removeValidator) };
  if (o.addOrg !== undefined) {
    if (o.kind === undefined || o.adminKey === undefined || o.adminCert === undefined) {
      throw new Error('--add-org needs --kind, --admin-key and --admin-cert');
    }
    const call = encodeOp({
      op: 'addOrg',
      org: o.addOrg,
      kind: o.kind,
      adminKey: o.adminKey,
      adminCertHash: o.adminCert,
    });
    return { kind: 'consentCall', method: call.method, args: call.args };
  }
  if (o.activateFeature !== undefined) {
    if (o.atHeight === undefined) throw new Error('--activate-feature needs --at-height');
    return { kind: 'activateFeature', name: o.activateFeature, height: Number(o.atHeight) };
  }
  throw new Error(
    'say what to propose: --add-validator, --remove-validator, --add-org or --activate-feature',
  );
}

/** Adds `governance propose` and `governance approve` to the program. */
export function addGovernanceCommands(program: Command): void {
  const gov = program
    .command('governance')
    .description('consortium governance: a majority of validators decides');
  gov
    .command('propose')
    .description('propose an action (your own approval counts)')
    .requiredOption('--key <file>', "a validator's key file")
    .option('--url <url>', 'node HTTP URL', 'http://127.0.0.1:8080')
    .option('--add-validator <publicKey>', 'add a validator (hex ed25519 public key)')
    .option('--name <name>', 'its name')
    .option('--p2p <addr...>', 'its libp2p multiaddrs')
    .option('--http <url>', 'its HTTP API URL')
    .option('--remove-validator <publicKey>', 'remove a validator')
    .option('--add-org <id>', 'add an organisation to the consent contract')
    .option('--kind <kind>', 'hospital, insurer or research')
    .option('--admin-key <publicKey>', "the organisation's first admin (hex public key)")
    .option('--admin-cert <sha256>', "sha256 of the admin's certificate (hex)")
    .option('--activate-feature <name>', 'switch a chain feature on (docs/operations.md#rolling-upgrades)')
    .option(
      '--at-height <h>',
      `from this block height on (at least ${MIN_ACTIVATION_LEAD} blocks after approval)`,
    )
    .action(async (o: ProposeFlags) => {
      if (o.activateFeature !== undefined && o.force !== true) {
        const old = await validatorsWithoutFeatureGovernance(o.url);
        if (old.length > 0)
          throw new Error(`not proposed: upgrade these validators first (or --force): ${old.join('; ')}`);
      }
      await send(o.url, o.key, 'propose', encodeAction(actionFrom(o)));
    });
  gov
    .command('approve')
    .description('approve a proposal by id')
    .requiredOption('--key <file>', "a validator's key file")
    .requiredOption('--id <n>', 'proposal id')
    .option('--url <url>', 'node HTTP URL', 'http://127.0.0.1:8080')
    .action(async (o: { key: string; id: string; url: string }) => {
      await send(o.url, o.key, 'approve', encodeInt(Number(o.id)));
    });
  gov
    .command('features')
    .description('the feature switches scheduled by governance, and whether this node knows each')
    .option('--url <url>', 'node HTTP URL', 'http://127.0.0.1:8080')
    .action(async (o: { url: string }) => {
      const client = new EhrClient(o.url);
      const { height } = await client.status();
      const r = await client.query('governance', 'features', []);
      if (r.value === null) throw new Error(`governance features: ${r.error ?? 'reverted'}`);
      const schedule = JSON.parse(Buffer.from(r.value, 'hex').toString('utf8')) as FeatureSchedule;
      const rows = Object.entries(schedule);
      if (rows.length === 0) console.log(`no feature scheduled by governance (height ${height})`);
      for (const [name, at] of rows) {
        const state = at <= height ? 'active' : `in ${at - height} blocks`;
        const known = isKnownFeature(name) ? '' : '  NOT KNOWN to this node: upgrade before that height';
        console.log(`${name}  height ${at}  ${state}${known}`);
      }
    });
}
