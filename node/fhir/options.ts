/** Options of the FHIR views and consent receipts (config.json `fhir`). */
export interface FhirOptions {
  /** Kantara `jurisdiction` of consent receipts: where the consortium's consent law applies (e.g. `EU`, `US-CA`). */
  readonly jurisdiction: string;
}

export const defaultFhirOptions: FhirOptions = { jurisdiction: 'unspecified' };
