/**
 * A timer due at the very block that sets it: a grant made within 24 h of its end is announced as
 * expiring in that block (docs/notify.md: "at the first block whose time is within 24 h of its
 * end"), not at whatever block comes next, which on an idle chain may never be cut.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppliedBlock } from '../../../node/blocks/applier.js';
import { silentLogger } from '../../../node/log.js';
import { Notifier } from '../../../node/notify/notifier.js';
import { defaultNotifyOptions } from '../../../node/notify/options.js';
import type { ActorEvent } from '../../../protocol/notify.js';
import { encodeInt, packFields } from '../../../vm/abi.js';

const PATIENT = 'a'.repeat(64);
const DOCTOR = 'c'.repeat(64);
const HOUR = 3_600_000;
const T = 1_000 * HOUR;
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const enc = new TextEncoder();

/** grantInfo of grant 1: to DOCTOR (an actor), ending at `end`, not revoked. */
const grantInfo = (end: number) =>
  packFields([
    hex(PATIENT),
    hex(PATIENT),
    1,
    hex(DOCTOR),
    1,
    1,
    1,
    new Uint8Array(0),
    T - HOUR,
    end,
    new Uint8Array(0),
    new Uint8Array(0),
    T,
    -1,
  ]);

/** Block `height` at `time`, with one consent tx granting grant 1 to DOCTOR (or no tx). */
function block(height: number, time: number, withGrant: boolean): AppliedBlock {
  const audit = {
    name: 'Audit',
    data: [
      enc.encode('grant'),
      encodeInt(time),
      hex(PATIENT),
      hex(PATIENT),
      encodeInt(1),
      encodeInt(0),
      new Uint8Array([...encodeInt(1), ...hex(DOCTOR)]),
      new Uint8Array(0),
    ],
  };
  return {
    block: { header: { height, time }, txs: withGrant ? [{ body: { contract: 'consent' } }] : [] },
    receipts: withGrant ? [{ status: 'ok', events: [audit] }] : [],
  } as unknown as AppliedBlock;
}

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** The events PATIENT and DOCTOR got after indexing `blocks`, as `type/as@height`. */
async function eventsAfter(end: number, blocks: AppliedBlock[]): Promise<string[]> {
  dir = await mkdtemp(join(tmpdir(), 'notify-'));
  const n = await Notifier.open(defaultNotifyOptions, {
    dataDir: dir,
    query: (method) => (method === 'grantInfo' ? grantInfo(end) : null),
    blocks: { latestHeight: () => 0, getBlock: async () => undefined, getReceipts: async () => undefined },
    log: silentLogger(),
  });
  await n.start();
  const got: ActorEvent[] = [];
  const off = [n.subscribe(PATIENT, (e) => got.push(e)), n.subscribe(DOCTOR, (e) => got.push(e))];
  for (const b of blocks) n.onApplied(b);
  await n.idle();
  for (const o of off) o();
  await n.stop();
  return got.map((e) => `${e.type}/${e.as}@${e.height}`);
}

describe('grant.expiring for a grant made within 24 h of its end', () => {
  it('is announced in the block that made the grant', async () => {
    expect(await eventsAfter(T + 2 * HOUR, [block(1, T, true)])).toEqual([
      'grant.given/patient@1',
      'grant.given/grantee@1',
      'grant.expiring/patient@1',
      'grant.expiring/grantee@1',
    ]);
  });

  it('is announced once, not again at the next block', async () => {
    const got = await eventsAfter(T + 2 * HOUR, [block(1, T, true), block(2, T + 1000, false)]);
    expect(got.filter((e) => e.startsWith('grant.expiring'))).toEqual([
      'grant.expiring/patient@1',
      'grant.expiring/grantee@1',
    ]);
  });

  it('a grant ending later than 24 h is announced at the first block within 24 h of its end', async () => {
    const end = T + 30 * HOUR;
    const got = await eventsAfter(end, [
      block(1, T, true),
      block(2, T + 5 * HOUR, false),
      block(3, T + 7 * HOUR, false),
    ]);
    expect(got.filter((e) => e.startsWith('grant.expiring'))).toEqual([
      'grant.expiring/patient@3',
      'grant.expiring/grantee@3',
    ]);
  });
});
