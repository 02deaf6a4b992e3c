/**
 * CPU per consent transaction the way a node executes it: signed-tx bodies (signatures not
 * checked) through the registry executor (nonce, checkpoint, the VM handler on its prefixed view)
 * into a block's `JournaledState` over the `WorldState`, then staged (the state root after the
 * block) and applied. Each run executes the next of a few pre-built blocks of one kind over the
 * state the previous runs left: it starts from the same consortium and grows by one block a run.
 * Grants and anchors are the two ops most of a consent-mix run is made of; `canAccess` is the
 * read-only query the HTTP API answers. Synthetic actors and ids only.
 */
import { createVmHandler, VM_SPACE } from '../../../node/contracts/vm.js';
import { JournaledState } from '../../../node/state/journal.js';
import { contractPrefix } from '../../../node/state/keys.js';
import { createExecutor } from '../../../node/state/registry.js';
import { PrefixedView } from '../../../node/state/view.js';
import { WorldState } from '../../../node/state/world.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { type ConsentCall, encodeCanAccess, encodeOp, raw } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import { ConsentContract } from '../../../vm/consent/contract.js';
import { consentCode } from '../../../vm/consent/index.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import { DAY, HOUR, hashOf, keyOf, T0 } from '../../unit/consent/world.js';
import { growConsortium } from '../consent-consortium.js';
import type { PerfCase } from './harness.js';

const PATIENTS = 200;
const DOCTORS = 20;
/** Txs per block: one per patient. */
const BLOCK = PATIENTS;
/** Blocks built per kind: more than the harness runs (a warm-up and at most 10 rounds). */
const BLOCKS = 24;
const GAS = 10_000_000;
const CHAIN = 'bench';

const idOf = (name: string): string => actorIdOf(keyOf(name));
const docOf = (p: number) => `doc${p % DOCTORS}`;

/** A consortium: `DOCTORS` doctors, `PATIENTS` patients each with a read+write grant to its doctor. */
export function consentWorld(): WorldState {
  const world = new WorldState();
  const genesis = new JournaledState(world);
  const c = new ConsentContract(
    new PrefixedView(genesis, contractPrefix(VM_SPACE)),
    consentCode(),
    keyOf('gov'),
  );
  growConsortium(c, { doctors: DOCTORS, patients: PATIENTS });
  world.apply(genesis.writes());
  return world;
}

function txOf(signer: string, call: ConsentCall, nonce: number): SignedTx {
  const body = {
    chainId: CHAIN,
    sender: raw(keyOf(signer)),
    nonce,
    gasLimit: GAS,
    contract: 'consent',
    method: call.method,
    args: call.args,
  };
  return { body, signature: new Uint8Array(64), hash: new Uint8Array(32), bytes: new Uint8Array(0) };
}

/**
 * Block `b` of grants: patient p grants a doctor read of `lab` for TREAT, 30 days. Setup ran
 * outside the executor, so a patient's nonce is the number of grant blocks before.
 */
export function grantTxs(b: number): SignedTx[] {
  return Array.from({ length: BLOCK }, (_, p) => {
    const op: ConsentOp = {
      op: 'grant',
      patient: idOf(`p${p}`),
      grantee: { kind: 'actor', id: idOf(docOf(p + 1 + b)) },
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab'] },
      purposes: ['TREAT'],
      start: T0,
      end: T0 + 30 * DAY,
      exceptions: [],
    };
    return txOf(`p${p}`, encodeOp(op), b);
  });
}

/**
 * Block `b` of anchors: the doctor of patient p anchors version 1 of a new lab record for p, with
 * two wrapped keys. Each doctor sends BLOCK / DOCTORS txs a block.
 */
export function anchorTxs(b: number): SignedTx[] {
  return Array.from({ length: BLOCK }, (_, p) => {
    const doc = docOf(p);
    const nonce = b * (BLOCK / DOCTORS) + Math.floor(p / DOCTORS);
    const op: ConsentOp = {
      op: 'anchor',
      patient: idOf(`p${p}`),
      recordId: hashOf(`perf-record:${b}:${p}`),
      previous: 0,
      cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
      category: 'lab',
      keys: [
        { reader: idOf(`p${p}`), key: 'ab'.repeat(48) },
        { reader: idOf(doc), key: 'cd'.repeat(48) },
      ],
    };
    return txOf(doc, encodeOp(op), nonce);
  });
}

/** The consent cases: grant and anchor blocks executed, staged and applied; canAccess queries. */
export function consentCases(): PerfCase[] {
  const world = consentWorld();
  const vm = createVmHandler();
  const executor = createExecutor({ contracts: { consent: vm }, fallback: vm });
  let height = 1;
  const blocks = (name: string, make: (b: number) => SignedTx[]): PerfCase => {
    const all = Array.from({ length: BLOCKS }, (_, b) => make(b));
    let next = 0;
    return {
      name,
      ops: BLOCK,
      run: () => {
        const txs = all[next++];
        if (txs === undefined) throw new Error(`${name}: more than ${BLOCKS} runs`);
        height++;
        const ctx = { height, time: T0 + HOUR + height, proposer: new Uint8Array(32), chainId: CHAIN };
        const overlay = new JournaledState(world);
        const ex = executor.executeBlock(ctx, txs, overlay);
        for (const r of ex.receipts) if (r.status !== 'ok') throw new Error(`${name}: ${r.error}`);
        world.applyStaged(world.stage(overlay.writes()));
      },
    };
  };
  const queries = Array.from({ length: BLOCK }, (_, p) =>
    encodeCanAccess(
      idOf(docOf(p)),
      idOf(`p${p}`),
      { kind: 'category', category: 'lab' },
      'read',
      'TREAT',
      T0 + HOUR,
    ),
  );
  const canAccess: PerfCase = {
    name: 'consent canAccess query (per query)',
    ops: queries.length,
    run: () => {
      for (const q of queries) {
        const r = executor.query(world, 'consent', q.method, q.args);
        if (!r.ok) throw new Error(`canAccess: ${r.error}`);
      }
    },
  };
  return [
    blocks('consent grant tx: execute + stage + apply (per tx)', grantTxs),
    blocks('consent anchor tx: execute + stage + apply (per tx)', anchorTxs),
    canAccess,
  ];
}
