/**
 * The consent operations as data: one tagged union, so tests and the differential harness can
 * generate, print and replay them. The signer and the block time are not here: they come from
 * the transaction and the block ({@link TxContext}), never from arguments.
 */
import type { AccessTarget } from './access.js';
import type {
  Action,
  ActorId,
  AttestationKind,
  Category,
  Exception,
  Grantee,
  OrgId,
  OrgKind,
  Purpose,
  RecordId,
  Role,
  Scope,
  Terms,
  Time,
  WrappedKey,
} from './types.js';

/** What the chain supplies with every call. */
export interface TxContext {
  /** The signer's 32-byte ed25519 public key, lowercase hex (from the tx signature). */
  readonly caller: string;
  /** Block time, ms since the Unix epoch. */
  readonly now: Time;
  /** True when the signer is the governance authority (validator-majority approved). */
  readonly governance: boolean;
}

/** One served read as the node reports it. */
export interface ReadEntry {
  readonly reader: ActorId;
  readonly patient: ActorId;
  readonly recordId: RecordId;
  readonly version: number;
  readonly purpose: Purpose;
  /** When the node served it (<= block time). */
  readonly at: Time;
}

/**
 * One consent decision a node answered (the CDS Hooks `patient-consent-consult` service): who was
 * asked about, for which patient, target, action and purpose, and when. A consult is not a read:
 * nothing was disclosed, the answer only told a hospital's system whether it may disclose.
 */
export interface ConsultEntry {
  readonly actor: ActorId;
  readonly patient: ActorId;
  /** A category, or a record (version omitted: the head at `at`). */
  readonly target: AccessTarget;
  readonly action: Action;
  readonly purpose: Purpose;
  /** When the node answered (<= block time). */
  readonly at: Time;
}

/** Every mutating consent operation and its arguments. */
export type ConsentOp =
  | {
      readonly op: 'addOrg';
      readonly org: OrgId;
      readonly kind: OrgKind;
      readonly adminKey: string;
      readonly adminCertHash: string;
    }
  | {
      readonly op: 'registerActor';
      readonly publicKey: string;
      readonly role: Role;
      readonly certHash: string;
      readonly licenceExpiry: Time;
    }
  | { readonly op: 'suspendActor'; readonly actor: ActorId }
  | { readonly op: 'reinstateActor'; readonly actor: ActorId }
  | {
      readonly op: 'updateLicence';
      readonly actor: ActorId;
      readonly certHash: string;
      readonly licenceExpiry: Time;
    }
  | { readonly op: 'linkGuardian'; readonly guardian: ActorId; readonly patient: ActorId }
  | { readonly op: 'unlinkGuardian'; readonly guardian: ActorId; readonly patient: ActorId }
  | {
      readonly op: 'grant';
      readonly patient: ActorId;
      readonly grantee: Grantee;
      readonly actions: readonly Action[];
      readonly scope: Scope;
      readonly purposes: readonly Purpose[];
      readonly start: Time;
      readonly end: Time;
      readonly exceptions: readonly Exception[];
    }
  | { readonly op: 'revoke'; readonly grantId: number }
  | {
      readonly op: 'anchor';
      readonly patient: ActorId;
      readonly recordId: RecordId;
      /** The current head version (0 for a new record). */
      readonly previous: number;
      readonly cid: string;
      readonly category: Category;
      readonly keys: readonly WrappedKey[];
    }
  | {
      readonly op: 'requestEmergency';
      readonly patient: ActorId;
      readonly reason: string;
      readonly durationMs: number;
    }
  | { readonly op: 'cosignEmergency'; readonly emergencyId: number }
  | { readonly op: 'recordReads'; readonly reads: readonly ReadEntry[] }
  | { readonly op: 'recordConsults'; readonly consults: readonly ConsultEntry[] }
  | {
      readonly op: 'shareKey';
      readonly recordId: RecordId;
      readonly version: number;
      readonly reader: ActorId;
      /** Lowercase hex of the wrapped key (1-256 bytes). */
      readonly key: string;
    }
  | { readonly op: 'erase'; readonly recordId: RecordId }
  | (Terms & {
      readonly op: 'requestAccess';
      readonly patient: ActorId;
      /** A code saying why (e.g. `referral`). */
      readonly reason: string;
      /** When the request lapses unanswered; 0 = now + REQUEST_DEFAULT_TTL_MS. */
      readonly expiresAt: Time;
    })
  | {
      readonly op: 'approveRequest';
      readonly requestId: number;
      /** Narrower terms than requested; omitted = exactly as requested. */
      readonly terms?: Terms;
    }
  | { readonly op: 'denyRequest'; readonly requestId: number; readonly reason: string }
  | { readonly op: 'withdrawRequest'; readonly requestId: number }
  | {
      readonly op: 'attest';
      readonly recordId: RecordId;
      readonly version: number;
      readonly kind: AttestationKind;
    }
  | {
      readonly op: 'requestResearch';
      /** The hospital whose custodians are asked. */
      readonly org: OrgId;
      /** All data, or categories (a record scope is refused). */
      readonly scope: Scope;
      readonly reason: string;
    }
  | {
      readonly op: 'recordExport';
      /** 32 bytes (hex) chosen by the custodian. */
      readonly exportId: string;
      readonly requestId: number;
      /** sha256 (hex) of the released file. */
      readonly fileHash: string;
      readonly k: number;
      readonly l: number;
      readonly quasiIdentifiers: readonly string[];
      readonly sensitive: string;
      /** sha256 (hex) of the export's parameters. */
      readonly paramsHash: string;
    }
  | { readonly op: 'recordDisclosures'; readonly exportId: string; readonly patients: readonly ActorId[] }
  | {
      readonly op: 'setAttestationPolicy';
      readonly org: OrgId;
      /** Kinds any one of which makes a version of this org's authors final; [] = none required. */
      readonly kinds: readonly AttestationKind[];
    };

/** Name of an operation. */
export type ConsentOpName = ConsentOp['op'];
