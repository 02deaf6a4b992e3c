/**
 * Contracts deployed by transaction on a real network: the deploy tx stores the validated code
 * under its hash (the contract id), calls by id run it on every validator, read-only queries run
 * the same code without a transaction, and a second deploy of the same code is refused.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { fromHex } from '../../../protocol/chain/encoding.js';
import { decodeInt, encodeInt } from '../../../vm/abi.js';
import { compile } from '../../../vm/compiler/index.js';
import { createNetwork, type Network } from '../../helpers/network.js';

const COUNTER = `
map counter: bytes -> int;

export fn add(by: int) -> int {
  require(by > 0, "not_positive");
  let v = counter["n"] + by;
  counter["n"] = v;
  return v;
}

export fn get() -> int {
  return counter["n"];
}
`;

describe('contracts deployed and called by transaction (3 validators)', () => {
  let net: Network;
  let account: Account;
  let id = '';

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
    account = new Account(new Uint8Array(randomBytes(32)), net.chainId);
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it('deploys compiled code; the contract id is returned and the deploy is an event', async () => {
    const c = compile(COUNTER);
    if (!c.ok) throw new Error('test contract does not compile');
    const tx = await account.call(net.node(0).client, 'vm', 'deploy', [c.code], { timeoutMs: 30_000 });
    expect(tx.receipt?.status, tx.receipt?.error).toBe('ok');
    id = tx.receipt!.returnData;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(tx.receipt!.events.map((e) => e.name)).toEqual(['contract_deployed']);

    const again = await account.call(net.node(1).client, 'vm', 'deploy', [c.code], { timeoutMs: 30_000 });
    expect(again.receipt?.status).toBe('reverted');
    expect(again.receipt?.error).toBe('already_deployed');
  });

  it('refuses bytecode that does not validate, charging gas', async () => {
    const tx = await account.call(net.node(2).client, 'vm', 'deploy', [new Uint8Array([0xff, 0x00, 0x13])], {
      timeoutMs: 30_000,
    });
    expect(tx.receipt?.status).toBe('reverted');
    expect(tx.receipt?.error).toBe('invalid_code');
    expect(tx.receipt?.gasUsed).toBeGreaterThan(0);
  });

  it('calls it by id through any node, and every node answers the query identically', async () => {
    for (const [i, by] of [5, 7].entries()) {
      const tx = await account.call(net.node(i).client, id, 'add', [encodeInt(by)], { timeoutMs: 30_000 });
      expect(tx.receipt?.status, tx.receipt?.error).toBe('ok');
    }
    const bad = await account.call(net.node(2).client, id, 'add', [encodeInt(0)], { timeoutMs: 30_000 });
    expect(bad.receipt?.error).toBe('not_positive');
    await net.waitHeight((await net.node(0).status()).height);
    const answers = await Promise.all(net.nodes.map((n) => n.client.query(id, 'get')));
    for (const a of answers) expect(decodeInt(fromHex(a.returnData))).toBe(12);
    // A query runs the same metered code: it reports the gas it burnt, the same on every node.
    expect(answers[0]!.gasUsed).toBeGreaterThan(0);
    expect(new Set(answers.map((a) => a.gasUsed)).size).toBe(1);
  });

  it('an unknown contract id is a 404 on query and a reverted receipt on call', async () => {
    const unknown = '11'.repeat(32);
    await expect(net.node(0).client.query(unknown, 'get')).rejects.toMatchObject({
      status: 404,
      code: 'unknown_contract',
    });
    const tx = await account.call(net.node(0).client, unknown, 'get', [], { timeoutMs: 30_000 });
    expect(tx.receipt?.error).toBe('unknown_contract');
  });
});
