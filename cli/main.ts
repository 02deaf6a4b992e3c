/** Entry point of the `ehrchain` command: maps sub-commands and flags to options in one place. */
import { Command } from 'commander';
import pkg from '../package.json' with { type: 'json' };

const program = new Command()
  .name('ehrchain')
  .description("A permissioned blockchain for sharing health records under the patient's control")
  .version(pkg.version);

await program.parseAsync(process.argv);
