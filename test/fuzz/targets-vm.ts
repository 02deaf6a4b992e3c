/**
 * VM targets: random and mutated bytecode (validate, and when valid deploy and call an export with
 * random args and gas), and random calls of the consent contract on a populated state. The VM
 * returns failures as results: validateCode and callContract must never throw, a call stops within
 * its gas, and a revert carries a reason code.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { encodeInt, packFields } from '../../vm/abi.js';
import { assemble } from '../../vm/asm.js';
import { CONSENT_GAS_LIMIT, ConsentContract } from '../../vm/consent/contract.js';
import { compileConsent, consentCode } from '../../vm/consent/index.js';
import { MemoryState } from '../../vm/journal.js';
import { callContract, deployContract } from '../../vm/runtime.js';
import { validateCode } from '../../vm/validate.js';
import { typedProgram } from '../helpers/vm-programs.js';
import { contractEngine, DAY, keyOf, type Name, rec, T0, World } from '../unit/consent/world.js';
import { below, inputFrom, pick, type Rand, randomBytes } from './gen.js';
import { type FuzzTarget, invariant } from './target.js';

const REASON = /^[a-z][a-z0-9_]*$/;

function checkResult(r: ReturnType<typeof callContract>, gasLimit: number): boolean {
  invariant(r.status === 'ok' || r.status === 'reverted', `status ${String(r.status)}`);
  invariant(r.gasUsed >= 0 && r.gasUsed <= gasLimit, `gas ${r.gasUsed} of ${gasLimit}`);
  if (r.status === 'reverted')
    invariant(typeof r.error === 'string' && REASON.test(r.error), `reason ${r.error}`);
  return r.status === 'ok';
}

const INTS = [0, 1, 2, 3, 7, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];

function randomArg(r: Rand): Uint8Array {
  switch (below(r, 4)) {
    case 0:
      return encodeInt(pick(r, INTS));
    case 1:
      return packFields([randomBytes(r, 40), pick(r, INTS)]);
    default:
      return randomBytes(r, 48);
  }
}

/** Random and mutated modules (the consent contract's own bytecode is the main seed). */
function bytecodeTarget(): FuzzTarget {
  const seeds = [consentCode()];
  return {
    name: 'vm-bytecode',
    weight: 2,
    run(r) {
      const code = inputFrom(r, seeds, 2048);
      const v = validateCode(code);
      if (!v.ok) {
        invariant(typeof v.error.message === 'string', 'validation error without a message');
        return false;
      }
      const st = new MemoryState();
      const d = deployContract(st, code);
      if (!d.ok) return false;
      const names = [...v.program.exports.keys()];
      const gasLimit = below(r, 200_000);
      const fn = names.length > 0 ? pick(r, names) : 'none';
      const nargs = below(r, 4);
      const res = callContract(st, {
        contract: d.id,
        method: fn,
        args: Array.from({ length: nargs }, () => randomArg(r)),
        caller: randomBytes(r, 33),
        height: 1,
        time: T0,
        gasLimit,
      });
      return checkResult(res, gasLimit);
    },
  };
}

/**
 * Well-typed programs (test/helpers/vm-programs.ts), which the verifier accepts and which run deep,
 * called as generated (half) or after 1-4 byte mutations of the module (the other half).
 */
function typedTarget(): FuzzTarget {
  return {
    name: 'vm-typed',
    weight: 3,
    run(r) {
      const p = typedProgram(r);
      const code = assemble(p.funcs);
      const mutated = r() < 0.5;
      if (mutated) {
        for (let i = 1 + below(r, 4); i > 0; i--) code[below(r, code.length)] = below(r, 256);
      }
      const v = validateCode(code);
      if (!v.ok) {
        invariant(mutated, `a generated program failed verification: ${v.error.message}`);
        return false;
      }
      const st = new MemoryState();
      const d = deployContract(st, code);
      if (!d.ok) return false;
      const gasLimit = r() < 0.1 ? below(r, 5_000) : 2_000_000;
      const res = callContract(st, {
        contract: d.id,
        method: p.method,
        args: p.args,
        caller: randomBytes(r, 33),
        height: 1,
        time: T0,
        gasLimit,
      });
      if (!mutated && res.status === 'reverted')
        invariant(
          !['stack_underflow', 'type_mismatch', 'bad_args', 'no_such_method'].includes(res.error ?? ''),
          `a well-typed program trapped on ${res.error}`,
        );
      return checkResult(res, gasLimit);
    },
  };
}

/** Random calls of every consent method, by registered and unknown callers, on a seeded world. */
function consentTarget(): FuzzTarget {
  const compiled = compileConsent();
  if (!compiled.ok) throw new Error('consent.ehr does not compile');
  const methods = compiled.abi.methods;
  const c = new ConsentContract(new MemoryState(), consentCode(), keyOf('gov'));
  const w = new World(contractEngine(c)).standard();
  const signers: Name[] = ['pat', 'mum', 'drA1', 'drB1', 'ins1', 'adminA', 'gov', 'stranger'];
  const ids = [...signers.map((n) => w.id(n)), rec('lab1'), rec('mh1')].map((h) => hexToBytes(h));
  const ints = [0, 1, 2, 3, 4, 7, 15, -1, T0, T0 + DAY, Number.MAX_SAFE_INTEGER];
  return {
    name: 'vm-consent-calls',
    weight: 2,
    run(r) {
      const m = pick(r, methods);
      const args = m.params.map((p) => {
        const roll = r();
        if (roll < 0.1) return randomBytes(r, 12);
        if (p.type === 'int') return encodeInt(pick(r, ints));
        if (roll < 0.5) return pick(r, ids);
        if (roll < 0.7)
          return packFields(
            [pick(r, ids), encodeInt(pick(r, ints)), randomBytes(r, 4)].slice(0, 1 + below(r, 3)),
          );
        return pick(r, [new Uint8Array(0), new TextEncoder().encode('lab'), randomBytes(r, 40)]);
      });
      // A call that succeeds changes the state: later calls meet a world shaped by earlier ones.
      const res = callContract(c.state, {
        contract: 'consent',
        method: m.name,
        args: r() < 0.05 ? args.slice(1) : args,
        caller: hexToBytes(keyOf(pick(r, signers))),
        height: 2,
        time: T0 + below(r, 40) * DAY,
        gasLimit: CONSENT_GAS_LIMIT,
      });
      return checkResult(res, CONSENT_GAS_LIMIT);
    },
  };
}

/** The VM targets. */
export function vmTargets(): FuzzTarget[] {
  return [bytecodeTarget(), typedTarget(), consentTarget()];
}
