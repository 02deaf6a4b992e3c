import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sha256Into } from '../../../vm/exec-types.js';
import { MemoryState } from '../../../vm/journal.js';
import { type CallParams, callContract, deployContract } from '../../../vm/runtime.js';
import { ALICE, compileOk } from './helpers.js';

// Hashes its arg, the caller, and the arg again; stores the last digest.
const HASHER = `
  map last: bytes -> bytes;
  export fn h(b: bytes) -> bytes {
    let d = sha256(b);
    last["d"] = d;
    return concat(d, concat(sha256(caller()), sha256(b)));
  }
`;
const nodeSha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const hostSha256: Sha256Into = (out, data) => out.set(nodeSha256(data));

function deployed(): { state: MemoryState; id: Uint8Array } {
  const state = new MemoryState();
  const d = deployContract(state, compileOk(HASHER));
  if (!d.ok) throw new Error('deploy');
  return { state, id: d.id };
}

const call = (id: Uint8Array, arg: Uint8Array, caller: Uint8Array, host?: Sha256Into): CallParams => ({
  contract: id,
  method: 'h',
  args: [arg],
  caller,
  height: 1,
  time: 1,
  gasLimit: 1_000_000,
  sha256Into: host,
});

describe('SHA256 through the host hasher', () => {
  it('gives the results, gas and writes of the built-in sha256 for inputs of any length', () => {
    for (const n of [0, 1, 32, 64, 65, 300, 5000, 65_535]) {
      const arg = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      const a = deployed();
      const b = deployed();
      const own = callContract(a.state, call(a.id, arg, ALICE));
      const host = callContract(b.state, call(b.id, arg, ALICE, hostSha256));
      expect(host).toEqual(own);
      expect(b.state.entries()).toEqual(a.state.entries());
      const d = nodeSha256(arg);
      expect(host.returnData).toEqual(new Uint8Array([...d, ...nodeSha256(ALICE), ...d]));
    }
  });

  it('hashes the caller bytes of each call, even when the caller array is reused with new bytes', () => {
    const { state, id } = deployed();
    const caller = new Uint8Array(32).fill(1);
    const first = callContract(state, call(id, caller, caller, hostSha256));
    caller.fill(2);
    const second = callContract(state, call(id, caller, caller, hostSha256));
    expect(first.returnData.subarray(32, 64)).toEqual(nodeSha256(new Uint8Array(32).fill(1)));
    expect(second.returnData.subarray(0, 32)).toEqual(nodeSha256(new Uint8Array(32).fill(2)));
    expect(second.returnData.subarray(32, 64)).toEqual(nodeSha256(new Uint8Array(32).fill(2)));
  });
});
