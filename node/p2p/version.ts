/**
 * Raft protocol versions: which stream protocol ids a node serves, which one two peers agree on, and
 * how a frame carries its version. Pure: no I/O.
 *
 * - Version 1 is what every release before versioning spoke: `/ehrchain/<c>/raft/1.0.0` (and
 *   `raft-snapshot/1.0.0`), each frame a bare msgpack array whose first byte is a fixarray header
 *   (0x90..0x9f). Its frames are unchanged, so today's peers keep working.
 * - Version v >= 2 is served as `/ehrchain/<c>/raft/<v>.0.0`, and each frame starts with one byte,
 *   the version (1..0x7f: never a fixarray header, so a version-1 decoder refuses it as an unknown
 *   type tag rather than misreading it), followed by the version-1 body.
 * - Version 3 frames are version 2's, except that an append's block entries may be compact blocks
 *   (tx hashes for the txs the follower holds; node/p2p/block-relay.ts). A frame with compact
 *   blocks is only ever written on a stream of version >= 3.
 *
 * A node serves every version from its `minProtocolVersion` to its `protocolVersion`; the dialler
 * offers them newest first and libp2p's multistream-select picks the first the remote serves, so
 * two peers speak the highest version both serve. Peers with no version in common are refused.
 */

/** The Raft protocol version this release speaks. */
export const RAFT_PROTOCOL_VERSION = 3;
/** The oldest version this release still serves (the previous release's). */
export const RAFT_MIN_COMPATIBLE_VERSION = 1;
/** Highest version a frame's version byte can carry. */
export const MAX_RAFT_PROTOCOL_VERSION = 0x7f;

/** The versions a node speaks: every integer from `min` to `current`. */
export interface RaftVersionRange {
  readonly current: number;
  readonly min: number;
}

/** The default range: this release and every earlier one (1 and 2 get full blocks). */
export const DEFAULT_RAFT_VERSIONS: RaftVersionRange = {
  current: RAFT_PROTOCOL_VERSION,
  min: RAFT_MIN_COMPATIBLE_VERSION,
};

/** Which lane a protocol id is for. */
export type RaftLane = 'raft' | 'raft-snapshot';

/** True when `r` is a usable range: integers, 1 <= min <= current <= MAX_RAFT_PROTOCOL_VERSION. */
export function isRaftVersionRange(r: RaftVersionRange): boolean {
  return (
    Number.isSafeInteger(r.min) &&
    Number.isSafeInteger(r.current) &&
    r.min >= 1 &&
    r.min <= r.current &&
    r.current <= MAX_RAFT_PROTOCOL_VERSION
  );
}

/** The versions of `r`, newest first (the order a dialler offers them in). */
export function raftVersionsOf(r: RaftVersionRange): number[] {
  const out: number[] = [];
  for (let v = r.current; v >= r.min; v--) out.push(v);
  return out;
}

/** `/ehrchain/<chainId>/<lane>/<version>.0.0`. */
export function raftProtocolId(chainId: string, lane: RaftLane, version: number): string {
  return `/ehrchain/${chainId}/${lane}/${version}.0.0`;
}

/** The version of a protocol id of `lane` on `chainId`, or undefined when it is not one. */
export function raftVersionOfProtocol(chainId: string, lane: RaftLane, protocol: string): number | undefined {
  const prefix = `/ehrchain/${chainId}/${lane}/`;
  if (!protocol.startsWith(prefix)) return undefined;
  const m = /^([1-9][0-9]{0,2})\.0\.0$/.exec(protocol.slice(prefix.length));
  if (m === null) return undefined;
  const v = Number(m[1]);
  return v <= MAX_RAFT_PROTOCOL_VERSION ? v : undefined;
}

/** The Raft message-lane versions a peer serves, read from the protocol list identify gave us, newest first. */
export function raftVersionsInProtocols(chainId: string, protocols: readonly string[]): number[] {
  const out = new Set<number>();
  for (const p of protocols) {
    const v = raftVersionOfProtocol(chainId, 'raft', p);
    if (v !== undefined) out.add(v);
  }
  return [...out].sort((a, b) => b - a);
}

/** The highest version in both lists, or undefined when they share none. */
export function negotiateRaftVersion(ours: readonly number[], theirs: readonly number[]): number | undefined {
  const t = new Set(theirs);
  let best: number | undefined;
  for (const v of ours) if (t.has(v) && (best === undefined || v > best)) best = v;
  return best;
}

/** The bytes to write for a version-1 `body` on a stream of `version`. */
export function versionFrame(version: number, body: Uint8Array): Uint8Array {
  if (version === 1) return body;
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = version;
  out.set(body, 1);
  return out;
}

/**
 * The version a frame carries and its version-1 body (a view, no copy). A frame starting with a
 * fixarray header is version 1; one starting with a byte 2..0x7f is that version; anything else
 * (empty, another byte) gives version 0, which no node serves.
 */
export function unversionFrame(frame: Uint8Array): { readonly version: number; readonly body: Uint8Array } {
  const b0 = frame[0];
  if (b0 === undefined) return { version: 0, body: frame };
  if ((b0 & 0xf0) === 0x90) return { version: 1, body: frame };
  if (b0 >= 2 && b0 <= MAX_RAFT_PROTOCOL_VERSION) return { version: b0, body: frame.subarray(1) };
  return { version: 0, body: frame };
}
