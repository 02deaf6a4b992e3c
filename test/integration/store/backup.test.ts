/**
 * Backup and restore of a validator, end to end with real processes: `ehrchain backup` of a running
 * follower under light load (through its admin socket), more commits, the follower stopped and its
 * data directory destroyed, `ehrchain restore`, a start: it rejoins, stays out of elections until
 * caught up, and converges with the others, with every tx committed before, during and after.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sameChain } from '../../helpers/chain-check.js';
import { presign, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network, ROOT, sleep, waitFor } from '../../helpers/network.js';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'ehrchain.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('backup and restore of a validator', () => {
  let net: Network;

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'child',
      start: false,
      config: { block: { intervalMs: 50 } },
    });
    for (const n of net.nodes) await n.start();
    await net.waitLeader();
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await net.diagnose());
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('restores a node that then rejoins and converges, no committed tx lost', async () => {
    const leader = await net.waitLeader();
    const victim = net.nodes.find((n) => n !== leader) ?? leader;
    const accepted = new Set<string>();
    // Light load: a few txs every 100 ms to every running node, until told to stop.
    let loading = true;
    const load = (async () => {
      for (let round = 0; loading && round < 600; round++) {
        const batch = presign({ chainId: net.chainId, txs: 4, senders: 4, label: `bk-${round}` });
        const r = await submitAll(batch, { targets: () => net.running(), concurrency: 4, timeoutMs: 20_000 });
        for (const h of r.accepted) accepted.add(h);
        await sleep(100);
      }
    })();
    await waitFor(() => accepted.size >= 40, 'some load committed', 60_000);

    const out = join(net.dir, 'backups');
    await mkdir(out);
    const b = cli(['backup', '--home', victim.home, '--out', out]);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const summary = JSON.parse(b.stdout) as {
      file: string;
      online: boolean;
      height: number;
      entries: number;
    };
    expect(summary.online).toBe(true);
    expect(summary.height).toBeGreaterThan(0);

    await waitFor(() => accepted.size >= 120, 'more load after the backup', 60_000);
    await victim.stop();
    await rm(join(victim.home, 'data'), { recursive: true, force: true });
    await sleep(500);
    loading = false;
    await load;

    const r = cli(['restore', '--from', summary.file, '--home', victim.home]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ height: summary.height, entries: summary.entries });

    await victim.start();
    await waitFor(
      async () => (await victim.log()).includes('recovered: caught up'),
      'recovery to end',
      60_000,
    );
    await sameChain(net.nodes, 60_000);
    await net.waitCommitted(accepted, net.nodes, 60_000);
    // The leader saw the restored node reject below the match it had recorded, and handed over.
    const logs = await Promise.all(net.nodes.map((n) => n.log()));
    expect(logs.some((l) => l.includes('lost entries it had acknowledged'))).toBe(true);
  }, 300_000);
});
