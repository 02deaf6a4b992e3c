/** The backup format: a round trip restores every entry; a damaged or cut file is refused. */

import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackup, restoreBackup, writeBackup } from '../../../node/store/backup.js';

type Raw = Level<Uint8Array, Uint8Array>;
const enc = new TextEncoder();
const raw = (dir: string): Raw =>
  new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });

async function entries(db: Raw): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of db.iterator())
    out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
  return out;
}

describe('backup files', () => {
  let dir: string;
  let file: string;
  let want: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehrchain-backup-'));
    const db = raw(join(dir, 'src'));
    await db.open();
    const height = new Uint8Array(8);
    new DataView(height.buffer).setBigUint64(0, 7n);
    await db.put(enc.encode('!meta!height'), height);
    for (let i = 0; i < 2500; i++)
      await db.put(enc.encode(`!state!k${i}`), enc.encode(`v${i}`.repeat(i % 7)));
    want = await entries(db);
    file = join(dir, 'b.backup');
    const out = createWriteStream(file);
    await writeBackup(db, out);
    await new Promise<void>((r) => out.end(() => r()));
    await db.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('restores every entry, and its summary says what it holds', async () => {
    const summary = await restoreBackup(file, join(dir, 'restored'));
    expect(summary).toMatchObject({ entries: 2501, height: 7 });
    const db = raw(join(dir, 'restored'));
    await db.open();
    expect(await entries(db)).toEqual(want);
    await db.close();
  });

  it.each([
    [
      'one flipped byte',
      async (f: string) => {
        const b = await readFile(f);
        b[b.length >> 1] = (b[b.length >> 1] ?? 0) ^ 1;
        await writeFile(f, b);
      },
    ],
    ['a cut tail', async (f: string) => truncate(f, 1000)],
    [
      'bytes appended',
      async (f: string) => writeFile(f, Buffer.concat([await readFile(f), Buffer.from([0])])),
    ],
  ])('refuses a file with %s', async (_name, damage) => {
    const copy = join(dir, `damaged-${Math.random().toString(36).slice(2)}`);
    await writeFile(copy, await readFile(file));
    await damage(copy);
    await expect(readBackup(copy)).rejects.toThrow(/not a usable backup/);
  });
});
