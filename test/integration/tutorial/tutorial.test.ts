/**
 * docs/tutorial.md cannot rot: its ```sh blocks, exactly as written, run in one bash session
 * against a fresh 3-validator network, with only EHR (the network directory, as the devnet's)
 * and URL (node 1) set in the environment, which the doc itself reads.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, ROOT } from '../../helpers/network.js';

/** The ```sh blocks of a markdown file, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('docs/tutorial.md, run as written', () => {
  let net: Network;
  const blocks = shellBlocks(readFileSync(join(ROOT, 'docs', 'tutorial.md'), 'utf8'));

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc', chainId: 'ehrchain-devnet' });
    await net.waitLeader();
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it('has the steps of the walkthrough', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(blocks.join('\n')).toContain('ehrchain consent approve');
  });

  it('runs every command to the end, and the trail shows the doctor read the record', async () => {
    const r = await bash(blocks.join('\n'), { EHR: net.dir, URL: net.node(0).url });
    if (r.code !== 0) console.error(r.out, await net.diagnose());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^registered doctor [0-9a-f]{64}/m);
    expect(r.out).toMatch(/^request \d+ {2}open$/m);
    expect(r.out).toMatch(/approved: grant \d+, read,write for treatment on categories:lab /);
    expect(r.out).toContain('synthetic glucose');
    expect(r.out).toMatch(/no_write_access[\s\S]*refused, as the patient decided/);
    expect(r.out).toMatch(/read +by [0-9a-f]{16}… for treatment \(granted\)/);
  }, 240_000);

  it('a refusal prints the reason as a sentence and exits 1; --json gives code and sentence', async () => {
    const key = join(net.dir, 'keys', 'admin-hospital-1.json');
    const cmd = `node bin/ehrchain.mjs consent approve --key ${key} --url ${net.node(1).url} --request 424242`;
    const text = await bash(cmd, {});
    expect(text.code).toBe(1);
    expect(text.out).toContain("refused: The signer's role or organisation does not allow this operation");
    expect(text.out).toContain('(unauthorised)');
    const json = await bash(`${cmd} --json`, {});
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'unauthorised', method: 'approveRequest' } });
  }, 60_000);
});
