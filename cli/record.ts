/**
 * `ehrchain record put|get|history|grant|revoke|erase`: encrypted FHIR records through the records
 * client. Keys come from key files (`ehrchain keygen`); record content is read from / written to
 * files or stdout and never logged. Public keys and ids are hex.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EhrClient } from '../client/client.js';
import { readKeyFile } from '../client/keyfile.js';
import type { RecordsClient } from '../client/records.js';
import { fromHex } from '../protocol/chain/encoding.js';
import { RecordError } from '../protocol/records/errors.js';
import { PURPOSES, type PurposeName } from '../protocol/records/request.js';
import type { Action, Purpose } from '../vm/consent/types.js';

async function open(o: { url: string; key: string }): Promise<RecordsClient> {
  const client = new EhrClient(o.url);
  const { chainId } = await client.status();
  const key = await readKeyFile(o.key);
  // Loaded on use: the records client pulls in the FHIR validator.
  const { RecordsClient } = await import('../client/records.js');
  return new RecordsClient(client, key.seed, chainId);
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const purpose = (v: string): PurposeName => {
  if (!(v in PURPOSES)) throw new Error(`purpose must be one of ${Object.keys(PURPOSES).join(', ')}`);
  return v as PurposeName;
};

/** Turns a RecordError into a one-line message (FHIR path included) and exit code 1. */
async function run(f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (err instanceof RecordError) {
      console.error(`error ${err.code}${err.detail ? ` (${err.detail})` : ''}: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

/** Registers `record` and its sub-commands. */
export function addRecordCommands(program: Command): void {
  const record = program.command('record').description('encrypted health records off chain, under consent');
  const common = (c: Command) =>
    c
      .requiredOption('--key <file>', "the actor's key file")
      .option('--url <url>', 'node HTTP API', 'http://127.0.0.1:8080');

  common(record.command('put'))
    .description('validate a FHIR R4 JSON file, encrypt it, store it and anchor the version (doctor)')
    .requiredOption('--file <path>', 'FHIR R4 resource or Bundle (JSON)')
    .requiredOption('--patient <publicKey>', "the patient's public key (hex)")
    .requiredOption('--category <code>', 'consent category (lab, imaging, ...)')
    .option('--record <id>', 'record id (hex) to add a version to')
    .option('--readers <keys>', 'more readers, comma-separated public keys', list, [])
    .action(
      async (o: {
        key: string;
        url: string;
        file: string;
        patient: string;
        category: string;
        record?: string;
        readers: string[];
      }) =>
        run(async () => {
          const rc = await open(o);
          const resource: unknown = JSON.parse(await readFile(o.file, 'utf8'));
          const r = await rc.put({
            patientKey: fromHex(o.patient),
            resource,
            category: o.category,
            readerKeys: o.readers.map(fromHex),
            ...(o.record === undefined ? {} : { recordId: fromHex(o.record) }),
          });
          console.log(`record ${r.recordId} version ${r.version} cid ${r.cid} replicas ${r.replicas}`);
        }),
    );

  common(record.command('get'))
    .description('fetch, verify and decrypt a record version (default: the latest)')
    .requiredOption('--record <id>', 'record id (hex)')
    .option('--version <n>', 'version', (v) => Number(v))
    .option('--purpose <p>', 'purpose of use (TREAT, HPAYMT, HRESCH, ETREAT)', purpose, 'TREAT')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action(
      async (o: {
        key: string;
        url: string;
        record: string;
        version?: number;
        purpose: PurposeName;
        out?: string;
      }) =>
        run(async () => {
          const rc = await open(o);
          const r = await rc.get(fromHex(o.record), {
            purpose: o.purpose,
            ...(o.version === undefined ? {} : { version: o.version }),
          });
          const json = `${JSON.stringify(r.resource, null, 2)}\n`;
          if (o.out === undefined) process.stdout.write(json);
          else await writeFile(o.out, json, { mode: 0o600 });
          console.error(`version ${r.version} cid ${r.cid} via ${r.source}`);
        }),
    );

  common(record.command('history'))
    .description('list the versions of a record as the chain holds them')
    .requiredOption('--record <id>', 'record id (hex)')
    .action(async (o: { key: string; url: string; record: string }) =>
      run(async () => {
        const rc = await open(o);
        for (const h of await rc.history(fromHex(o.record))) {
          const erased = h.erasedAt > 0 ? ` erased ${new Date(h.erasedAt).toISOString()}` : '';
          console.log(
            `v${h.version} ${h.cid} ${h.category} at ${new Date(h.anchoredAt).toISOString()} readers ${h.readers.length}${erased}`,
          );
        }
      }),
    );

  common(record.command('grant'))
    .description('patient: grant read access to an actor and share the current key of records')
    .requiredOption('--to <publicKey>', "the grantee's public key (hex)")
    .option('--categories <codes>', 'scope: categories (default: all)', list)
    .option('--purposes <list>', 'purposes of use', list, ['TREAT'])
    .option('--actions <list>', 'read, write', list, ['read'])
    .option('--days <n>', 'validity in days', (v) => Number(v), 30)
    .option('--share <records>', 'record ids (hex) whose current key to wrap for the grantee', list, [])
    .action(
      async (o: {
        key: string;
        url: string;
        to: string;
        categories?: string[];
        purposes: string[];
        actions: string[];
        days: number;
        share: string[];
      }) =>
        run(async () => {
          const rc = await open(o);
          const granteeKey = fromHex(o.to);
          const { actorId } = await import('../protocol/records/consent-calls.js');
          const now = Date.now();
          const id = await rc.grant(
            {
              grantee: { kind: 'actor', id: Buffer.from(actorId(granteeKey)).toString('hex') },
              actions: o.actions as Action[],
              scope:
                o.categories === undefined
                  ? { kind: 'all' }
                  : { kind: 'categories', categories: o.categories },
              purposes: o.purposes as Purpose[],
              start: now - 60_000,
              end: now + o.days * 86_400_000,
              exceptions: [],
            },
            { granteeKey, records: o.share.map(fromHex) },
          );
          console.log(`grant ${id}`);
        }),
    );

  common(record.command('revoke'))
    .description('patient: revoke a grant (new versions get keys the grantee never receives)')
    .requiredOption('--grant <id>', 'grant id', (v) => Number(v))
    .action(async (o: { key: string; url: string; grant: number }) =>
      run(async () => {
        await (await open(o)).revoke(o.grant);
        console.log(`grant ${o.grant} revoked`);
      }),
    );

  common(record.command('erase'))
    .description('patient: erase a record (crypto-shredding: keys deleted on chain, blobs on every node)')
    .requiredOption('--record <id>', 'record id (hex)')
    .action(async (o: { key: string; url: string; record: string }) =>
      run(async () => {
        await (await open(o)).erase(fromHex(o.record));
        console.log(`record ${o.record} erased`);
      }),
    );
}
