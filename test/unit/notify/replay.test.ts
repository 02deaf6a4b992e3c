/**
 * The index's replay bounds on a real LevelDB (a temp dir): a resume within the bounds replays
 * exactly what was missed, past `maxReplay` or before the retained blocks it says `reset` and
 * gives the newest events, and all of it survives closing and reopening the index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppliedBlock } from '../../../node/blocks/applier.js';
import { silentLogger } from '../../../node/log.js';
import { Notifier } from '../../../node/notify/notifier.js';
import { defaultNotifyOptions, type NotifyOptions } from '../../../node/notify/options.js';
import { encodeInt } from '../../../vm/abi.js';

const PATIENT = 'a'.repeat(64);
const DOCTOR = 'c'.repeat(64);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const enc = new TextEncoder();

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/**
 * Block `height` with one consent tx whose receipt carries a requestAccess audit event, or with
 * `orgGrant` a grant to organisation hosp-a (filed under `org:hosp-a`).
 */
function block(height: number, orgGrant = false): AppliedBlock {
  const [op, detail] = orgGrant
    ? ['grant', cat(encodeInt(2), enc.encode('hosp-a'))]
    : ['requestAccess', enc.encode('referral')];
  const audit = {
    name: 'Audit',
    data: [
      enc.encode(op),
      encodeInt(height * 1000),
      hex(DOCTOR),
      hex(PATIENT),
      encodeInt(height),
      encodeInt(0),
      detail,
      new Uint8Array(0),
    ],
  };
  return {
    block: { header: { height, time: height * 1000 }, txs: [{ body: { contract: 'consent' } }] },
    receipts: [{ status: 'ok', events: [audit] }],
  } as unknown as AppliedBlock;
}

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function indexWith(opts: Partial<NotifyOptions>, blocks: number, orgGrants = false): Promise<Notifier> {
  dir = await mkdtemp(join(tmpdir(), 'notify-'));
  const n = await Notifier.open(
    { ...defaultNotifyOptions, ...opts },
    {
      dataDir: dir,
      query: () => null,
      blocks: { latestHeight: () => 0, getBlock: async () => undefined, getReceipts: async () => undefined },
      log: silentLogger(),
    },
  );
  await n.start();
  for (let h = 1; h <= blocks; h++) n.onApplied(block(h, orgGrants));
  await n.idle();
  return n;
}

describe('replay', () => {
  it('within the bounds, replays exactly the events after the id', async () => {
    const n = await indexWith({}, 5);
    const r = await n.replay(PATIENT, '2-0');
    expect(r.reset).toBeNull();
    expect(r.events.map((e) => e.id)).toEqual(['3-0', '4-0', '5-0']);
    await n.stop();
  });

  it('past maxReplay, resets (too_many) and gives the newest maxReplay', async () => {
    const n = await indexWith({ maxReplay: 2 }, 5);
    const r = await n.replay(PATIENT, '1-0');
    expect(r.reset).toEqual({ reason: 'too_many', since: '1-0', from: '4-0' });
    expect(r.events.map((e) => e.id)).toEqual(['4-0', '5-0']);
    await n.stop();
  });

  it('from before the retained blocks, resets (too_old)', async () => {
    const n = await indexWith({ retainBlocks: 2 }, 5);
    const r = await n.replay(PATIENT, '1-0');
    expect(r.reset?.reason).toBe('too_old');
    expect(r.events.map((e) => e.id)).toEqual(['4-0', '5-0']);
    await n.stop();
  });

  it('gives another actor nothing', async () => {
    const n = await indexWith({}, 3);
    expect((await n.replay(DOCTOR, '0-0')).events).toEqual([]);
    await n.stop();
  });

  it("files a grant to an organisation under the org's key, and prunes it like an actor's", async () => {
    const n = await indexWith({ retainBlocks: 2, maxReplay: 10 }, 5, true);
    const r = await n.replay('org:hosp-a', '1-0');
    expect(r.reset?.reason).toBe('too_old');
    // Only the retained blocks' events are left under the key: the old ones were pruned.
    expect(r.events.map((e) => [e.id, e.type, e.as])).toEqual([
      ['4-1', 'grant.given', 'grantee'],
      ['5-1', 'grant.given', 'grantee'],
    ]);
    await n.stop();
  });

  it('survives a restart of the index', async () => {
    const n = await indexWith({}, 3);
    await n.stop();
    const again = await Notifier.open(defaultNotifyOptions, {
      dataDir: dir,
      query: () => null,
      blocks: { latestHeight: () => 3, getBlock: async () => undefined, getReceipts: async () => undefined },
      log: silentLogger(),
    });
    expect(again.height).toBe(3);
    expect((await again.replay(PATIENT, '1-0')).events.map((e) => e.id)).toEqual(['2-0', '3-0']);
    await again.stop();
  });
});
