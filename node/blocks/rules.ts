/**
 * The deterministic validity rules of a committed block. Every node runs them on the same committed
 * entry with the same chain tip and reaches the same verdict, so an invalid block is skipped
 * everywhere alike and never splits state.
 */
import { bytesEqual, toHex } from '../../protocol/chain/encoding.js';
import { isChainError } from '../../protocol/chain/errors.js';
import { type ChainFeatures, isFeatureActive } from '../../protocol/chain/features.js';
import type { Block, BlockHeader } from '../../protocol/chain/types.js';
import { checkBlockShape } from './tx-root.js';

/** The applied chain tip a block must extend. */
export interface ChainTip {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly time: number;
}

export type BlockVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code:
        | 'wrong_chain'
        | 'bad_height'
        | 'bad_parent'
        | 'bad_term'
        | 'bad_time'
        | 'not_validator'
        | 'bad_signature'
        | 'bad_shape'
        | 'bad_tx_signature'
        | 'bad_state_height';
      readonly message: string;
    };

export interface BlockRuleInput {
  readonly block: Block;
  /** Term of the Raft entry that carried the block. */
  readonly entryTerm: number;
  readonly chainId: string;
  readonly tip: ChainTip;
  readonly isValidator: (publicKey: Uint8Array) => boolean;
  readonly signatureOk: boolean;
  /** Signature verdict per tx, in block order. */
  readonly txSignaturesOk: readonly boolean[];
  /** The chain's feature switches (genesis `features`); absent: none active. */
  readonly features?: ChainFeatures;
}

function fail(code: Exclude<BlockVerdict, { ok: true }>['code'], message: string): BlockVerdict {
  return { ok: false, code, message };
}

/** Applies the rules in a fixed order and returns the first that fails. */
export function checkBlock(input: BlockRuleInput): BlockVerdict {
  const h: BlockHeader = input.block.header;
  if (h.chainId !== input.chainId) return fail('wrong_chain', `block for ${h.chainId}`);
  if (h.height !== input.tip.height + 1)
    return fail('bad_height', `height ${h.height} after ${input.tip.height}`);
  if (!bytesEqual(h.parentHash, input.tip.hash)) return fail('bad_parent', `parent ${toHex(h.parentHash)}`);
  // Only the leader of a term creates entries of that term, so the header's term must be the entry's.
  if (h.term !== input.entryTerm)
    return fail('bad_term', `header term ${h.term}, entry term ${input.entryTerm}`);
  if (h.time < input.tip.time) return fail('bad_time', `time ${h.time} before parent ${input.tip.time}`);
  if (h.time === input.tip.time && isFeatureActive(input.features, 'timeAdvances', h.height))
    return fail('bad_time', `time ${h.time} equals its parent's (timeAdvances)`);
  if (h.stateHeight >= h.height) return fail('bad_state_height', `state height ${h.stateHeight}`);
  if (!input.isValidator(h.proposer)) return fail('not_validator', `proposer ${toHex(h.proposer)}`);
  if (!input.signatureOk) return fail('bad_signature', 'proposer signature does not verify');
  try {
    checkBlockShape(input.block);
  } catch (err) {
    if (isChainError(err)) return fail('bad_shape', err.message);
    throw err;
  }
  const bad = input.txSignaturesOk.indexOf(false);
  if (bad >= 0) return fail('bad_tx_signature', `tx ${bad} signature does not verify`);
  return { ok: true };
}
