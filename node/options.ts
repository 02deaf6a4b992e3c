/**
 * Every knob of a node, composed from each module's own options and defaults. `config.json` maps
 * onto this in one place (node/config/config.ts); the composition root (node/create.ts) hands each
 * module its part.
 */
import {
  type BlockOptions,
  defaultBlockOptions,
  defaultTxAdmissionOptions,
  type TxAdmissionOptions,
} from './blocks/options.js';
import { defaultVerifierOptions, type VerifierOptions } from './blocks/verify.js';
import { defaultFhirOptions, type FhirOptions } from './fhir/options.js';
import { defaultHttpOptions, type HttpOptions } from './http/options.js';
import { defaultMempoolOptions, type MempoolOptions } from './mempool/options.js';
import { defaultNotifyOptions, type NotifyOptions } from './notify/options.js';
import { defaultP2POptions, type P2POptions } from './p2p/options.js';
import { defaultRaftNodeOptions, type RaftNodeOptions } from './raft/options.js';
import { defaultRecordServiceOptions, type RecordServiceOptions } from './records/service.js';
import { defaultStoreOptions, type StoreOptions } from './store/options.js';

export interface NodeOptions {
  readonly block: BlockOptions;
  readonly tx: TxAdmissionOptions;
  readonly verifier: VerifierOptions;
  readonly raft: RaftNodeOptions;
  readonly mempool: MempoolOptions;
  readonly http: HttpOptions;
  readonly p2p: P2POptions;
  readonly records: RecordServiceOptions;
  readonly notify: NotifyOptions;
  readonly fhir: FhirOptions;
  readonly store: StoreOptions;
}

export const defaultNodeOptions: NodeOptions = {
  block: defaultBlockOptions,
  tx: defaultTxAdmissionOptions,
  verifier: defaultVerifierOptions,
  raft: defaultRaftNodeOptions,
  mempool: defaultMempoolOptions,
  http: defaultHttpOptions,
  p2p: defaultP2POptions,
  records: defaultRecordServiceOptions,
  notify: defaultNotifyOptions,
  fhir: defaultFhirOptions,
  store: defaultStoreOptions,
};
