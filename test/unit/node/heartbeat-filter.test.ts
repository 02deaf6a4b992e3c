/**
 * Which heartbeats a leader leaves out (node/raft/heartbeat-filter.ts), as transcripts of one
 * leader's link to follower n2: `append c` sent with commit c, `ack` / `reject` received from n2,
 * `hb c` a heartbeat due with commit c, and whether it went out.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import { HeartbeatFilter } from '../../../node/raft/heartbeat-filter.js';

const base = { from: 'n1', to: 'n2', term: 2 } as const;
const append = (commit: number): Message => ({
  ...base,
  type: 'append',
  prevIndex: 0,
  prevTerm: 0,
  entries: [],
  commit,
});
const heartbeat = (commit: number): Message => ({ ...base, type: 'heartbeat', commit });
const resp = (reject: boolean, from = 'n2'): Message => ({
  from,
  to: 'n1',
  term: 2,
  type: 'appendResp',
  index: 5,
  reject,
  rejectHint: 0,
  hintTerm: 0,
});

/** Replays a transcript; returns, for each `hb`, whether it was sent. */
function replay(steps: string): boolean[] {
  const f = new HeartbeatFilter();
  const sent: boolean[] = [];
  for (const step of steps.split(',').map((s) => s.trim())) {
    const [what, arg] = step.split(' ');
    if (what === 'append') expect(f.shouldSend(append(Number(arg)))).toBe(true);
    else if (what === 'ack') f.received(resp(false));
    else if (what === 'reject') f.received(resp(true));
    else if (what === 'ack-n3') f.received(resp(false, 'n3'));
    else if (what === 'hb') sent.push(f.shouldSend(heartbeat(Number(arg))));
    else throw new Error(`unknown step ${step}`);
  }
  return sent;
}

describe('HeartbeatFilter', () => {
  it.each([
    {
      scenario: 'an idle link is heartbeaten every interval',
      steps: 'hb 3, hb 3, hb 3',
      sent: [true, true, true],
    },
    {
      scenario: 'an acknowledged append in the interval covers the heartbeat',
      steps: 'append 3, ack, hb 3',
      sent: [false],
    },
    { scenario: 'an append without an answer does not', steps: 'append 3, hb 3', sent: [true] },
    { scenario: 'a rejected append does not', steps: 'append 3, reject, hb 3', sent: [true] },
    { scenario: "another follower's answer does not", steps: 'append 3, ack-n3, hb 3', sent: [true] },
    { scenario: 'an append with an older commit does not', steps: 'append 2, ack, hb 3', sent: [true] },
    {
      scenario: 'the highest commit of the interval counts',
      steps: 'append 2, append 3, ack, hb 3',
      sent: [false],
    },
    {
      scenario: 'what crossed in one interval covers only its own heartbeat',
      steps: 'append 3, ack, hb 3, hb 3',
      sent: [false, true],
    },
    {
      scenario: 'an acknowledgement from the interval before does not count',
      steps: 'ack, hb 3, append 3, hb 3',
      sent: [true, true],
    },
    {
      scenario: 'a busy link is covered interval after interval',
      steps: 'append 3, ack, hb 3, append 4, ack, hb 4',
      sent: [false, false],
    },
  ])('$scenario', ({ steps, sent }) => {
    expect(replay(steps)).toEqual(sent);
  });

  it('lets every message other than a heartbeat through', () => {
    const f = new HeartbeatFilter();
    f.received(resp(false));
    expect(f.shouldSend({ ...base, type: 'heartbeatResp' } as Message)).toBe(true);
    expect(f.shouldSend(resp(false, 'n1'))).toBe(true);
  });
});
