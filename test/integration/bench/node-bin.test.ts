/**
 * `--node-bin FILE`: the local network is initialised by `FILE init` and its validators run from FILE.
 * FILE here is a symlink to this checkout's binary (a path other than the default, so the bench
 * takes the other-build path), and a real one-validator network is started from it.
 */
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NODE_BIN, LocalNetwork } from '../../../cli/bench/network/network.js';

let dir = '';
let bin = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-node-bin-'));
  bin = join(dir, 'other-build.mjs');
  await symlink(DEFAULT_NODE_BIN, bin);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bench --node-bin', () => {
  it('inits the network with FILE init, block interval included, and starts validators from FILE', async () => {
    const net = await LocalNetwork.create({
      nodes: 1,
      dir: join(dir, 'net'),
      proxy: false,
      nodeArgs: null,
      nodeBin: bin,
      blockIntervalMs: 150,
    });
    try {
      const home = net.node('node1').home;
      const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8')) as {
        chainId: string;
        block?: { intervalMs: number };
        http: { port: number };
      };
      expect(config.chainId).toBe('ehrchain-bench');
      expect(config.block).toEqual({ intervalMs: 150 });
      expect(net.node('node1').url).toBe(`http://127.0.0.1:${config.http.port}`);
      expect(net.chainId).toBe('ehrchain-bench');
      await net.start(60_000);
      const argv = (await readFile(`/proc/${net.node('node1').pid}/cmdline`, 'utf8')).split('\0');
      expect(argv).toContain(bin);
      expect(await net.leader()).toBe('node1');
    } finally {
      await net.stop(false);
    }
  });
});
