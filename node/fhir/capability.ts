/**
 * The CapabilityStatement of `GET /fhir/metadata`: a read-only R4 server of `Consent` (read,
 * search by patient) and `AuditEvent` (search by patient and date), JSON only. Pure: the
 * statement's date is the date of this version of the views, not a clock.
 */
import type { CapabilityStatement, CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import { SEARCH_PARAMS } from './search.js';

/** When the FHIR views last changed what they support. */
const VIEWS_DATE = '2025-01-01';

const PARAM_DOC: Readonly<Record<string, { type: 'reference' | 'date' | 'number'; documentation: string }>> =
  {
    patient: {
      type: 'reference',
      documentation: 'The patient actor id (64 hex), or Patient/<actor id>. Required.',
    },
    date: {
      type: 'date',
      documentation: 'When the entry was recorded; prefixes ge, gt, le, lt, eq; repeatable (all must hold).',
    },
    _count: { type: 'number', documentation: 'Page size, 1..100 (default 20).' },
    _offset: { type: 'number', documentation: 'Index of the first match of the page (from the next link).' },
  };

const params = (names: readonly string[]): CapabilityStatementRestResourceSearchParam[] =>
  names.map((name) => {
    const d = PARAM_DOC[name];
    return { name, type: d?.type ?? ('string' as const), ...(d ? { documentation: d.documentation } : {}) };
  });

/** The statement; `url` is the base URL of the FHIR views (…/fhir). */
export function capabilityStatement(url: string, software: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: VIEWS_DATE,
    kind: 'instance',
    software: { name: software },
    implementation: {
      description: 'ehrchain consent authority: read-only FHIR views of on-chain consent',
      url,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Unsupported search parameters are refused with 400 and an OperationOutcome.',
        resource: [
          {
            type: 'Consent',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: params(SEARCH_PARAMS.Consent),
          },
          {
            type: 'AuditEvent',
            interaction: [{ code: 'search-type' }],
            searchParam: params(SEARCH_PARAMS.AuditEvent),
          },
        ],
      },
    ],
  };
}
