import { describe, expect, it } from 'vitest';
import { type AppendMsg, type Entry, EntryType, type Message } from '../../../consensus/types.js';
import {
  BlockRelay,
  decodeEntryRequest,
  encodeEntryRequest,
  KNOWN_BLOCKS,
} from '../../../node/p2p/block-relay.js';
import { CountingMetrics } from '../../../node/p2p/metrics.js';
import { DEFAULT_RAFT_CODEC_LIMITS, encodeRaftFrame } from '../../../node/p2p/raft-codec.js';
import { RaftInbox } from '../../../node/p2p/raft-inbox.js';
import { RequestRefusal } from '../../../node/p2p/request.js';
import { buildBlock, encodeBlock } from '../../../protocol/chain/block.js';
import { isCompactBlock } from '../../../protocol/chain/compact-block.js';
import { bytesEqual, toHex } from '../../../protocol/chain/encoding.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { makeTx, testSigner } from '../chain/fixtures.js';

const LEADER = 'leader';
const FOLLOWER = 'follower';
const txs = Array.from({ length: 10 }, (_, i) => makeTx(1 + (i % 3), Math.floor(i / 3)));

function blockEntry(index: number, blockTxs: readonly SignedTx[]): Entry {
  const fields = {
    chainId: 'ehr-test',
    height: index,
    parentHash: new Uint8Array(32),
    stateHeight: index - 1,
    stateRoot: new Uint8Array(32),
    term: 2,
    time: 1_700_000_000_000 + index,
  };
  return {
    term: 2,
    index,
    type: EntryType.Normal,
    data: encodeBlock(buildBlock(fields, blockTxs, testSigner(9))),
  };
}

function append(entries: readonly Entry[]): AppendMsg {
  return {
    type: 'append',
    from: LEADER,
    to: FOLLOWER,
    term: 2,
    prevIndex: 0,
    prevTerm: 0,
    commit: 0,
    entries,
  };
}

/** A leader and a follower whose mempool holds `held`, wired as the node wires them. */
function pair(held: readonly SignedTx[], fetchFails = false) {
  const mempool = new Map(held.map((t) => [toHex(t.hash), t]));
  const fetches: { term: number; index: number }[] = [];
  const handed: { block: Uint8Array; txs: readonly SignedTx[] }[] = [];
  const leader: BlockRelay = new BlockRelay(
    { keepEntries: 4 },
    { lookupTx: () => undefined, fetchEntry: () => Promise.reject(new Error('unused')) },
  );
  const follower = new BlockRelay(
    {},
    {
      lookupTx: (h) => mempool.get(toHex(h)),
      handOver: (block, txs) => handed.push({ block, txs }),
      fetchEntry: async (peer, req) => {
        expect(peer).toBe(LEADER);
        fetches.push(decodeEntryRequest(req));
        if (fetchFails) throw new Error('leader gone');
        return leader.serveEntry(req);
      },
    },
  );
  return { leader, follower, fetches, handed };
}

/** The leader's compact form of `entries`, as a follower receives them. */
function sent(leader: BlockRelay, entries: readonly Entry[]): AppendMsg {
  return append(leader.compactEntries(entries) ?? entries);
}

const sameEntries = (a: readonly Entry[], b: readonly Entry[]): boolean =>
  a.length === b.length && a.every((e, i) => e.index === b[i]!.index && bytesEqual(e.data, b[i]!.data));

describe('hash-only blocks: the leader side', () => {
  it('compacts block entries only, once for every follower', () => {
    const { leader } = pair([]);
    const conf: Entry = { term: 2, index: 3, type: EntryType.ConfChange, data: Uint8Array.of(1, 2) };
    const empty: Entry = { term: 2, index: 4, type: EntryType.Normal, data: new Uint8Array(0) };
    const entries = [blockEntry(2, txs), conf, empty];
    const a = leader.compactEntries(entries)!;
    const b = leader.compactEntries(entries)!;
    expect(isCompactBlock(a[0]!.data)).toBe(true);
    expect(a[0]!.data.length).toBeLessThan(entries[0]!.data.length);
    expect(a[1]).toBe(conf);
    expect(a[2]).toBe(empty);
    expect(b[0]!.data).toBe(a[0]!.data);
    expect(leader.counts.compacted).toBe(1);
  });

  it('compacts a block it built from the tx hashes it was told, to the same bytes', () => {
    const { leader } = pair([]);
    const { leader: told } = pair([]);
    const e = blockEntry(2, txs);
    told.knowTxs(e.data, txs);
    expect(toHex(told.compactEntries([e])![0]!.data)).toBe(toHex(leader.compactEntries([e])![0]!.data));
  });

  it('refers to the txs of a block it built by the hashes it was told, hashing none', async () => {
    // Hashes that are not the txs' own show they were used as told; the follower, finding no tx
    // under them, fetches the block whole: a wrong hash costs a fetch, never a wrong block.
    const { leader, follower, fetches } = pair(txs);
    const e = blockEntry(2, txs);
    leader.knowTxs(
      e.data,
      txs.map((_, i) => ({ hash: new Uint8Array(32).fill(i + 1) })),
    );
    const out = await follower.fill(sent(leader, [e]));
    expect(out !== null && sameEntries(out.entries, [e])).toBe(true);
    expect(fetches).toEqual([{ term: 2, index: 2 }]);
    expect(follower.counts).toMatchObject({ filled: 0, missing: txs.length, fetched: 1 });
  });

  it('keeps the hashes of only the last KNOWN_BLOCKS blocks it was told about', async () => {
    // Told wrong hashes for every block, the follower fills the block whose hashes were forgotten
    // (the leader hashed it itself) and must fetch the one whose hashes were kept.
    const { leader, follower, fetches } = pair(txs);
    const wrong = txs.map((_, i) => ({ hash: new Uint8Array(32).fill(i + 1) }));
    const first = blockEntry(2, txs);
    const last = blockEntry(3, txs);
    leader.knowTxs(first.data, wrong);
    for (let i = 1; i < KNOWN_BLOCKS; i++) leader.knowTxs(new Uint8Array(1), wrong);
    leader.knowTxs(last.data, wrong);
    const out = await follower.fill(sent(leader, [first, last]));
    expect(out !== null && sameEntries(out.entries, [first, last])).toBe(true);
    expect(fetches).toEqual([{ term: 2, index: 3 }]);
  });

  it('leaves an append without a block that has txs as it is', () => {
    const { leader } = pair([]);
    expect(leader.compactEntries([blockEntry(2, [])])).toBeNull();
    expect(leader.compactEntries([])).toBeNull();
  });

  it('sends committed entries in full: a follower receiving them is catching up', () => {
    const { leader } = pair([]);
    const entries = [blockEntry(2, txs), blockEntry(3, txs)];
    const out = leader.compactEntries(entries, 2)!;
    expect(out[0]).toBe(entries[0]);
    expect(isCompactBlock(out[1]!.data)).toBe(true);
    expect(leader.compactEntries(entries, 3)).toBeNull();
  });

  it('can serve an entry sent compact again after newer ones pushed it out', () => {
    const { leader } = pair([]);
    const first = blockEntry(2, txs.slice(0, 2));
    leader.compactEntries([first]);
    for (let i = 3; i < 8; i++) leader.compactEntries([blockEntry(i, txs.slice(0, 2))]);
    expect(() => leader.serveEntry(encodeEntryRequest(2, 2))).toThrow(RequestRefusal);
    leader.compactEntries([first]); // Raft resends it
    expect(leader.serveEntry(encodeEntryRequest(2, 2))).toBe(first.data);
  });

  it('serves an entry it sent compact by term and index, and refuses others', () => {
    const { leader } = pair([]);
    const e = blockEntry(2, txs);
    leader.compactEntries([e]);
    expect(leader.serveEntry(encodeEntryRequest(2, 2))).toBe(e.data);
    expect(() => leader.serveEntry(encodeEntryRequest(3, 2))).toThrow(RequestRefusal);
    expect(() => leader.serveEntry(encodeEntryRequest(2, 9))).toThrow(RequestRefusal);
    expect(() => leader.serveEntry(new Uint8Array(3))).toThrow(RequestRefusal);
  });

  it('keeps only its last keepEntries entries to serve', () => {
    const { leader } = pair([]);
    for (let i = 2; i < 8; i++) leader.compactEntries([blockEntry(i, txs.slice(0, 2))]);
    expect(() => leader.serveEntry(encodeEntryRequest(2, 3))).toThrow(RequestRefusal);
    expect(leader.serveEntry(encodeEntryRequest(2, 7)).length).toBeGreaterThan(0);
  });
});

describe('hash-only blocks: the follower side', () => {
  it('fills every tx from its mempool, fetching nothing', async () => {
    const { leader, follower, fetches } = pair(txs);
    const entries = [blockEntry(2, txs.slice(0, 6)), blockEntry(3, txs.slice(6))];
    const out = await follower.fill(sent(leader, entries));
    expect(out !== null && sameEntries(out.entries, entries)).toBe(true);
    expect(fetches).toEqual([]);
    expect(follower.counts).toMatchObject({ filled: 10, missing: 0, fetched: 0 });
  });

  it('hands over the mempool txs each filled block was built from, and none for a fetched one', async () => {
    const { leader, follower, handed } = pair(txs.slice(0, 8));
    const entries = [blockEntry(2, txs.slice(0, 6)), blockEntry(3, txs.slice(6))];
    const out = await follower.fill(sent(leader, entries));
    expect(handed).toHaveLength(1);
    expect(handed[0]!.block).toBe(out!.entries[0]!.data);
    expect(handed[0]!.txs).toEqual(txs.slice(0, 6));
  });

  it('fetches from the leader the entry whose txs it lacks, and only that one', async () => {
    const { leader, follower, fetches } = pair(txs.slice(0, 8));
    const entries = [blockEntry(2, txs.slice(0, 6)), blockEntry(3, txs.slice(6))];
    const out = await follower.fill(sent(leader, entries));
    expect(out !== null && sameEntries(out.entries, entries)).toBe(true);
    expect(fetches).toEqual([{ term: 2, index: 3 }]);
    expect(follower.counts).toMatchObject({ filled: 6, missing: 2, fetched: 1 });
  });

  it('gives up on the append when the leader cannot be asked (Raft resends it)', async () => {
    const { leader, follower } = pair([], true);
    expect(await follower.fill(sent(leader, [blockEntry(2, txs)]))).toBeNull();
    expect(follower.counts.failed).toBe(1);
  });
});

describe('hash-only blocks: the inbox', () => {
  it('hands a peer messages on in order while an append waits for its fetch', async () => {
    const { leader, follower } = pair([]);
    const inbox = new RaftInbox(FOLLOWER, DEFAULT_RAFT_CODEC_LIMITS, new CountingMetrics());
    inbox.useRelay(follower);
    const got: Message[] = [];
    let both: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      both = r;
    });
    inbox.onRaftMessage((m) => {
      if (got.push(m) === 2) both();
    });
    const entries = [blockEntry(2, txs)];
    const heartbeat: Message = { type: 'heartbeat', from: LEADER, to: FOLLOWER, term: 2, commit: 2 };
    inbox.deliver(LEADER, encodeRaftFrame({ msg: sent(leader, entries) }, DEFAULT_RAFT_CODEC_LIMITS), 3);
    inbox.deliver(LEADER, encodeRaftFrame({ msg: heartbeat }, DEFAULT_RAFT_CODEC_LIMITS), 3);
    expect(got).toEqual([]);
    await arrived;
    expect(got.map((m) => m.type)).toEqual(['append', 'heartbeat']);
    const first = got[0]!;
    expect(first.type === 'append' && sameEntries(first.entries, entries)).toBe(true);
  });

  it('fills nothing on a stream older than version 3', () => {
    const { leader, follower } = pair(txs);
    const inbox = new RaftInbox(FOLLOWER, DEFAULT_RAFT_CODEC_LIMITS, new CountingMetrics());
    inbox.useRelay(follower);
    const got: Message[] = [];
    inbox.onRaftMessage((m) => got.push(m));
    inbox.deliver(
      LEADER,
      encodeRaftFrame({ msg: sent(leader, [blockEntry(2, txs)]) }, DEFAULT_RAFT_CODEC_LIMITS),
      2,
    );
    expect(got.length).toBe(1);
    expect(follower.counts.filled).toBe(0);
  });
});
