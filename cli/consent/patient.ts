/**
 * `ehrchain consent grant|revoke|approve|deny`: what a patient (or their linked guardian) does
 * with their consent.
 */
import type { Command } from 'commander';
import type { Grantee } from '../../vm/consent/types.js';
import { parseRole, UsageError } from './args.js';
import { action, type CommonFlags, common } from './run.js';
import { anyTerms, defaultTerms, type TermsFlags, termsFrom, termsOptions, termsText } from './terms.js';

/** Registers the patient sub-commands on `consent`. */
export function addPatientCommands(consent: Command): void {
  termsOptions(common(consent.command('grant')), 'default')
    .description('patient or guardian: grant access to an actor, an organisation or a role')
    .option('--to <who>', "the grantee's key file, public key or actor id")
    .option('--to-org <code>', 'grant to every actor of an organisation')
    .option('--to-role <role>', 'grant to every actor holding a role')
    .option('--patient <who>', 'the patient (guardians; default: yourself)')
    .action(
      action(
        async (
          o: CommonFlags & TermsFlags & { to?: string; toOrg?: string; toRole?: string; patient?: string },
          s,
        ) => {
          const given = [o.to, o.toOrg, o.toRole].filter((v) => v !== undefined).length;
          if (given !== 1)
            throw new UsageError('name the grantee with exactly one of --to, --to-org, --to-role');
          const grantee: Grantee =
            o.to !== undefined
              ? { kind: 'actor', id: await s.actor(o.to) }
              : o.toOrg !== undefined
                ? { kind: 'org', id: o.toOrg }
                : { kind: 'role', id: parseRole(o.toRole ?? '') };
          const terms = termsFrom(o, s.now, defaultTerms(s.now));
          const patient = o.patient === undefined ? s.cc.id : await s.actor(o.patient);
          const id = await s.cc.grant(grantee, terms, patient);
          return { json: { grant: id, grantee, terms }, text: `grant ${id}: ${termsText(terms)}` };
        },
      ),
    );

  common(consent.command('revoke'))
    .description('patient or guardian: revoke a grant')
    .requiredOption('--grant <id>', 'grant id', Number)
    .action(
      action(async (o: CommonFlags & { grant: number }, s) => {
        await s.cc.revoke(o.grant);
        return { json: { grant: o.grant, revoked: true }, text: `grant ${o.grant} revoked` };
      }),
    );

  termsOptions(common(consent.command('approve')), 'default: as requested')
    .description('patient or guardian: approve a request, as asked or narrower (any terms flag narrows)')
    .requiredOption('--request <id>', 'request id', Number)
    .action(
      action(async (o: CommonFlags & TermsFlags & { request: number }, s) => {
        let narrowed = null;
        if (anyTerms(o)) {
          const r = await s.cc.requestInfo(o.request);
          // An unknown id: approve anyway, so that the contract says why (unknown_request).
          narrowed = termsFrom(o, s.now, r?.terms ?? defaultTerms(s.now));
        }
        const grant = await s.cc.approve(o.request, narrowed ?? undefined);
        const how = narrowed === null ? 'as requested' : termsText(narrowed);
        return {
          json: { request: o.request, grant, terms: narrowed ?? 'as requested' },
          text: `request ${o.request} approved: grant ${grant}, ${how}`,
        };
      }),
    );

  common(consent.command('deny'))
    .description('patient or guardian: deny a request')
    .requiredOption('--request <id>', 'request id', Number)
    .option('--reason <code>', 'why, as a code (a-z, 0-9, -)', 'not-needed')
    .action(
      action(async (o: CommonFlags & { request: number; reason: string }, s) => {
        await s.cc.deny(o.request, o.reason);
        return {
          json: { request: o.request, denied: true, reason: o.reason },
          text: `request ${o.request} denied (${o.reason})`,
        };
      }),
    );
}
