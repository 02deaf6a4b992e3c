/**
 * `ehrchain consent import consent.json --key patient.json`: an R4 Consent (docs/fhir.md,
 * "Importing a Consent") signed as a grant by the patient or their guardian. Anything the Consent
 * says that a grant cannot hold is refused, every problem with its FHIR path; nothing is signed.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type ConsentImport, consentToGrant } from '../../client/fhir-consent.js';
import { UsageError } from './args.js';
import { action, type CommonFlags, common } from './run.js';
import { termsText } from './terms.js';

/** Largest Consent file read. */
const MAX_FILE_BYTES = 1_000_000;

/** Registers `consent import` on `consent`. */
export function addImportCommand(consent: Command): void {
  common(consent.command('import'))
    .description('patient or guardian: sign an R4 Consent (JSON) as a grant')
    .argument('<file>', 'the FHIR R4 Consent, JSON')
    .action(async (file: string, o: CommonFlags) => {
      // Read before connecting: a Consent that cannot be a grant needs no node to say so.
      const r = await readConsent(file);
      if (!r.ok) {
        process.exitCode = 1;
        if (o.json === true)
          console.log(JSON.stringify({ error: { code: 'usage', problems: r.problems } }, null, 2));
        else
          console.error(
            `refused: ${file} cannot be a grant:\n${r.problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
          );
        return;
      }
      const g = r.grant;
      await action(async (_o: CommonFlags, s) => {
        if (g.performer !== null && g.performer !== s.cc.id)
          throw new UsageError('Consent.performer[0]: names another actor than the signer (--key)');
        const id = await s.cc.grant(g.grantee, g.terms, g.patient);
        return {
          json: { grant: id, patient: g.patient, grantee: g.grantee, terms: g.terms },
          text: `grant ${id}: ${termsText(g.terms)}`,
        };
      })(o);
    });
}

/** The file read as a Consent and converted; an unreadable file is one problem at the root. */
async function readConsent(file: string): Promise<ConsentImport> {
  const no = (message: string): ConsentImport => ({ ok: false, problems: [{ path: '', message }] });
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return no(`cannot read ${file}`);
  }
  if (bytes.length > MAX_FILE_BYTES) return no(`over ${MAX_FILE_BYTES} bytes`);
  try {
    return consentToGrant(JSON.parse(bytes.toString('utf8')));
  } catch {
    return no('not JSON');
  }
}
