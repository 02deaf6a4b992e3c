/**
 * fhir-definitions.ts for a browser bundle: nothing is read from disk. The page indexes the
 * definitions it fetched itself (the portal: a trimmed R4 set, portal/build.ts) with
 * `indexStructureDefinitionBundle` before validating; a type not indexed is reported by
 * validateFhir as `invalid_fhir` at `resourceType`.
 */

/** No-op in the browser: the page has indexed what it fetched. */
export function ensureFhirIndexed(): void {}
