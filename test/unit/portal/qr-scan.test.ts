/**
 * The camera scan's states (portal/src/qr-scan.ts): getUserMedia's failures by name, what a
 * frame's QR text means, and that every state the admin can land in has a sentence.
 */
import { describe, expect, it } from 'vitest';
import { cameraErrorState, type ScanState, scanResult, scanSentence } from '../../../portal/src/qr-scan.js';

const KEY = 'ab'.repeat(32);

describe('a camera failure', () => {
  it.each([
    ['NotAllowedError', 'refused'],
    ['SecurityError', 'refused'],
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotReadableError', 'busy'],
    ['AbortError', 'failed'],
  ])('%s is %s', (name, state) => {
    expect(cameraErrorState(Object.assign(new Error('synthetic'), { name })).state).toBe(state);
  });
});

describe("a frame's QR text", () => {
  it.each([
    ['no QR code', null, 'scanning'],
    ['the portal QR text of a key', `ehrchain-key:${KEY}`, 'found'],
    ['bare hex', KEY.toUpperCase(), 'found'],
    ['a key file', JSON.stringify({ type: 'ed25519', publicKey: KEY }), 'found'],
    ['a web address', 'https://example.org/synthetic', 'wrong'],
    ['a key one digit short', `ehrchain-key:${KEY.slice(1)}`, 'wrong'],
  ])('%s is %s', (_what, text, state) => {
    expect(scanResult(text).state).toBe(state);
  });

  it('reads the key in lower case', () => {
    expect(scanResult(KEY.toUpperCase())).toEqual({ state: 'found', key: KEY });
  });
});

describe('sentences', () => {
  const states: ScanState[] = [
    { state: 'starting' },
    { state: 'scanning' },
    { state: 'wrong', text: 'x'.repeat(100) },
    { state: 'found', key: KEY },
    { state: 'refused' },
    { state: 'no-camera' },
    { state: 'busy' },
    { state: 'unsupported' },
    { state: 'failed', message: 'synthetic' },
  ];

  it.each(states)('$state has one', (s) => {
    expect(scanSentence(s)).toMatch(/\w/);
  });

  it('shortens a long wrong code to 40 characters', () => {
    expect(scanSentence({ state: 'wrong', text: 'x'.repeat(100) })).toContain(`"${'x'.repeat(40)}…"`);
  });

  it('says nothing before the camera is asked for', () => {
    expect(scanSentence({ state: 'idle' })).toBeNull();
  });
});
