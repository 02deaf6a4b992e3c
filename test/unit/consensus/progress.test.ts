/** Progress (probe / replicate / snapshot) and the Inflights window. */
import { describe, expect, it } from 'vitest';
import { Inflights, Progress } from '../../../consensus/progress.js';

describe('Inflights', () => {
  it('fills up to capacity, frees acknowledged messages in order, and wraps around', () => {
    const f = new Inflights(3);
    f.add(5, 10);
    f.add(7, 20);
    f.add(9, 30);
    expect([f.full(), f.count(), f.bytes()]).toEqual([true, 3, 60]);
    expect(() => f.add(10, 1)).toThrow(RangeError);
    f.freeLE(7);
    expect([f.full(), f.count(), f.bytes()]).toEqual([false, 1, 30]);
    f.add(11, 1);
    f.add(13, 1); // wraps in the ring
    expect(f.full()).toBe(true);
    f.freeLE(4); // nothing that old
    expect(f.count()).toBe(3);
    f.freeFirstOne();
    expect(f.count()).toBe(2);
    f.freeLE(100);
    expect([f.count(), f.bytes()]).toEqual([0, 0]);
  });
});

describe('Progress', () => {
  it('maybeUpdate raises match and next, ignoring stale acknowledgements', () => {
    const pr = new Progress(5, 4, false);
    expect(pr.maybeUpdate(3)).toBe(true);
    expect([pr.match, pr.next]).toEqual([3, 5]);
    expect(pr.maybeUpdate(2)).toBe(false);
    expect(pr.maybeUpdate(7)).toBe(true);
    expect([pr.match, pr.next]).toEqual([7, 8]);
  });

  it('probe: one message at a time; a rejection of the last probe moves next using the hint', () => {
    const pr = new Progress(10, 4, false);
    pr.sentEntries(1, 10, 1);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeDecrTo(5, 2)).toBe(false); // not our last probe (prev index 9)
    expect(pr.maybeDecrTo(9, 2)).toBe(true);
    expect([pr.next, pr.isPaused()]).toEqual([3, false]);
    expect(pr.maybeDecrTo(2, 100)).toBe(true); // hint larger than the rejected index: use the rejected index
    expect(pr.next).toBe(2);
  });

  it('replicate: sends advance next optimistically until the window is full', () => {
    const pr = new Progress(1, 2, false);
    pr.becomeReplicate();
    pr.sentEntries(3, 3, 3);
    pr.sentEntries(2, 5, 2);
    expect([pr.next, pr.isPaused()]).toEqual([6, true]);
    pr.maybeUpdate(3);
    pr.inflights.freeLE(3);
    expect(pr.isPaused()).toBe(false);
    // A rejection above match sends next back to match + 1; one at or below match is stale.
    expect(pr.maybeDecrTo(5, 0)).toBe(true);
    expect(pr.next).toBe(4);
    expect(pr.maybeDecrTo(3, 0)).toBe(false);
  });

  it('snapshot: paused; leaving it for probe resumes after the snapshot index', () => {
    const pr = new Progress(1, 2, false);
    pr.becomeSnapshot(20);
    expect(pr.isPaused()).toBe(true);
    pr.becomeProbe();
    expect([pr.state, pr.next]).toEqual(['probe', 21]);
  });
});
