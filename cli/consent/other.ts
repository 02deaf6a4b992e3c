/**
 * `ehrchain consent attest|emergency-request|emergency-cosign|trail`: record attestations,
 * break-the-glass access, and a patient's audit trail (every grant, request, answer and read).
 */
import type { Command } from 'commander';
import type { TrailEntry } from '../../client/consent-views.js';
import { parseAttestationKind, parseDuration, parseTime, purposeLabel, UsageError } from './args.js';
import { action, type CommonFlags, common, when } from './run.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function entryText(e: TrailEntry): string {
  const purpose = e.purposes.length === 0 ? '' : ` for ${e.purposes.map(purposeLabel).join(',')}`;
  const detail = e.detailText === null ? '' : ` (${e.detailText})`;
  return `${String(e.seq).padStart(4)}  ${when(e.at)}  ${e.op.padEnd(15)} by ${e.by.slice(0, 16)}…${purpose}${detail}`;
}

/** Registers the remaining sub-commands on `consent`. */
export function addOtherCommands(consent: Command): void {
  common(consent.command('attest'))
    .description('attest a record version: patient-confirmed, admin-validated or co-signed')
    .requiredOption('--record <id>', 'record id (hex)')
    .requiredOption('--version <n>', 'version', Number)
    .requiredOption('--kind <kind>', 'patient-confirmed, admin-validated or co-signed', parseAttestationKind)
    .action(
      action(
        async (
          o: CommonFlags & { record: string; version: number; kind: ReturnType<typeof parseAttestationKind> },
          s,
        ) => {
          await s.cc.attest(o.record, o.version, o.kind);
          const v = await s.cc.versionInfo(o.record, o.version);
          const list = await s.cc.attestations(o.record, o.version);
          return {
            json: { record: o.record, version: o.version, status: v?.status, attestations: list },
            text: `v${o.version} of ${o.record}: ${o.kind}; ${list.length} attestation(s), ${v?.status ?? 'unknown'}`,
          };
        },
      ),
    );

  common(consent.command('emergency-request'))
    .description('doctor: break the glass (read for emergency treatment), pending a co-signature')
    .requiredOption('--patient <who>', 'key file, public key or actor id')
    .option('--reason <code>', 'why, as a code', 'emergency')
    .option('--for <duration>', 'how long from the co-signature (at most 24h)', '4h')
    .action(
      action(async (o: CommonFlags & { patient: string; reason: string; for: string }, s) => {
        const id = await s.cc.emergencyRequest(await s.actor(o.patient), o.reason, parseDuration(o.for));
        return {
          json: { emergency: id },
          text: `emergency ${id} requested: a second doctor or an admin co-signs within 1h`,
        };
      }),
    );

  common(consent.command('emergency-cosign'))
    .description("another doctor or an admin of the requester's organisation: co-sign an emergency")
    .requiredOption('--emergency <id>', 'emergency id', Number)
    .action(
      action(async (o: CommonFlags & { emergency: number }, s) => {
        await s.cc.emergencyCosign(o.emergency);
        return {
          json: { emergency: o.emergency, cosigned: true },
          text: `emergency ${o.emergency} co-signed: access in force`,
        };
      }),
    );

  common(consent.command('trail'), false)
    .description("a patient's audit trail: grants, requests, answers, writes and reads, oldest first")
    .option('--patient <who>', 'the patient (default: yourself)')
    .option('--from <n>', 'first entry', Number, 0)
    .option('--by <who>', 'only the entries of this actor (key file, public key or actor id)')
    .option(
      '--wait-for <op>',
      'wait until an entry with this op (e.g. read) is on the trail; reads are recorded in batches',
    )
    .option('--timeout <duration>', 'how long --wait-for waits', '30s')
    .action(
      action(
        async (
          o: CommonFlags & { patient?: string; from: number; by?: string; waitFor?: string; timeout: string },
          s,
        ) => {
          if (o.patient === undefined && o.key === undefined) throw new UsageError('give --patient or --key');
          const patient = o.patient === undefined ? s.cc.id : await s.actor(o.patient);
          const deadline = parseTime(`+${o.timeout}`, Date.now());
          let entries = await s.cc.trail(patient, o.from);
          while (o.waitFor !== undefined && !entries.some((e) => e.op === o.waitFor)) {
            if (Date.now() > deadline)
              throw new UsageError(`no ${o.waitFor} on the trail after ${o.timeout}`);
            await sleep(250);
            entries = await s.cc.trail(patient, o.from);
          }
          return {
            json: entries,
            text: entries.length === 0 ? 'the trail is empty' : entries.map(entryText).join('\n'),
          };
        },
      ),
    );
}
