import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeInt, packFields } from '../../../vm/abi.js';
import { assemble } from '../../../vm/asm.js';
import { CONSENT_GAS_LIMIT, ConsentContract } from '../../../vm/consent/contract.js';
import { compileConsent, consentCode } from '../../../vm/consent/index.js';
import { MemoryState } from '../../../vm/journal.js';
import { callContract, deployContract } from '../../../vm/runtime.js';
import { validateCode } from '../../../vm/validate.js';
import { rawProgram, rng, typedProgram } from '../../helpers/vm-programs.js';
import { contractEngine, DAY, keyOf, type Name, rec, T0, World } from '../consent/world.js';

const RUNS = Number(process.env.VM_FUZZ_RUNS ?? 2000);

function runChecked(code: Uint8Array, method: string, args: Uint8Array[], gasLimit: number) {
  const st = new MemoryState();
  const d = deployContract(st, code);
  if (!d.ok) return null;
  const r = callContract(st, {
    contract: d.id,
    method,
    args,
    caller: new Uint8Array(32),
    height: 1,
    time: 1,
    gasLimit,
  });
  expect(['ok', 'reverted']).toContain(r.status);
  expect(r.gasUsed).toBeGreaterThanOrEqual(0);
  expect(r.gasUsed).toBeLessThanOrEqual(gasLimit);
  if (r.status === 'reverted') expect(typeof r.error).toBe('string');
  return r;
}

describe(`fuzz (${RUNS} runs; VM_FUZZ_RUNS for more)`, () => {
  it('random well-formed programs never throw and stop within their gas', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 30_000 }), (seed, gas) => {
        const { funcs, args } = rawProgram(rng(seed));
        const code = assemble(funcs);
        if (validateCode(code).ok) valid++;
        runChecked(code, 'f0', args, gas);
      }),
      { numRuns: RUNS },
    );
    expect(valid).toBeGreaterThan(RUNS / 2);
  });
  it('random byte mutations of valid modules are rejected or run safely', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (seed, flips) => {
          const code = assemble((seed % 2 === 0 ? rawProgram : typedProgram)(rng(seed)).funcs);
          for (const [at, v] of flips) code[at % code.length] = v;
          const res = validateCode(code);
          if (res.ok) runChecked(code, 'f0', [], 20_000);
          else expect(typeof res.error.message).toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
  });
  it('well-typed programs all pass the verifier and most run past their first instructions', () => {
    // Statuses by kind: ok, or a run-time trap on what the values do; never a malformed program.
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { funcs, method, args } = typedProgram(rng(seed));
        const code = assemble(funcs);
        expect(validateCode(code).ok).toBe(true);
        const r = runChecked(code, method, args, 2_000_000)!;
        const key = r.status === 'ok' ? 'ok' : (r.error ?? '?');
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        expect(['stack_underflow', 'type_mismatch', 'no_such_method', 'bad_args']).not.toContain(key);
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(RUNS / 4);
  });
  it('random bytes are rejected without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(validateCode(b).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe(`fuzz: the consent contract's methods with random args (${RUNS} runs)`, () => {
  // Every exported method, the access request and attestation ones drawn more often, with args
  // that are sometimes right (registered ids, record ids, small ints, packs) and sometimes
  // anything (wrong lengths, random bytes), signed by registered and unknown keys.
  const NEW = ['requestAccess', 'approveRequest', 'denyRequest', 'withdrawRequest', 'attest'];
  const QUERIES = ['openRequests', 'requestsBy', 'requestStatus', 'requestInfo', 'attestationsOf'];
  it('never throw, stop within their gas, and revert with a reason code', () => {
    const compiled = compileConsent();
    if (!compiled.ok) throw new Error('consent.ehr does not compile');
    const methods = compiled.abi.methods;
    const c = new ConsentContract(new MemoryState(), consentCode(), keyOf('gov'));
    const w = new World(contractEngine(c)).standard();
    const signers: Name[] = ['pat', 'mum', 'drA1', 'drB1', 'ins1', 'adminA', 'gov', 'stranger'];
    const ids = [...signers.map((n) => w.id(n)), rec('lab1'), rec('mh1')].map((h) => hexToBytes(h));
    const ints = [0, 1, 2, 3, 4, 7, 15, -1, T0, T0 + DAY, Number.MAX_SAFE_INTEGER];
    const byName = new Map(methods.map((m) => [m.name, m]));
    const names = [...NEW, ...NEW, ...QUERIES, ...methods.map((m) => m.name)];
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = rng(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
        const rand = (n: number) =>
          Uint8Array.from({ length: Math.floor(r() * n) }, () => Math.floor(r() * 256));
        const m = byName.get(pick(names))!;
        const args = m.params.map((p) => {
          const roll = r();
          if (roll < 0.1) return rand(12);
          if (p.type === 'int') return encodeInt(pick(ints));
          if (roll < 0.5) return pick(ids);
          if (roll < 0.7)
            return packFields([pick(ids), encodeInt(pick(ints)), rand(4)].slice(0, 1 + Math.floor(r() * 3)));
          return pick([new Uint8Array(0), new TextEncoder().encode('lab'), rand(40)]);
        });
        const res = callContract(c.state, {
          contract: 'consent',
          method: m.name,
          args: r() < 0.05 ? args.slice(1) : args,
          caller: hexToBytes(keyOf(pick(signers))),
          height: 2,
          time: T0 + Math.floor(r() * 40) * DAY,
          gasLimit: CONSENT_GAS_LIMIT,
        });
        expect(['ok', 'reverted']).toContain(res.status);
        expect(res.gasUsed).toBeLessThanOrEqual(CONSENT_GAS_LIMIT);
        if (res.status === 'reverted') expect(res.error).toMatch(/^[a-z][a-z0-9_]*$/);
      }),
      { numRuns: RUNS },
    );
  });
});
