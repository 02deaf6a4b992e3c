/**
 * `ehrchain research request --org <hospital>` (a researcher asks) and `ehrchain research export
 * --config export.json` (docs/research.md): the custodian's de-identified cohort export, with a
 * progress bar; prints where the files went and what was recorded on chain.
 */
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { parseScope, UsageError } from '../consent/args.js';
import { action, type CommonFlags, common } from '../consent/run.js';
import type { ExportProgress } from './export.js';

/** A progress bar per phase on stderr. */
function progressBar(): ExportProgress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    start: (phase, total) => {
      bar = new cliProgress.SingleBar(
        {
          format: `${phase === 'fetch' ? 'fetching records ' : 'recording disclosures'} [{bar}] {value}/{total}`,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    tick: () => bar?.increment(),
    stop: () => bar?.stop(),
  };
}

/** Registers `research request` and `research export`. */
export function addResearchCommands(program: Command): void {
  const research = program
    .command('research')
    .description('research exports through a custodian (docs/research.md)');
  common(research.command('request'))
    .description("researcher: ask a hospital's custodians for a de-identified export; prints the request id")
    .requiredOption('--org <code>', 'the hospital')
    .option('--scope <scope>', 'all | categories:lab,imaging', 'all')
    .option('--reason <code>', 'why, as a code (a-z, 0-9, -)', 'cohort-study')
    .action(
      action(async (o: CommonFlags & { org: string; scope: string; reason: string }, s) => {
        const scope = parseScope(o.scope);
        if (scope.kind === 'record') throw new UsageError('--scope: all or categories, not one record');
        const id = await s.cc.run({ op: 'requestResearch', org: o.org, scope, reason: o.reason });
        return { json: { researchRequest: id }, text: `research request ${id} to ${o.org}` };
      }),
    );
  research
    .command('export')
    .description(
      "de-identify consenting patients' records, write CSV/NDJSON/report, record the release on chain",
    )
    .requiredOption('--config <file>', 'export.json (docs/research.md)')
    .option('--no-progress', 'no progress bar')
    .action(async (o: { config: string; progress: boolean }) => {
      const { parseExportConfig } = await import('./config.js');
      const { runResearchExport } = await import('./export.js');
      const c = parseExportConfig(JSON.parse(await readFile(o.config, 'utf8')), o.config);
      const s = await runResearchExport(c, o.progress && process.stderr.isTTY ? progressBar() : undefined);
      const r = s.report;
      console.log(
        [
          `export ${s.exportId}`,
          `  file sha256 ${s.fileHash}`,
          `  ${s.consenting.length} consenting, ${s.disclosed.length} released and disclosed on chain, ${r.rowsSuppressed} suppressed, ${s.unreadable} records unreadable`,
          `  k ${r.kAchieved} (asked ${r.k}), l ${r.lAchieved} (asked ${r.l}), NCP ${r.ncp.toFixed(3)}, max risk ${r.risk.max.toFixed(3)}`,
          `  ${c.out.csv}`,
          `  ${c.out.ndjson}`,
          `  ${c.out.report}`,
        ].join('\n'),
      );
    });
}
