/**
 * Single-server membership changes: a compact byte encoding (decoded strictly, since entry data is
 * untrusted bytes from the network or disk) and the pure function that applies one to a ConfState.
 */
import { RaftError } from './errors.js';
import type { ConfChange, ConfState, NodeId } from './types.js';

const VERSION = 1;
/** Upper bound on a node id's UTF-8 length (a libp2p peer id string is ~52 bytes). */
export const MAX_NODE_ID_BYTES = 256;

const typeCodes = { addVoter: 0, addLearner: 1, removeNode: 2 } as const;
const typeByCode: readonly ConfChange['type'][] = ['addVoter', 'addLearner', 'removeNode'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function invalid(msg: string): RaftError {
  return new RaftError('invalid_conf_change', msg);
}

function checkNodeId(node: unknown): asserts node is NodeId {
  if (typeof node !== 'string' || node.length === 0) throw invalid('node id must be a non-empty string');
  if (encoder.encode(node).byteLength > MAX_NODE_ID_BYTES) {
    throw invalid(`node id longer than ${MAX_NODE_ID_BYTES} bytes`);
  }
}

/** Layout: [version u8][type u8][idLen u16 big-endian][id UTF-8]. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  checkNodeId(cc.node);
  const code = typeCodes[cc.type];
  if (code === undefined) throw invalid(`unknown conf change type ${String(cc.type)}`);
  const id = encoder.encode(cc.node);
  const out = new Uint8Array(4 + id.byteLength);
  out[0] = VERSION;
  out[1] = code;
  out[2] = id.byteLength >> 8;
  out[3] = id.byteLength & 0xff;
  out.set(id, 4);
  return out;
}

/** Decodes bytes from encodeConfChange; throws RaftError 'invalid_conf_change' on anything else. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  if (!(bytes instanceof Uint8Array)) throw invalid('conf change must be bytes');
  if (bytes.byteLength < 5) throw invalid('conf change too short');
  if (bytes[0] !== VERSION) throw invalid(`unknown conf change version ${bytes[0]}`);
  const type = typeByCode[bytes[1] as number];
  if (type === undefined) throw invalid(`unknown conf change type code ${bytes[1]}`);
  const len = ((bytes[2] as number) << 8) | (bytes[3] as number);
  if (len === 0 || len > MAX_NODE_ID_BYTES) throw invalid(`bad node id length ${len}`);
  if (bytes.byteLength !== 4 + len) throw invalid('conf change length does not match its header');
  let node: string;
  try {
    node = decoder.decode(bytes.subarray(4));
  } catch {
    throw invalid('node id is not valid UTF-8');
  }
  return { type, node };
}

/**
 * Applies one change to a configuration and returns the new one (the input is not modified).
 * Idempotent where that is harmless: adding an existing voter, adding an existing learner or removing
 * a non-member returns an equal configuration. Throws RaftError 'invalid_conf_change' for a malformed
 * change, for demoting a voter to learner (remove it, then add it as a learner), and for removing the
 * last voter.
 */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  checkNodeId(cc.node);
  const isVoter = conf.voters.includes(cc.node);
  const isLearner = conf.learners.includes(cc.node);
  switch (cc.type) {
    case 'addVoter':
      if (isVoter) return copy(conf);
      // Adding a learner as a voter promotes it.
      return { voters: [...conf.voters, cc.node], learners: conf.learners.filter((id) => id !== cc.node) };
    case 'addLearner':
      if (isVoter) throw invalid(`${cc.node} is a voter; demotion is not supported`);
      if (isLearner) return copy(conf);
      return { voters: [...conf.voters], learners: [...conf.learners, cc.node] };
    case 'removeNode': {
      if (isVoter && conf.voters.length === 1) throw invalid('cannot remove the last voter');
      return {
        voters: conf.voters.filter((id) => id !== cc.node),
        learners: conf.learners.filter((id) => id !== cc.node),
      };
    }
    default:
      throw invalid(`unknown conf change type ${String((cc as { type: unknown }).type)}`);
  }
}

function copy(conf: ConfState): ConfState {
  return { voters: [...conf.voters], learners: [...conf.learners] };
}
