/**
 * DiskGuard's refusing mode (`tryWrite`, used by the blob store): a write that fails for lack of
 * space, and every write after it until the probe has reopened the database, is refused with
 * `disk_full` instead of waiting; other errors pass through.
 */
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskGuard } from '../../../node/store/health.js';
import { waitFor } from '../../helpers/wait.js';

const enospc = () =>
  Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' });

describe('DiskGuard.tryWrite refuses while the disk is full', () => {
  let guard: DiskGuard | undefined;
  afterEach(() => guard?.close());

  it('refuses the failing write and the next ones with disk_full, then takes writes after the reopen', async () => {
    let reopens = 0;
    let room!: () => void;
    const roomReturns = new Promise<void>((r) => (room = r));
    // The reopen (the probe's, once there is room) waits until the test says space is back.
    guard = new DiskGuard(
      async () => {
        await roomReturns;
        reopens++;
      },
      tmpdir(),
      { probeMs: 10, resumeFreeBytes: 0 },
    );
    const g = guard;
    await expect(
      g.tryWrite(async () => {
        throw enospc();
      }),
    ).rejects.toMatchObject({ code: 'disk_full' });
    let ran = false;
    const write = async () => {
      ran = true;
    };
    await expect(g.tryWrite(write)).rejects.toMatchObject({ code: 'disk_full' });
    expect(ran).toBe(false);
    room();
    await waitFor(async () => !g.full, 'the probe to reopen', 5_000);
    expect(reopens).toBe(1);
    await g.tryWrite(write);
    expect(ran).toBe(true);
  });

  it('passes other errors through without entering the full state', async () => {
    guard = new DiskGuard(async () => undefined, tmpdir(), { probeMs: 10_000 });
    const g = guard;
    await expect(
      g.tryWrite(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(g.full).toBe(false);
  });

  it('refuses a write that succeeded while another failed beside it (it may sit behind a torn record)', async () => {
    guard = new DiskGuard(async () => undefined, tmpdir(), { probeMs: 10_000 });
    const g = guard;
    let release!: () => void;
    const slow = g.tryWrite(() => new Promise<void>((r) => (release = r)));
    await expect(
      g.tryWrite(async () => {
        throw enospc();
      }),
    ).rejects.toMatchObject({ code: 'disk_full' });
    release();
    await expect(slow).rejects.toMatchObject({ code: 'disk_full' });
  });
});
