/** Quorum arithmetic: worked examples (the property test is quorum.property.test.ts). */
import { describe, expect, it } from 'vitest';
import { committedIndex, voteResult } from '../../../consensus/quorum.js';

describe('committedIndex', () => {
  const m = (o: Record<string, number>) => (id: string) => o[id] ?? 0;
  it('is the median-ish quorum index of the voters', () => {
    expect(committedIndex([], m({}))).toBe(0);
    expect(committedIndex(['a'], m({ a: 7 }))).toBe(7);
    expect(committedIndex(['a', 'b'], m({ a: 7, b: 3 }))).toBe(3);
    expect(committedIndex(['a', 'b', 'c'], m({ a: 7, b: 3, c: 5 }))).toBe(5);
    expect(committedIndex(['a', 'b', 'c', 'd'], m({ a: 7, b: 3, c: 5, d: 9 }))).toBe(5);
    expect(committedIndex(['a', 'b', 'c', 'd', 'e'], m({ a: 1, b: 2, c: 3, d: 4, e: 5 }))).toBe(3);
  });
  it('handles large clusters and a re-entrant match callback', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
    expect(committedIndex(ids, (id) => Number(id.slice(1)))).toBe(19);
    const inner = committedIndex(['a', 'b', 'c'], (id) =>
      id === 'a' ? committedIndex(['x', 'y', 'z'], () => 4) : 6,
    );
    expect(inner).toBe(6);
  });
});

describe('voteResult', () => {
  const v = (o: Record<string, boolean>) => new Map(Object.entries(o));
  it('won / lost / pending by majority; non-voters ignored; empty config loses', () => {
    expect(voteResult([], v({}))).toBe('lost');
    expect(voteResult(['a'], v({ a: true }))).toBe('won');
    expect(voteResult(['a', 'b', 'c'], v({ a: true }))).toBe('pending');
    expect(voteResult(['a', 'b', 'c'], v({ a: true, b: true }))).toBe('won');
    expect(voteResult(['a', 'b', 'c'], v({ a: true, b: false }))).toBe('pending');
    expect(voteResult(['a', 'b', 'c'], v({ b: false, c: false }))).toBe('lost');
    expect(voteResult(['a', 'b', 'c', 'd'], v({ a: true, b: true }))).toBe('pending');
    expect(voteResult(['a', 'b', 'c', 'd'], v({ c: false, d: false }))).toBe('lost');
    expect(voteResult(['a', 'b', 'c'], v({ a: true, x: true, y: true }))).toBe('pending');
  });
});
