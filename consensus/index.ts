/** The pure Raft core: no I/O; driven through tick/step/propose and the Ready loop. */
export * from './confchange.js';
export * from './errors.js';
export { RaftLog, Unstable } from './log.js';
export * from './options.js';
export { Inflights, Progress, ProgressState } from './progress.js';
export { committedIndex, voteResult } from './quorum.js';
export type { CampaignKind, PeerProgress, ProposedEntry, RaftLogView } from './raft.js';
export { Raft } from './raft.js';
export { MemoryStorage } from './storage.js';
export * from './types.js';
