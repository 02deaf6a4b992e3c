/**
 * A patient's audit trail as FHIR R4 `AuditEvent`s, shaped after the IHE Basic Audit Log Patterns
 * (BALP): type `rest`, subtype the RESTful interaction (read, create, update, delete) plus the
 * consent operation (`urn:ehrchain:op`), the actor as the requesting agent, for served reads the
 * serving node as a second agent (DICOM 110153 Source Role ID), the patient as an entity (object
 * role 1) and the subject (a grant, a record version, a request, an actor) as another. A read
 * judged `emergency` or an emergency operation carries the v3 `BTG` (break the glass) security
 * label and purpose ETREAT. A read the rules did not allow is recorded with outcome 4 and its
 * reason: a violation to investigate. A consult (a decision the node's CDS Hooks service answered)
 * is an `operation` (action E) about the category or record asked for, the actor asked about as
 * the prospective recipient, the answering node as the source, `<action>:<reason>` as its
 * outcomeDesc; it is never a violation (nothing was disclosed). A research disclosure (`disclose`)
 * is an `operation` by the custodian about the export (`urn:ehrchain:export`), with the researcher
 * as the recipient agent. Pure.
 */
import type { AuditEvent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeInt } from '../../vm/abi.js';
import { purposeOfBit, roleOfCode, type TrailEntry } from '../../vm/consent/results.js';
import { actorRef, instant, SYSTEM } from './common.js';
import { grantResourceId, requestResourceId } from './consent.js';

type Interaction = 'read' | 'create' | 'update' | 'delete' | 'operation';

/** The BALP RESTful interaction and FHIR action of each consent operation (others: update / U). */
const INTERACTION: Readonly<Record<string, Interaction>> = {
  read: 'read',
  consult: 'operation',
  disclose: 'operation',
  grant: 'create',
  anchor: 'create',
  requestAccess: 'create',
  requestEmergency: 'create',
  registerActor: 'create',
  attest: 'create',
  linkGuardian: 'create',
  erase: 'delete',
  unlinkGuardian: 'delete',
};
const ACTION_OF: Readonly<Record<Interaction, AuditEvent['action']>> = {
  read: 'R',
  create: 'C',
  update: 'U',
  delete: 'D',
  operation: 'E',
};

/** canAccess reasons that allow (docs/consent.md); any other reason of a read is a violation. */
const ALLOWED_REASONS = new Set(['granted', 'own_record', 'guardian', 'emergency']);

const dec = new TextDecoder();
const text = (b: Uint8Array): string => dec.decode(b);
const int = (b: Uint8Array): number | null => (b.length === 8 ? decodeInt(b) : null);

/** `record ++ bytes(version)` as `<record hex>/<version>`. */
function versionKey(b: Uint8Array): string {
  return b.length === 40 ? `${bytesToHex(b.subarray(0, 32))}/${decodeInt(b.subarray(32))}` : bytesToHex(b);
}

/** The entity the entry is about, besides the patient, and a detail to show. */
function subjectEntity(e: TrailEntry): AuditEventEntity | null {
  const id = int(e.subject);
  switch (e.op) {
    case 'grant':
    case 'revoke':
      return id === null
        ? null
        : { what: { reference: `Consent/${grantResourceId(id)}` }, name: `grant ${id}` };
    case 'requestAccess':
    case 'approveRequest':
    case 'denyRequest':
    case 'withdrawRequest':
      return id === null
        ? null
        : { what: { reference: `Consent/${requestResourceId(id)}` }, name: `request ${id}` };
    case 'requestEmergency':
    case 'cosignEmergency':
      return id === null
        ? null
        : { what: { identifier: { system: 'urn:ehrchain:emergency', value: String(id) } } };
    case 'read':
    case 'anchor':
    case 'shareKey':
    case 'attest':
    case 'erase':
      return { what: { identifier: { system: SYSTEM.record, value: versionKey(e.subject) } } };
    case 'disclose':
      return { what: { identifier: { system: 'urn:ehrchain:export', value: bytesToHex(e.subject) } } };
    case 'consult':
      return e.subject.length === 40
        ? { what: { identifier: { system: SYSTEM.record, value: versionKey(e.subject) } } }
        : { what: { identifier: { system: SYSTEM.category, value: text(e.subject) } } };
    default:
      return e.subject.length === 32 ? { what: actorRef(bytesToHex(e.subject)) } : null;
  }
}

/** The op's detail as readable text: a reason, category, grantee, reader or role. */
function entryDetail(e: TrailEntry): string {
  const d = e.detail;
  switch (e.op) {
    case 'grant': {
      const kind = d[7] ?? 0;
      const g = d.subarray(8);
      if (d.length >= 8 && kind === 1) return `grantee actor ${bytesToHex(g)}`;
      if (kind === 2) return `grantee org ${text(g)}`;
      if (kind === 3 && g.length === 8) return `grantee role ${roleOfCode(decodeInt(g))}`;
      return '';
    }
    case 'registerActor':
      return d.length === 8 ? `role ${roleOfCode(decodeInt(d))}` : '';
    case 'approveRequest':
      return d.length === 8 ? `grant ${decodeInt(d)}` : '';
    case 'erase':
      return d.length === 8 ? `versions ${decodeInt(d)}` : '';
    case 'shareKey':
    case 'cosignEmergency':
      return d.length === 32 ? `actor ${bytesToHex(d)}` : '';
    case 'disclose':
      return d.length === 32 ? `researcher ${bytesToHex(d)}` : '';
    default:
      return text(d);
  }
}

/** Whether an entry is break-the-glass: an emergency operation or a read judged `emergency`. */
function isEmergencyEntry(e: TrailEntry): boolean {
  return (
    e.op === 'requestEmergency' ||
    e.op === 'cosignEmergency' ||
    (e.op === 'read' && text(e.detail) === 'emergency')
  );
}

/** FHIR id of entry `seq` of a patient's trail. */
const auditEventId = (patient: string, seq: number): string => `${patient.slice(0, 32)}-${seq}`;

/** One trail entry as an AuditEvent; `chainId` names the observing system. */
export function entryToAuditEvent(e: TrailEntry, chainId: string): AuditEvent {
  const interaction = INTERACTION[e.op] ?? 'update';
  const purpose = purposeOfBit(e.purpose);
  const purposeOfEvent = purpose ? [{ coding: [{ system: SYSTEM.actReason, code: purpose }] }] : undefined;
  const detail = entryDetail(e);
  const isRead = e.op === 'read';
  const isConsult = e.op === 'consult';
  const violation = isRead && !ALLOWED_REASONS.has(detail);
  const security: Coding[] = isEmergencyEntry(e)
    ? [{ system: SYSTEM.actCode, code: 'BTG', display: 'break the glass' }]
    : [];
  const agents: AuditEvent['agent'] = [
    {
      type: {
        coding: [
          isRead || isConsult
            ? { system: SYSTEM.participation, code: 'IRCP', display: 'information recipient' }
            : { system: SYSTEM.participation, code: 'AUT', display: 'author' },
        ],
      },
      who: actorRef(e.by),
      requestor: true,
      ...(purposeOfEvent ? { purposeOfUse: purposeOfEvent } : {}),
    },
  ];
  // A disclosure's recipient: the researcher the custodian released the export to.
  if (e.op === 'disclose' && e.detail.length === 32)
    agents.push({
      type: { coding: [{ system: SYSTEM.participation, code: 'IRCP', display: 'information recipient' }] },
      who: actorRef(bytesToHex(e.detail)),
      requestor: false,
    });
  if (e.via !== '')
    agents.push({
      type: { coding: [{ system: SYSTEM.dicom, code: '110153', display: 'Source Role ID' }] },
      who: actorRef(e.via, 'Device'),
      requestor: false,
    });
  const entities: AuditEventEntity[] = [
    {
      what: actorRef(e.patient, 'Patient'),
      type: { system: SYSTEM.entityType, code: '1', display: 'Person' },
      role: { system: SYSTEM.objectRole, code: '1', display: 'Patient' },
    },
  ];
  const subject = subjectEntity(e);
  if (subject)
    entities.push({
      ...subject,
      type: { system: SYSTEM.entityType, code: '2', display: 'System Object' },
      ...(detail !== '' ? { detail: [{ type: e.op, valueString: detail }] } : {}),
    });
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(e.patient, e.seq),
    ...(security.length > 0 ? { meta: { security } } : {}),
    type: { system: SYSTEM.auditType, code: 'rest', display: 'Restful Operation' },
    subtype: [
      { system: SYSTEM.restful, code: interaction },
      { system: SYSTEM.op, code: e.op },
    ],
    action: ACTION_OF[interaction],
    recorded: instant(e.at),
    outcome: violation ? '4' : '0',
    ...(isRead || isConsult ? { outcomeDesc: detail } : {}),
    ...(purposeOfEvent ? { purposeOfEvent } : {}),
    agent: agents,
    source: {
      site: chainId,
      observer: { display: `ehrchain ${chainId} consent contract` },
      type: [{ system: SYSTEM.sourceType, code: '4', display: 'Application Server' }],
    },
    entity: entities,
  };
}
