/**
 * Yamux window updates with the half-window rule (node/p2p/yamux-window.ts): a stream that
 * receives small data frames answers none of them until half its window is used, then one update
 * gives the whole window back; a stream still opening acknowledges at once.
 */
import { defaultLogger } from '@libp2p/logger';
import { StreamState, YamuxStream } from '@libp2p/yamux/stream';
import { describe, expect, it } from 'vitest';
import { canWaitForWindowUpdate, installYamuxHalfWindowUpdates } from '../../../node/p2p/yamux-window.js';

const WINDOW = 256 * 1024;
// The yamux spec's frame types and flags (the package does not export them).
const FrameType = { Data: 0, WindowUpdate: 1 } as const;
const ACK = 2;

interface Sent {
  readonly type: number;
  readonly flag: number;
  readonly length: number;
}

function stream(state: StreamState): { s: YamuxStream; sent: Sent[] } {
  const sent: Sent[] = [];
  const s = new YamuxStream({
    id: '1',
    streamId: 1,
    state,
    direction: 'inbound',
    log: defaultLogger().forComponent('test'),
    getRTT: () => -1,
    sendFrame: (h: Sent) => {
      sent.push(h);
      return true;
    },
  } as unknown as ConstructorParameters<typeof YamuxStream>[0]);
  return { s, sent };
}

/** Feeds one data frame of `n` bytes, as the muxer does. */
function receive(s: YamuxStream, n: number): void {
  s.handleData({
    header: { type: FrameType.Data, flag: 0, streamID: 1, length: n },
    data: new Uint8Array(n),
  } as never);
}

describe('yamux window updates', () => {
  installYamuxHalfWindowUpdates();

  it.each([
    { state: StreamState.Established, capacity: WINDOW, waits: true },
    { state: StreamState.Established, capacity: WINDOW / 2, waits: true },
    { state: StreamState.Established, capacity: WINDOW / 2 - 1, waits: false },
    { state: StreamState.SYNReceived, capacity: WINDOW, waits: false },
    { state: StreamState.Paused, capacity: 0, waits: false },
  ])('state $state with $capacity bytes left: waits $waits', ({ state, capacity, waits }) => {
    expect(canWaitForWindowUpdate({ state, recvWindow: WINDOW, recvWindowCapacity: capacity })).toBe(waits);
  });

  it('sends no update for small frames, then one for the whole used window past half', () => {
    const { s, sent } = stream(StreamState.Established);
    for (let i = 0; i < 127; i++) receive(s, 1024);
    expect(sent).toEqual([]);
    receive(s, 2048);
    expect(sent).toEqual([{ type: FrameType.WindowUpdate, flag: 0, streamID: 1, length: 129 * 1024 }]);
  });

  it('acknowledges a stream that is still opening with its first update', () => {
    const { s, sent } = stream(StreamState.SYNReceived);
    receive(s, 10);
    expect(sent.map((f) => [f.type, f.flag])).toEqual([[FrameType.WindowUpdate, ACK]]);
  });
});
