/**
 * The validity rules of a committed block (node/blocks/rules.ts): every node runs them on the same
 * entry and tip, so each refusal is a scenario here, one row per code, plus blocks that pass.
 */
import { describe, expect, it } from 'vitest';
import { type BlockRuleInput, type BlockVerdict, checkBlock } from '../../../node/blocks/rules.js';
import type { Block } from '../../../protocol/chain/types.js';
import { CHAIN_ID, genesisTip, makeBlock, makeTx, testSigner } from './fixtures.js';

const validator = testSigner(50).publicKey;

/** A rule input that passes, with `over` replacing any part of it. */
function input(block: Block, over: Partial<BlockRuleInput> = {}): BlockRuleInput {
  return {
    block,
    entryTerm: block.header.term,
    chainId: CHAIN_ID,
    tip: genesisTip,
    isValidator: (pk) => Buffer.from(pk).equals(Buffer.from(validator)),
    signatureOk: true,
    txSignaturesOk: block.txs.map(() => true),
    ...over,
  };
}

const code = (v: BlockVerdict): string => (v.ok ? 'ok' : v.code);
const tx1 = makeTx(1, 0);
const tx2 = makeTx(2, 0);

const refusals: ReadonlyArray<{ code: string; why: string; input: () => BlockRuleInput }> = [
  {
    code: 'wrong_chain',
    why: 'the header names another chain',
    input: () => input(makeBlock({ chainId: 'other-chain' }), { chainId: CHAIN_ID }),
  },
  {
    code: 'bad_height',
    why: 'the height skips one above the tip',
    input: () => input(makeBlock({ height: 2 })),
  },
  {
    code: 'bad_height',
    why: 'the height repeats the tip',
    input: () => input(makeBlock({ height: 0 })),
  },
  {
    code: 'bad_parent',
    why: 'the parent hash is not the tip hash',
    input: () => input(makeBlock({ parentHash: new Uint8Array(32).fill(9) })),
  },
  {
    code: 'bad_term',
    why: 'the header term differs from the term of the Raft entry that carried it',
    input: () => input(makeBlock({ term: 3 }), { entryTerm: 4 }),
  },
  {
    code: 'bad_time',
    why: 'the time is before the parent block time',
    input: () => input(makeBlock({ time: genesisTip.time - 1 })),
  },
  {
    code: 'bad_state_height',
    why: 'the state height is not below the block height',
    input: () => input(makeBlock({ stateHeight: 1 })),
  },
  {
    code: 'not_validator',
    why: 'the proposer is not a validator in applied state',
    input: () => input(makeBlock({}, [], testSigner(51))),
  },
  {
    code: 'bad_signature',
    why: 'the proposer signature does not verify',
    input: () => input(makeBlock(), { signatureOk: false }),
  },
  {
    code: 'bad_shape',
    why: 'a tx appears twice',
    input: () => input(makeBlock({}, [tx1, tx1])),
  },
  {
    code: 'bad_shape',
    why: 'a tx is for another chain',
    input: () => input(makeBlock({}, [makeTx(1, 0, { chainId: 'other-chain' })])),
  },
  {
    code: 'bad_shape',
    why: 'the tx root does not match the txs',
    input: () => {
      const b = makeBlock({}, [tx1, tx2]);
      return input({ ...b, txs: [tx2, tx1] });
    },
  },
  {
    code: 'bad_tx_signature',
    why: 'one tx signature does not verify',
    input: () => input(makeBlock({}, [tx1, tx2]), { txSignaturesOk: [true, false] }),
  },
];

const accepted: ReadonlyArray<{ why: string; input: () => BlockRuleInput }> = [
  { why: 'an empty block extending the tip', input: () => input(makeBlock()) },
  { why: 'a block of txs extending the tip', input: () => input(makeBlock({}, [tx1, tx2])) },
  {
    why: 'a block with the same time as its parent',
    input: () => input(makeBlock({ time: genesisTip.time })),
  },
  {
    why: 'a block whose state root lags several blocks behind (pipelining)',
    input: () => {
      const tip = { height: 5, hash: new Uint8Array(32).fill(5), time: genesisTip.time };
      return input(makeBlock({ height: 6, parentHash: tip.hash, stateHeight: 2 }), { tip });
    },
  },
];

describe('checkBlock refuses', () => {
  it.each(refusals)('$code when $why', (row) => {
    const v = checkBlock(row.input());
    expect(code(v)).toBe(row.code);
    expect(v.ok ? '' : v.message).not.toBe('');
  });

  it('every refusal code of the verdict type has a row', () => {
    const codes: Record<Exclude<BlockVerdict, { ok: true }>['code'], true> = {
      wrong_chain: true,
      bad_height: true,
      bad_parent: true,
      bad_term: true,
      bad_time: true,
      not_validator: true,
      bad_signature: true,
      bad_shape: true,
      bad_tx_signature: true,
      bad_state_height: true,
    };
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(Object.keys(codes)));
  });

  it('with the first broken rule in the fixed order when several break', () => {
    const both = input(makeBlock({ height: 2, term: 7 }), { entryTerm: 1, signatureOk: false });
    expect(code(checkBlock(both))).toBe('bad_height');
    const late = input(makeBlock({ term: 7 }), { entryTerm: 1, signatureOk: false });
    expect(code(checkBlock(late))).toBe('bad_term');
  });
});

describe('checkBlock accepts', () => {
  it.each(accepted)('$why', (row) => {
    expect(checkBlock(row.input())).toEqual({ ok: true });
  });
});

describe('the timeAdvances feature switch (genesis features)', () => {
  const sameMs = () => makeBlock({ time: genesisTip.time });
  // height of the block is 1; the switch's activation height against it, and the verdict.
  it.each([
    ['absent', undefined, 'ok'],
    ['activating above the block', { timeAdvances: 2 }, 'ok'],
    ['activating at the block', { timeAdvances: 1 }, 'bad_time'],
  ] as const)('a block in its parent’s millisecond, switch %s: %s', (_name, features, want) => {
    const over = features === undefined ? {} : { features };
    expect(code(checkBlock(input(sameMs(), over)))).toBe(want);
  });

  it('a block after its parent’s millisecond passes once active', () => {
    const later = makeBlock({ time: genesisTip.time + 1 });
    expect(code(checkBlock(input(later, { features: { timeAdvances: 1 } })))).toBe('ok');
  });
});
