/**
 * `ehrchain governance`: validators propose and approve consortium actions (add or remove a
 * validator, add an organisation to the consent contract, upgrade a contract). Each command signs a
 * transaction with the validator's key file and waits for its receipt.
 */
import type { Command } from 'commander';
import { Account, EhrClient } from '../client/client.js';
import { readKeyFile } from '../client/keyfile.js';
import { encodeAction, type GovernanceAction } from '../node/contracts/governance.js';
import { fromHex } from '../protocol/chain/encoding.js';
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
  throw new Error('say what to propose: --add-validator, --remove-validator or --add-org');
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
    .action(async (o: ProposeFlags) => {
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
}
