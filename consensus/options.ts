/** Defaults and validation for RaftConfig. */
import { RaftError } from './errors.js';
import type { RaftConfig } from './types.js';

/** The tunables of RaftConfig, everything except identity, storage, randomness and the event hook. */
export type RaftOptions = Omit<RaftConfig, 'id' | 'storage' | 'random' | 'onEvent'>;

/** Defaults in the spirit of etcd: 10 ticks to elect, 1 tick per heartbeat, 1 MiB per message. */
export const defaultRaftOptions: RaftOptions = {
  electionTick: 10,
  heartbeatTick: 1,
  preVote: true,
  checkQuorum: true,
  leaderLostStaggerTick: 2,
  maxSizePerMsg: 1024 * 1024,
  maxInflightMsgs: 256,
  maxUncommittedBytes: 64 * 1024 * 1024,
  applied: 0,
};

function isNonNegInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Throws RaftError 'invalid_config' when the configuration makes no sense. */
export function validateRaftConfig(c: RaftConfig): void {
  const bad = (msg: string): never => {
    throw new RaftError('invalid_config', msg);
  };
  if (typeof c.id !== 'string' || c.id.length === 0) bad('id must be a non-empty string');
  if (c.storage === null || typeof c.storage !== 'object') bad('storage is required');
  if (typeof c.random !== 'function') bad('random must be a function');
  if (c.onEvent !== undefined && typeof c.onEvent !== 'function') bad('onEvent must be a function');
  if (!isNonNegInt(c.heartbeatTick) || c.heartbeatTick < 1) bad('heartbeatTick must be an integer >= 1');
  if (!isNonNegInt(c.electionTick) || c.electionTick <= c.heartbeatTick) {
    bad('electionTick must be an integer greater than heartbeatTick');
  }
  if (!isNonNegInt(c.maxInflightMsgs) || c.maxInflightMsgs < 1)
    bad('maxInflightMsgs must be an integer >= 1');
  if (typeof c.maxSizePerMsg !== 'number' || Number.isNaN(c.maxSizePerMsg) || c.maxSizePerMsg < 1) {
    bad('maxSizePerMsg must be >= 1');
  }
  if (
    typeof c.maxUncommittedBytes !== 'number' ||
    Number.isNaN(c.maxUncommittedBytes) ||
    c.maxUncommittedBytes < 0
  ) {
    bad('maxUncommittedBytes must be >= 0 (0 = no limit)');
  }
  if (c.leaderLostStaggerTick !== undefined && !isNonNegInt(c.leaderLostStaggerTick)) {
    bad('leaderLostStaggerTick must be a non-negative integer');
  }
  if (!isNonNegInt(c.applied)) bad('applied must be a non-negative integer');
  if (typeof c.preVote !== 'boolean' || typeof c.checkQuorum !== 'boolean') {
    bad('preVote and checkQuorum must be booleans');
  }
}
