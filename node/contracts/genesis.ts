/**
 * Genesis: the hash that names a chain and the state it starts from: the validator set (in state,
 * under the state root), and the consent contract deployed and initialised with the governance
 * identity, so that only an approved governance action can add organisations.
 */
import { createHash } from 'node:crypto';
import { fromHex } from '../../protocol/chain/encoding.js';
import { type ConsentCall, encodeOp } from '../../vm/consent/abi.js';
import { consentCode } from '../../vm/consent/index.js';
import { callContract, deployNamedContract } from '../../vm/runtime.js';
import type { Genesis } from '../config/config.js';
import { JournaledState } from '../state/journal.js';
import { contractPrefix } from '../state/keys.js';
import { GOVERNANCE_IDENTITY, writeValidators } from '../state/validators.js';
import type { StateWrite } from '../state/view.js';
import { PrefixedView } from '../state/view.js';
import { WorldState } from '../state/world.js';
import { VM_SPACE } from './vm.js';

/** sha256 of the genesis in a fixed field order: every node of a chain computes the same hash. */
export function genesisHash(g: Genesis): Uint8Array {
  const canonical = JSON.stringify({
    chainId: g.chainId,
    time: g.time,
    validators: g.validators.map((v) => ({ name: v.name, publicKey: v.publicKey, p2p: v.p2p, http: v.http })),
    organisations: g.organisations.map((o) => ({
      id: o.id,
      kind: o.kind,
      adminKey: o.adminKey,
      adminCert: o.adminCert,
    })),
    // Only when set, so the hash of a chain made before feature switches is unchanged; sorted so
    // the file's key order does not matter. Nodes that disagree on a switch refuse each other's store.
    ...(g.features === undefined
      ? {}
      : { features: Object.entries(g.features).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) }),
  });
  return new Uint8Array(createHash('sha256').update(canonical).digest());
}

/** Contracts deployed at genesis, by name: bytecode compiled from the project's sources. */
export type GenesisContracts = Readonly<Record<string, Uint8Array>>;

/** The contracts every chain starts with: the consent contract, compiled from vm/consent. */
function defaultGenesisContracts(): GenesisContracts {
  return { consent: consentCode() };
}

/** The state writes of height 0. */
export function genesisWrites(
  g: Genesis,
  contracts: GenesisContracts = defaultGenesisContracts(),
): StateWrite[] {
  const state = new JournaledState(new WorldState());
  writeValidators(
    state,
    g.validators.map((v) => ({ publicKey: fromHex(v.publicKey), name: v.name, p2p: v.p2p, http: v.http })),
  );
  const vm = new PrefixedView(state, contractPrefix(VM_SPACE));
  for (const [name, code] of Object.entries(contracts)) {
    const d = deployNamedContract(vm, name, code);
    if (!d.ok) throw new Error(`genesis: cannot deploy ${name}: ${d.error}`);
  }
  if (contracts.consent !== undefined) {
    // Genesis calls run at height 0, block time = genesis time; a revert means a broken genesis.
    const run = (caller: Uint8Array, call: ConsentCall, what: string) => {
      const r = callContract(vm, {
        contract: 'consent',
        method: call.method,
        args: call.args,
        caller,
        height: 0,
        time: g.time,
        gasLimit: 10_000_000,
      });
      if (r.status !== 'ok') throw new Error(`genesis: ${what} reverted: ${r.error}`);
    };
    run(GOVERNANCE_IDENTITY, { method: 'init', args: [GOVERNANCE_IDENTITY] }, 'consent init');
    for (const o of g.organisations) {
      run(
        GOVERNANCE_IDENTITY,
        encodeOp({ op: 'addOrg', org: o.id, kind: o.kind, adminKey: o.adminKey, adminCertHash: o.adminCert }),
        `addOrg ${o.id}`,
      );
    }
    // Validator i is the serving node (role `node`) of organisation i (cli/init makes one hospital
    // per validator), registered by that organisation's first admin: its key signs the
    // `recordReads` transactions that put the reads it serves on chain.
    for (const [i, v] of g.validators.entries()) {
      const o = g.organisations[i];
      if (o === undefined) continue;
      const certHash = createHash('sha256').update(fromHex(v.publicKey)).digest('hex');
      run(
        fromHex(o.adminKey),
        encodeOp({ op: 'registerActor', publicKey: v.publicKey, role: 'node', certHash, licenceExpiry: 0 }),
        `registering ${v.name} as node of ${o.id}`,
      );
    }
  }
  return state.writes();
}
