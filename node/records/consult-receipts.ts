/**
 * Consult receipts: every consent decision the node's decision service answers (CDS Hooks
 * `patient-consent-consult`, node/fhir/cds.ts) goes on the patient's trail in a `recordConsults`
 * transaction signed by the node's key, exactly as served reads do (receipts.ts): journaled
 * before the answer leaves, batched, re-queued on `future_consult` or a nonce clash, resubmitted
 * after a restart. It shares the read recorder's {@link SubmitLane}, so both take consecutive
 * nonces of the one key.
 */
import { encodeOp } from '../../vm/consent/abi.js';
import type { ConsultEntry } from '../../vm/consent/ops.js';
import type { Logger } from '../log.js';
import { type EntryCodec, EntryJournal, type JournalLevel } from './read-journal.js';
import { BatchRecorder, type ReadRecorderDeps, type ReadRecorderOptions } from './receipts.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A consult as journaled: its JSON (ids are hex, the target as the model has it). */
export const consultCodec: EntryCodec<ConsultEntry> = {
  encode: (c) =>
    enc.encode(
      JSON.stringify({
        actor: c.actor,
        patient: c.patient,
        target: c.target,
        action: c.action,
        purpose: c.purpose,
        at: c.at,
      }),
    ),
  decode: (b) => JSON.parse(dec.decode(b)) as ConsultEntry,
};

/** The journal of answered consults not yet recorded on chain. */
export class ConsultJournal extends EntryJournal<ConsultEntry> {
  constructor(level: JournalLevel) {
    super(level, consultCodec);
  }
}

/** Batches answered consults into `recordConsults` transactions. */
export class ConsultRecorder extends BatchRecorder<ConsultEntry> {
  constructor(options: ReadRecorderOptions, deps: ReadRecorderDeps, log: Logger) {
    super(options, deps, log, {
      noun: 'consults',
      call: (batch) => encodeOp({ op: 'recordConsults', consults: batch }),
      futureError: 'future_consult',
    });
  }
}
