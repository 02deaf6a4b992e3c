/** Unit tests of the simulator's parts that need no Raft: PRNG, network fault model, hashes, state machine. */
import { describe, expect, it } from 'vitest';
import { HASH_INIT, mixBytes, mixInt } from '../../consensus/sim/hash.js';
import { reliableNetwork, SimNetwork } from '../../consensus/sim/network.js';
import { Prng } from '../../consensus/sim/prng.js';
import { DigestStateMachine } from '../../consensus/sim/statemachine.js';
import { EntryType } from '../../consensus/types.js';

interface Msg {
  from: string;
  to: string;
  n: number;
}

describe('Prng (sfc32)', () => {
  it('replays the same sequence from the same seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.u32())).not.toEqual(sa);
  });

  it('stays in range and is roughly uniform', () => {
    const r = new Prng(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      const k = Math.floor(x * 10);
      buckets[k] = (buckets[k] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(600);
    for (let i = 0; i < 1000; i++) {
      const v = r.range(3, 5);
      expect(v >= 3 && v <= 5 && Number.isInteger(v)).toBe(true);
    }
  });

  it('shuffles into a permutation and forks independent streams', () => {
    const r = new Prng(1);
    const xs = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const f1 = new Prng(9).fork();
    const f2 = new Prng(9).fork();
    expect(f1.u32()).toBe(f2.u32());
    expect(() => r.pick([])).toThrow();
  });
});

describe('SimNetwork', () => {
  const msgs = (n: number): Msg[] => Array.from({ length: n }, (_, i) => ({ from: 'a', to: 'b', n: i }));

  it('delivers everything next step, in order, when reliable', () => {
    const net = new SimNetwork<Msg>(new Prng(1), reliableNetwork);
    for (const m of msgs(10)) net.send(m, 0);
    expect(net.deliver(0)).toEqual([]);
    expect(net.deliver(1).map((m) => m.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(net.pending).toBe(0);
  });

  it('drops, duplicates, delays and reorders at about the configured rates', () => {
    const net = new SimNetwork<Msg>(new Prng(2), {
      drop: 0.1,
      duplicate: 0.1,
      delay: 0.3,
      maxDelay: 4,
      reorder: true,
    });
    for (const m of msgs(10_000)) net.send(m, 0);
    const got: Msg[] = [];
    for (let t = 1; t <= 6; t++) got.push(...net.deliver(t));
    const { stats } = net;
    expect(stats.dropped).toBeGreaterThan(800);
    expect(stats.dropped).toBeLessThan(1200);
    expect(stats.duplicated).toBeGreaterThan(700);
    expect(stats.delayed).toBeGreaterThan(2400);
    expect(stats.reordered).toBeGreaterThan(0);
    expect(got.length).toBe(10_000 - stats.dropped + stats.duplicated);
    expect(net.pending).toBe(0);
    // Out of order: the first batch is not sorted.
    const firstBatch = got.slice(0, 100).map((m) => m.n);
    expect(firstBatch).not.toEqual([...firstBatch].sort((p, q) => p - q));
  });

  it('loses messages across a partition and not after a heal', () => {
    const net = new SimNetwork<Msg>(new Prng(3), reliableNetwork);
    net.partition([['a'], ['b', 'c']]);
    expect(net.partitioned).toBe(true);
    net.send({ from: 'a', to: 'b', n: 1 }, 0);
    net.send({ from: 'b', to: 'c', n: 2 }, 0);
    expect(net.deliver(1).map((m) => m.n)).toEqual([2]);
    expect(net.stats.partitionLost).toBe(1);
    net.heal();
    expect(net.partitioned).toBe(false);
    net.send({ from: 'a', to: 'b', n: 3 }, 1);
    expect(net.deliver(2).map((m) => m.n)).toEqual([3]);
  });

  it('loses in-flight messages to a crashed node, even once it restarts', () => {
    const net = new SimNetwork<Msg>(new Prng(4), { ...reliableNetwork, delay: 1, maxDelay: 3 });
    net.send({ from: 'a', to: 'b', n: 1 }, 0);
    net.send({ from: 'b', to: 'a', n: 2 }, 0);
    net.crash('b');
    net.restart('b');
    const got: Msg[] = [];
    for (let t = 1; t <= 5; t++) got.push(...net.deliver(t));
    expect(got.map((m) => m.n)).toEqual([2]);
    expect(net.stats.downLost).toBe(1);
  });
});

describe('hashes and the digest state machine', () => {
  it('hashes depend on every input', () => {
    expect(mixInt(HASH_INIT, 1)).not.toBe(mixInt(HASH_INIT, 2));
    expect(mixInt(HASH_INIT, 2 ** 40)).not.toBe(mixInt(HASH_INIT, 0));
    expect(mixBytes(HASH_INIT, new Uint8Array([1, 2]))).not.toBe(mixBytes(HASH_INIT, new Uint8Array([2, 1])));
  });

  it('restores from its own snapshot to the same state', () => {
    const conf = { voters: ['a'], learners: [] };
    const sm = new DigestStateMachine(conf);
    for (let i = 1; i <= 5; i++)
      sm.apply({ index: i, term: 1, type: EntryType.Normal, data: new Uint8Array([i]) });
    const snap = { meta: { index: 5, term: 1, conf }, data: sm.encode() };
    const back = DigestStateMachine.fromSnapshot(snap, conf);
    expect([back.applied, back.count, back.digest]).toEqual([5, 5, sm.digest]);
    expect(() => back.restore({ meta: { index: 6, term: 1, conf }, data: sm.encode() })).toThrow();
  });
});
