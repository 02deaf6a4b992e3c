/** Webhook signatures (checked with the verification snippet of docs/notify.md), back-off and filters. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffMs, signatureHeader, subscriberKey, wants } from '../../../node/notify/webhooks.js';
import type { ActorEvent } from '../../../protocol/notify.js';

// The TypeScript snippet of docs/notify.md, verbatim but for the clock passed in.
function verify(secret: string, header: string, body: string, nowS: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = parts.t ?? '';
  const mac = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const sig = Buffer.from(parts.v1 ?? '');
  return sig.length === mac.length && timingSafeEqual(mac, sig) && Math.abs(nowS - Number(t)) <= toleranceS;
}

const SECRET = 'a-secret-of-16-chars';
const event = { id: '7-0', type: 'record.read', actor: 'a'.repeat(64) } as ActorEvent;

describe('webhook signature', () => {
  const body = JSON.stringify({ id: 'k-7-0', event });
  it('verifies with the documented check', () => {
    expect(verify(SECRET, signatureHeader(SECRET, body, 1_700_000_000), body, 1_700_000_010)).toBe(true);
  });
  it('fails for another secret', () => {
    expect(
      verify('another-secret-16ch', signatureHeader(SECRET, body, 1_700_000_000), body, 1_700_000_000),
    ).toBe(false);
  });
  it('fails for a changed body', () => {
    expect(verify(SECRET, signatureHeader(SECRET, body, 1_700_000_000), `${body} `, 1_700_000_000)).toBe(
      false,
    );
  });
  it('fails for a timestamp outside the tolerance (a replay)', () => {
    expect(verify(SECRET, signatureHeader(SECRET, body, 1_700_000_000), body, 1_700_001_000)).toBe(false);
  });
});

describe('webhook back-off', () => {
  it.each([
    [1, 500],
    [2, 1000],
    [5, 8000],
    [8, 60_000],
    [100, 60_000],
  ])('attempt %i waits %i ms (doubling from 500, capped at 60 s)', (attempt, ms) => {
    expect(backoffMs(attempt, 500, 60_000)).toBe(ms);
  });
});

describe('webhook filters', () => {
  const sub = { url: 'https://his.example/h', secret: SECRET };
  it.each([
    ['no filter takes everything', {}, true],
    ['a type filter naming the type', { events: ['record.read'] }, true],
    ['a type filter not naming it', { events: ['grant.given'] }, false],
    ['an actor filter naming the actor', { actors: ['a'.repeat(64)] }, true],
    ['an actor filter not naming it', { actors: ['b'.repeat(64)] }, false],
  ])('%s', (_name, filter, expected) => {
    expect(wants({ ...sub, ...filter }, event)).toBe(expected);
  });
  it('names an outbox after the URL alone', () => {
    expect(subscriberKey(sub.url)).toBe(subscriberKey('https://his.example/h'));
    expect(subscriberKey(sub.url)).not.toBe(subscriberKey('https://his.example/g'));
  });
});
