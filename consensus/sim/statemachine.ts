/**
 * The simulator's state machine: it folds every applied normal entry (index, data) into a running
 * digest and counts them. Its snapshot is that digest plus the count and applied index, so a node
 * restored from a snapshot must reach exactly the state of a node that applied every entry.
 */
import type { ConfState, Entry, Snapshot } from '../types.js';
import { HASH_INIT, mixBytes, mixInt } from './hash.js';

const SNAPSHOT_BYTES = 20;

/** Digest-of-history state machine; see the file comment. */
export class DigestStateMachine {
  /** Highest applied index (normal or conf change). */
  applied = 0;
  /** Normal entries with data applied so far. */
  count = 0;
  /** Running digest of (index, data) over applied normal entries with data. */
  digest = HASH_INIT;

  constructor(public conf: ConfState) {}

  /** A state machine restored from a snapshot (index 0 = empty). */
  static fromSnapshot(snap: Snapshot, initialConf: ConfState): DigestStateMachine {
    const sm = new DigestStateMachine(snap.meta.index > 0 ? snap.meta.conf : initialConf);
    if (snap.meta.index > 0) sm.restore(snap);
    return sm;
  }

  /** Applies one committed normal entry (empty entries from new leaders only move `applied`). */
  apply(e: Entry): void {
    if (e.data.length > 0) {
      this.digest = mixBytes(mixInt(this.digest, e.index), e.data);
      this.count++;
    }
    this.applied = e.index;
  }

  /** Serialises the state. */
  encode(): Uint8Array {
    const out = new Uint8Array(SNAPSHOT_BYTES);
    const v = new DataView(out.buffer);
    v.setFloat64(0, this.applied);
    v.setFloat64(8, this.count);
    v.setUint32(16, this.digest);
    return out;
  }

  /** Replaces the state with a snapshot's. Throws if the data does not match the metadata. */
  restore(snap: Snapshot): void {
    const d = snap.data;
    if (d.length !== SNAPSHOT_BYTES) throw new Error(`snapshot data has ${d.length} bytes`);
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const applied = v.getFloat64(0);
    if (applied !== snap.meta.index)
      throw new Error(`snapshot data at ${applied} but meta at ${snap.meta.index}`);
    this.applied = applied;
    this.count = v.getFloat64(8);
    this.digest = v.getUint32(16);
    this.conf = snap.meta.conf;
  }
}
