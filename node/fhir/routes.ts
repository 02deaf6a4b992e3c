/**
 * HTTP routes of the FHIR views (docs/fhir.md), read-only, served by every node from its applied
 * state:
 *   GET /fhir/metadata          the CapabilityStatement
 *   GET /fhir/Consent?patient=  a searchset Bundle of the patient's grants and access requests
 *   GET /fhir/Consent/:id       one of them (`grant-<n>`, `request-<n>`)
 *   GET /fhir/AuditEvent?patient=&date=  the patient's audit trail
 * Every answer is `application/fhir+json`; a refusal is an OperationOutcome (400 unsupported or
 * malformed parameter, 404 unknown id). The consent decision service (cds.ts) and consent
 * receipts (receipt-routes.ts) are registered here too.
 */

import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeDecision, encodeCanAccess } from '../../vm/consent/abi.js';
import type { ConsultEntry } from '../../vm/consent/ops.js';
import { errors } from '../http/schemas.js';
import { entryToAuditEvent } from './audit.js';
import { capabilityStatement } from './capability.js';
import { CDS_DISCOVERY, ConsultError, type ConsultQuestion, consultResponse, parseConsult } from './cds.js';
import { FHIR_JSON, operationOutcome } from './common.js';
import { grantToConsent, parseConsentId, requestToConsent } from './consent.js';
import { type ReceiptRouteDeps, registerReceiptRoutes } from './receipt-routes.js';
import { inDates, parseSearch, type Search, SearchError, searchsetBundle } from './search.js';
import { type ConsentItem, type ConsentQuery, ConsentSource } from './source.js';

/** What the FHIR routes need from the node. */
export interface FhirRouteDeps {
  readonly chainId: string;
  /** The consent contract query on applied state. */
  readonly query: ConsentQuery;
  /** The time statuses are judged at (ms); the node's clock. */
  now(): number;
  /** Serves consent receipts (`GET /v1/receipts/:hash`) when given. */
  readonly receipts?: ReceiptRouteDeps;
  /**
   * Records an answered consult on the patient's trail (`recordConsults`, batched like read
   * receipts); resolves once it is durable. Absent: consults are answered, not recorded.
   */
  recordConsult?(c: ConsultEntry): Promise<void>;
}

const jsonObject = { type: 'object', additionalProperties: true } as const;
const fhirBody = {
  type: 'object',
  additionalProperties: true,
  properties: { resourceType: { type: 'string' } },
} as const;
const fhirReply = (description: string) => ({ description, content: { [FHIR_JSON]: { schema: fhirBody } } });
const outcome = fhirReply('OperationOutcome');
const patientQuery = (extra: Record<string, object>) => ({
  type: 'object',
  properties: {
    patient: { type: 'string', description: 'the patient actor id (64 hex), or Patient/<id>' },
    _count: { type: 'string', description: 'page size 1..100, default 20' },
    _offset: { type: 'string', description: 'first match of the page' },
    ...extra,
  },
});

/** Sends a FHIR resource (pre-serialised: fastify's serialiser would drop undeclared fields). */
function sendFhir(reply: FastifyReply, status: number, resource: Resource): FastifyReply {
  return reply.status(status).type(FHIR_JSON).send(JSON.stringify(resource));
}

function refuseSearch(reply: FastifyReply, err: unknown): FastifyReply {
  if (!(err instanceof SearchError)) throw err;
  return sendFhir(reply, 400, operationOutcome(err.code, err.message, err.param));
}

/** The URL of `path` on this server, as the client addressed it. */
const baseUrl = (req: FastifyRequest, path: string): string => `${req.protocol}://${req.host}${path}`;

/** Registers the FHIR views on `app`. */
export async function registerFhirRoutes(app: FastifyInstance, deps: FhirRouteDeps): Promise<void> {
  const source = new ConsentSource((m, a) => deps.query(m, a));
  const toResource = (item: ConsentItem, at: number): Resource | null => {
    if (item.kind === 'grant') {
      const g = source.grant(item.id);
      return g === null ? null : grantToConsent(g, at);
    }
    const r = source.request(item.id);
    return r === null ? null : requestToConsent(r, at);
  };

  app.get(
    '/fhir/metadata',
    {
      schema: {
        summary: 'FHIR CapabilityStatement of the consent views',
        tags: ['fhir'],
        response: { 200: fhirReply('CapabilityStatement') },
      },
    },
    async (req, reply) =>
      sendFhir(reply, 200, capabilityStatement(baseUrl(req, '/fhir'), `ehrchain ${deps.chainId}`)),
  );

  app.get(
    '/fhir/Consent',
    {
      schema: {
        summary: "A patient's grants and access requests as FHIR R4 Consents (searchset Bundle)",
        tags: ['fhir'],
        querystring: patientQuery({}),
        response: { 200: fhirReply('Bundle'), 400: outcome },
      },
    },
    async (req, reply) => {
      let s: Search;
      try {
        s = parseSearch('Consent', req.query as Record<string, string>);
      } catch (err) {
        return refuseSearch(reply, err);
      }
      const at = deps.now();
      const items = source.consentsOf(s.patient);
      const page = items.slice(s.offset, s.offset + s.count).flatMap((i) => toResource(i, at) ?? []);
      return sendFhir(reply, 200, searchsetBundle(baseUrl(req, '/fhir/Consent'), s, {}, items.length, page));
    },
  );

  app.get(
    '/fhir/Consent/:id',
    {
      schema: {
        summary: 'One grant (grant-<n>) or access request (request-<n>) as a FHIR R4 Consent',
        tags: ['fhir'],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: fhirReply('Consent'), 404: outcome },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const parsed = parseConsentId(id);
      const resource = parsed === null ? null : toResource(parsed, deps.now());
      if (resource === null)
        return sendFhir(reply, 404, operationOutcome('not-found', `Consent/${id} is not known`, 'id'));
      return sendFhir(reply, 200, resource);
    },
  );

  app.get(
    '/fhir/AuditEvent',
    {
      schema: {
        summary: "A patient's audit trail as FHIR R4 AuditEvents (searchset Bundle)",
        tags: ['fhir'],
        querystring: patientQuery({
          date: {
            anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
            description: '[ge|gt|le|lt|eq]<date>, repeatable',
          },
        }),
        response: { 200: fhirReply('Bundle'), 400: outcome },
      },
    },
    async (req, reply) => {
      let s: Search;
      try {
        s = parseSearch('AuditEvent', req.query as Record<string, string>);
      } catch (err) {
        return refuseSearch(reply, err);
      }
      const matches = source.trail(s.patient).filter((e) => inDates(e.at, s.dates));
      const page = matches.slice(s.offset, s.offset + s.count).map((e) => entryToAuditEvent(e, deps.chainId));
      const q = req.query as Record<string, string | string[]>;
      const dates = q.date === undefined ? [] : ([] as string[]).concat(q.date);
      return sendFhir(
        reply,
        200,
        searchsetBundle(baseUrl(req, '/fhir/AuditEvent'), s, { date: dates }, matches.length, page),
      );
    },
  );

  app.get(
    '/cds-services',
    {
      schema: {
        summary: 'CDS Hooks discovery: the consent decision service',
        tags: ['fhir'],
        response: { 200: jsonObject },
      },
    },
    async (_req, reply) => reply.type('application/json').send(JSON.stringify(CDS_DISCOVERY)),
  );

  app.post(
    '/cds-services/patient-consent-consult',
    {
      schema: {
        summary:
          'Consent decision (CDS Hooks patient-consent-consult): permit, deny or no consent, with the reason',
        description:
          "context: patientId and actor (urn:ehrchain:actor identifiers), purposeOfUse (one v3 ActReason code), class (one urn:ehrchain:category coding) or record (+ version), action (read | write). Decided by the consent contract's canAccess at the node's current state. Every answered consult is recorded on the patient's trail (a `consult` entry, recordConsults, batched like read receipts).",
        tags: ['fhir'],
        body: { type: 'object' },
        response: { 200: jsonObject, ...errors },
      },
    },
    async (req, reply) => {
      let q: ConsultQuestion;
      try {
        q = parseConsult(req.body);
      } catch (err) {
        if (!(err instanceof ConsultError)) throw err;
        return reply.status(400).send({ error: { code: 'invalid_consult', message: err.message } });
      }
      const at = deps.now();
      const c = encodeCanAccess(q.actor, q.patient, q.target, q.action, q.purpose, at);
      const d = decodeDecision(deps.query(c.method, c.args));
      // Journaled before the answer leaves, as a served read is: the patient sees every consult.
      await deps.recordConsult?.({
        actor: q.actor,
        patient: q.patient,
        target: q.target,
        action: q.action,
        purpose: q.purpose,
        at,
      });
      return reply.type('application/json').send(JSON.stringify(consultResponse(q, d, at)));
    },
  );
  if (deps.receipts) await registerReceiptRoutes(app, deps.receipts, source);
}
