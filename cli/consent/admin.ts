/**
 * `ehrchain consent register|suspend|reinstate|renew-licence|link-guardian|unlink-guardian`: what a
 * hospital admin does to the actors of their organisation.
 */
import type { Command } from 'commander';
import { parseRole, parseTime, resolvePublicKey } from './args.js';
import { action, type CommonFlags, common, when } from './run.js';

const ACCESSORS = new Set(['doctor', 'insurer', 'researcher']);

/** Registers the admin sub-commands on `consent`. */
export function addAdminCommands(consent: Command): void {
  common(consent.command('register'))
    .description('admin: register an actor (doctor, patient, ...) in your organisation')
    .requiredOption(
      '--role <role>',
      'admin, doctor, patient, guardian, insurer, researcher or node',
      parseRole,
    )
    .requiredOption('--actor <who>', "the new actor's key file or public key (hex)")
    .option('--licence-until <date>', 'licence expiry (doctors, insurers, researchers; default +365d)')
    .option('--cert <sha256>', 'certificate hash (hex; default: random, synthetic)')
    .action(
      action(
        async (
          o: CommonFlags & {
            role: ReturnType<typeof parseRole>;
            actor: string;
            licenceUntil?: string;
            cert?: string;
          },
          s,
        ) => {
          const publicKey = await resolvePublicKey(o.actor);
          const licence =
            o.licenceUntil !== undefined
              ? parseTime(o.licenceUntil, s.now)
              : ACCESSORS.has(o.role)
                ? parseTime('+365d', s.now)
                : 0;
          const id = await s.cc.register({
            publicKey,
            role: o.role,
            licenceExpiry: licence,
            ...(o.cert === undefined ? {} : { certHash: o.cert }),
          });
          const until = licence === 0 ? '' : `, licence until ${when(licence)}`;
          return {
            json: { actor: id, publicKey, role: o.role, licenceExpiry: licence },
            text: `registered ${o.role} ${id}${until}`,
          };
        },
      ),
    );

  for (const [name, verb, what] of [
    ['suspend', 'suspended', 'admin: suspend an actor of your organisation'],
    ['reinstate', 'reinstated', 'admin: reinstate a suspended actor'],
  ] as const) {
    common(consent.command(name))
      .description(what)
      .requiredOption('--actor <who>', 'key file, public key or actor id')
      .action(
        action(async (o: CommonFlags & { actor: string }, s) => {
          const id = await s.actor(o.actor);
          await (name === 'suspend' ? s.cc.suspend(id) : s.cc.reinstate(id));
          return { json: { actor: id, [verb]: true }, text: `${verb} ${id}` };
        }),
      );
  }

  common(consent.command('renew-licence'))
    .description("admin: record an actor's renewed licence")
    .requiredOption('--actor <who>', 'key file, public key or actor id')
    .requiredOption('--until <date>', 'new expiry: a date, or +365d')
    .option('--cert <sha256>', 'new certificate hash (hex; default: random, synthetic)')
    .action(
      action(async (o: CommonFlags & { actor: string; until: string; cert?: string }, s) => {
        const id = await s.actor(o.actor);
        const until = parseTime(o.until, s.now);
        await s.cc.renewLicence(id, until, o.cert);
        return {
          json: { actor: id, licenceExpiry: until },
          text: `licence of ${id} renewed until ${when(until)}`,
        };
      }),
    );

  for (const [name, link] of [
    ['link-guardian', true],
    ['unlink-guardian', false],
  ] as const) {
    common(consent.command(name))
      .description(`admin: ${link ? 'link a guardian to' : 'unlink a guardian from'} a patient`)
      .requiredOption('--guardian <who>', 'key file, public key or actor id')
      .requiredOption('--patient <who>', 'key file, public key or actor id')
      .action(
        action(async (o: CommonFlags & { guardian: string; patient: string }, s) => {
          const [g, p] = [await s.actor(o.guardian), await s.actor(o.patient)];
          await (link ? s.cc.linkGuardian(g, p) : s.cc.unlinkGuardian(g, p));
          return {
            json: { guardian: g, patient: p, linked: link },
            text: `guardian ${g} ${link ? 'linked to' : 'unlinked from'} patient ${p}`,
          };
        }),
      );
  }
}
