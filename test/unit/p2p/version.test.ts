import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type IncompatiblePeer, PeerVersions } from '../../../node/p2p/peer-versions.js';
import { encodeRaftMessage } from '../../../node/p2p/raft-codec.js';
import {
  DEFAULT_RAFT_VERSIONS,
  isRaftVersionRange,
  negotiateRaftVersion,
  raftProtocolId,
  raftVersionOfProtocol,
  raftVersionsInProtocols,
  raftVersionsOf,
  unversionFrame,
  versionFrame,
} from '../../../node/p2p/version.js';

describe('protocol ids', () => {
  test('version 1 keeps the id every earlier release served', () => {
    expect(raftProtocolId('c', 'raft', 1)).toBe('/ehrchain/c/raft/1.0.0');
    expect(raftProtocolId('c', 'raft-snapshot', 1)).toBe('/ehrchain/c/raft-snapshot/1.0.0');
  });

  test.each([
    ['/ehrchain/c/raft/2.0.0', 2],
    ['/ehrchain/c/raft/1.0.0', 1],
    ['/ehrchain/c/raft/127.0.0', 127],
    ['/ehrchain/c/raft/128.0.0', undefined],
    ['/ehrchain/c/raft/0.0.0', undefined],
    ['/ehrchain/c/raft/02.0.0', undefined],
    ['/ehrchain/c/raft/2.1.0', undefined],
    ['/ehrchain/other/raft/2.0.0', undefined],
    ['/ehrchain/c/raft-snapshot/2.0.0', undefined],
    ['/ipfs/id/1.0.0', undefined],
  ])('%s is message-lane version %s of chain c', (id, v) => {
    expect(raftVersionOfProtocol('c', 'raft', id)).toBe(v);
  });

  test('the versions a peer serves are read from its identify protocol list, newest first', () => {
    const protocols = [
      '/ipfs/id/1.0.0',
      '/ehrchain/c/raft/1.0.0',
      '/ehrchain/c/raft-snapshot/2.0.0',
      '/ehrchain/c/raft/2.0.0',
    ];
    expect(raftVersionsInProtocols('c', protocols)).toEqual([2, 1]);
  });
});

describe('negotiation', () => {
  // ours, theirs (what each serves, newest first), the version the stream speaks.
  test.each([
    ['this release with this release', [2, 1], [2, 1], 2],
    ['this release with the previous one', [2, 1], [1], 1],
    ['the previous release with this one', [1], [2, 1], 1],
    ['this release with the next one (which kept 2)', [2, 1], [3, 2], 2],
    ['this release with a peer that dropped 1 and 2', [2, 1], [3], undefined],
    ['min raised to 2 with a previous-release peer', [2], [1], undefined],
    ['a peer serving no Raft version', [2, 1], [], undefined],
  ] as const)('%s', (_name, ours, theirs, want) => {
    expect(negotiateRaftVersion(ours, theirs)).toBe(want);
  });

  test('the default range is this release and the ones before, offered newest first', () => {
    expect(raftVersionsOf(DEFAULT_RAFT_VERSIONS)).toEqual([3, 2, 1]);
  });

  test.each([
    [{ current: 2, min: 1 }, true],
    [{ current: 1, min: 1 }, true],
    [{ current: 1, min: 2 }, false],
    [{ current: 2, min: 0 }, false],
    [{ current: 128, min: 1 }, false],
    [{ current: 2.5, min: 1 }, false],
  ])('range %o is usable: %s', (r, ok) => {
    expect(isRaftVersionRange(r)).toBe(ok);
  });

  test('negotiation picks the highest common version, as a naive search does', () => {
    const list = fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 6 });
    fc.assert(
      fc.property(list, list, (a, b) => {
        const common = a.filter((v) => b.includes(v));
        const naive = common.length === 0 ? undefined : Math.max(...common);
        expect(negotiateRaftVersion(a, b)).toBe(naive);
      }),
    );
  });
});

describe('frames', () => {
  // A plain Uint8Array (msgpackr hands back a Buffer), so views compare equal.
  const body = new Uint8Array(
    encodeRaftMessage({ type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 9 }),
  );

  test('a version-1 frame is the bare message, as earlier releases send it', () => {
    expect(versionFrame(1, body)).toBe(body);
    expect(unversionFrame(body)).toEqual({ version: 1, body });
  });

  test('a version-2 frame is one version byte, then the message', () => {
    const f = versionFrame(2, body);
    expect(f[0]).toBe(2);
    expect(f.subarray(1)).toEqual(body);
    expect(unversionFrame(f)).toEqual({ version: 2, body });
  });

  test('every version round-trips through its frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 127 }), (v) => {
        const got = unversionFrame(versionFrame(v, body));
        expect(got.version).toBe(v);
        expect(got.body).toEqual(body);
      }),
    );
  });

  test.each([
    ['empty', []],
    ['a zero byte', [0, 0x94]],
    ['a version byte 1 (version 1 has none)', [1, 0x94]],
    ['a byte above 0x7f that is no fixarray', [0xc0]],
  ])('%s is version 0, which no node serves', (_name, bytes) => {
    expect(unversionFrame(new Uint8Array(bytes)).version).toBe(0);
  });
});

describe('PeerVersions', () => {
  function track() {
    const events: string[] = [];
    const pv = new PeerVersions([2, 1], {
      onIncompatible: (p: IncompatiblePeer, ours) =>
        events.push(`refused ${p.peer} [${p.versions}] ours [${ours}]`),
      onCompatible: (peer, v) => events.push(`accepted ${peer} v${v}`),
    });
    return { pv, events };
  }

  test('a peer serving only an unknown version is refused once, and accepted after it upgrades', () => {
    const { pv, events } = track();
    pv.observe('p', [3]);
    pv.observe('p', [3]);
    expect(pv.isRefused('p')).toBe(true);
    expect(pv.incompatible()).toEqual([{ peer: 'p', versions: [3] }]);
    pv.observe('p', [3, 2]);
    expect(pv.isRefused('p')).toBe(false);
    expect(events).toEqual(['refused p [3] ours [2,1]', 'accepted p v2']);
  });

  test('an empty identify list is not a refusal (the remote may not have registered its handlers yet)', () => {
    const { pv, events } = track();
    pv.observe('p', []);
    expect(pv.isRefused('p')).toBe(false);
    expect(events).toEqual([]);
  });

  test('a negotiated stream records the version and clears a refusal', () => {
    const { pv, events } = track();
    pv.observe('p', [7]);
    pv.negotiatedWith('p', 1);
    expect(pv.versionOf('p')).toBe(1);
    expect(pv.isRefused('p')).toBe(false);
    expect(events).toEqual(['refused p [7] ours [2,1]', 'accepted p v1']);
  });
});
