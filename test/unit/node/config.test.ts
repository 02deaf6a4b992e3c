import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseNodeConfig } from '../../../node/config/config.js';
import { defaultNodeOptions } from '../../../node/options.js';

const base = { name: 'n1', chainId: 'c', http: { port: 8080 }, p2p: { listen: ['/ip4/127.0.0.1/tcp/0'] } };
const parse = (extra: Record<string, unknown>) => parseNodeConfig({ ...base, ...extra }, '/home/n1');

/** `config.json` leaves: [section, dotted key, default]. */
function leaves(obj: object, prefix = ''): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]): [string, unknown][] =>
    typeof v === 'object' && v !== null ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

describe('config.json maps onto the node options in one place', () => {
  it('a file with only the required keys gives every default', () => {
    const c = parse({});
    expect(c.options).toEqual({ ...defaultNodeOptions, http: { ...defaultNodeOptions.http, port: 8080 } });
  });

  it('a section overrides only the keys it names', () => {
    const c = parse({ block: { maxTxs: 10 }, records: { blobs: { quotaBytes: 5 } } });
    expect(c.options.block).toEqual({ ...defaultNodeOptions.block, maxTxs: 10 });
    expect(c.options.records.blobs).toEqual({ ...defaultNodeOptions.records.blobs, quotaBytes: 5 });
    expect(c.options.records.replicas).toBe(defaultNodeOptions.records.replicas);
  });

  it('notify.webhooks are taken as given once valid', () => {
    const hook = { url: 'http://127.0.0.1:9/h', secret: 's'.repeat(16), events: ['record.read'] };
    expect(parse({ notify: { webhooks: [hook] } }).options.notify.webhooks).toEqual([hook]);
  });

  it('the old raft key names electionTicks and heartbeatTicks still work', () => {
    const c = parse({ raft: { electionTicks: 20, heartbeatTicks: 2 } });
    expect(c.options.raft.electionTick).toBe(20);
    expect(c.options.raft.heartbeatTick).toBe(2);
  });

  it.each([
    ['an unknown section', { bogus: {} }, 'config.bogus: unknown field'],
    [
      'an unknown key in a section',
      { raft: { electionTimeout: 5 } },
      'config.raft.electionTimeout: unknown field',
    ],
    ['a negative number', { mempool: { maxTxs: -1 } }, 'config.mempool.maxTxs: expected a positive integer'],
    [
      'zero where zero is not off',
      { block: { maxTxs: 0 } },
      'config.block.maxTxs: expected a positive integer',
    ],
    [
      'a string for a number',
      { tx: { maxGasLimit: '10' } },
      'config.tx.maxGasLimit: expected a positive integer',
    ],
    [
      'a word not allowed',
      { verifier: { mode: 'gpu' } },
      'config.verifier.mode: expected one of sync, async, workers',
    ],
    ['a number for a section', { records: { blobs: 3 } }, 'config.records.blobs: expected an object'],
    [
      'a webhook URL that is not http(s)',
      { notify: { webhooks: [{ url: 'ftp://x', secret: 'x'.repeat(16) }] } },
      'config.notify.webhooks[0].url: expected an http(s) URL',
    ],
    [
      'a webhook secret under 16 characters',
      { notify: { webhooks: [{ url: 'https://his.example/h', secret: 'short' }] } },
      'config.notify.webhooks[0].secret: expected 16 characters or more',
    ],
    [
      'a webhook filter naming an unknown event type',
      { notify: { webhooks: [{ url: 'https://his.example/h', secret: 'x'.repeat(16), events: ['x'] }] } },
      'config.notify.webhooks[0].events',
    ],
    [
      'both names of one raft key',
      { raft: { electionTicks: 2, electionTick: 3 } },
      'both electionTicks and electionTick',
    ],
  ])('refuses %s with config_invalid and the key', (_why, extra, message) => {
    let err: unknown;
    try {
      parse(extra);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config_invalid');
    expect((err as ConfigError).message).toContain(message);
  });

  it('zero is accepted where it means off', () => {
    const c = parse({ http: { port: 0, maxEventLoopDelayMs: 0 }, raft: { maxApplyBacklog: 0 } });
    expect(c.options.http.maxEventLoopDelayMs).toBe(0);
    expect(c.options.raft.maxApplyBacklog).toBe(0);
  });
});

describe('docs/config.md', () => {
  const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');
  /** The rows of the table under the heading that names `section`. */
  const rows = (section: string): Map<string, string> => {
    const at = doc.indexOf(`## \`${section}\``);
    if (at < 0) return new Map();
    const end = doc.indexOf('\n## ', at + 1);
    const body = doc.slice(at, end < 0 ? undefined : end);
    const out = new Map<string, string>();
    for (const m of body.matchAll(/^\| `([a-zA-Z.]+)` \| ([^|]+) \|/gm)) out.set(m[1]!, m[2]!.trim());
    return out;
  };

  it.each(Object.keys(defaultNodeOptions))('lists every option of %s with its default', (section) => {
    const table = rows(section);
    const opts = defaultNodeOptions[section as keyof typeof defaultNodeOptions];
    for (const [key, value] of leaves(opts)) {
      const documented = table.get(key);
      expect(documented, `${section}.${key} is not in docs/config.md`).toBeDefined();
      const first = documented?.split(' ')[0]?.replace(/`/g, '');
      expect(first, `${section}.${key}: docs say ${documented}, code says ${String(value)}`).toBe(
        String(value),
      );
    }
  });
});
