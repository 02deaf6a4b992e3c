/**
 * `ehrchain consent request|withdraw|requests`: a doctor, insurer or researcher asks a patient for
 * access, withdraws the ask; anyone lists a patient's open requests, a requester's requests, or
 * shows one (`request <id>`).
 */
import type { Command } from 'commander';
import type { RequestState } from '../../client/consent.js';
import { parseTime, UsageError } from './args.js';
import { action, type CommonFlags, common, type Session, when } from './run.js';
import { defaultTerms, type TermsFlags, termsFrom, termsOptions, termsText } from './terms.js';

/** A request as a few lines for people. */
function requestText(s: RequestState): string {
  const r = s.request;
  const lines = [
    `request ${r.id}  ${s.state}`,
    `  patient    ${r.patient}`,
    `  requester  ${r.requester}`,
    `  asks       ${termsText(r.terms)}`,
    `  reason     ${r.reason}`,
    `  requested  ${when(r.requestedAt)}, expires ${when(r.expiresAt)}`,
  ];
  if (r.answeredAt !== null) {
    const what =
      r.status === 'approved'
        ? `approved: grant ${r.grantId}`
        : r.status === 'denied'
          ? `denied (${r.denyReason})`
          : r.status;
    lines.push(`  answered   ${what} by ${r.answeredBy} at ${when(r.answeredAt)}`);
  }
  return lines.join('\n');
}

async function show(s: Session, id: number) {
  const st = await s.cc.requestState(id);
  if (st === null) throw new UsageError(`there is no request ${id}`);
  return st;
}

/** Registers the request sub-commands on `consent`. */
export function addRequestCommands(consent: Command): void {
  termsOptions(common(consent.command('request'), false), 'default')
    .argument('[id]', 'show this request instead of making one')
    .description('doctor, insurer or researcher: ask a patient for access; with an id: show that request')
    .option('--patient <who>', "the patient's key file, public key or actor id")
    .option('--reason <code>', 'why, as a code (a-z, 0-9, -)', 'care')
    .option('--expires <date>', 'when the request lapses (default +7d, at most +30d)')
    .action(
      async (
        id: string | undefined,
        o: CommonFlags & TermsFlags & { patient?: string; reason: string; expires?: string },
      ) =>
        action(async (_: typeof o, s) => {
          if (id !== undefined) {
            const st = await show(s, Number(id));
            return { json: st, text: requestText(st) };
          }
          if (o.key === undefined || o.patient === undefined)
            throw new UsageError(
              'making a request needs --key and --patient (or give a request id to show one)',
            );
          const patient = await s.actor(o.patient);
          const terms = termsFrom(o, s.now, defaultTerms(s.now));
          const expires = o.expires === undefined ? 0 : parseTime(o.expires, s.now);
          const rid = await s.cc.request(patient, terms, o.reason, expires);
          return {
            json: { request: rid, patient, terms, reason: o.reason },
            text: `request ${rid}: ${termsText(terms)}`,
          };
        })(o),
    );

  common(consent.command('withdraw'))
    .description('the requester: withdraw your own open request')
    .requiredOption('--request <id>', 'request id', Number)
    .action(
      action(async (o: CommonFlags & { request: number }, s) => {
        await s.cc.withdraw(o.request);
        return { json: { request: o.request, withdrawn: true }, text: `request ${o.request} withdrawn` };
      }),
    );

  common(consent.command('requests'), false)
    .description("list a patient's open requests (default: yours), or with --by the requests an actor made")
    .option('--patient <who>', 'the patient (key file, public key or actor id)')
    .option('--by <who>', 'list the requests this actor made instead')
    .action(
      action(async (o: CommonFlags & { patient?: string; by?: string }, s) => {
        let ids: number[];
        if (o.by !== undefined) ids = await s.cc.requestsBy(await s.actor(o.by));
        else {
          if (o.patient === undefined && o.key === undefined)
            throw new UsageError('give --patient, --by or --key');
          ids = await s.cc.openRequests(o.patient === undefined ? s.cc.id : await s.actor(o.patient), s.now);
        }
        const all = await Promise.all(ids.map((i) => show(s, i)));
        const text =
          all.length === 0
            ? 'no requests'
            : all
                .map(
                  ({ request: r, state }) =>
                    `${r.id}  ${state.padEnd(9)} from ${r.requester.slice(0, 16)}…  ${termsText(r.terms)}  (${r.reason})`,
                )
                .join('\n');
        return { json: all, text };
      }),
    );
}
