import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeInt, packFields } from '../../../vm/abi.js';
import { type AsmFunction, type AsmItem, assemble } from '../../../vm/asm.js';
import { CONSENT_GAS_LIMIT, ConsentContract } from '../../../vm/consent/contract.js';
import { compileConsent, consentCode } from '../../../vm/consent/index.js';
import { Imm, OPS } from '../../../vm/isa.js';
import { MemoryState } from '../../../vm/journal.js';
import { callContract, deployContract } from '../../../vm/runtime.js';
import { validateCode } from '../../../vm/validate.js';
import { DAY, keyOf, type Name, rec, T0, World } from '../consent/world.js';

const RUNS = Number(process.env.VM_FUZZ_RUNS ?? 2000);
const ALL = [...OPS.values()];
const CONSTS: Uint8Array[] = [
  new Uint8Array(0),
  new TextEncoder().encode('Ev'),
  new TextEncoder().encode('some_reason'),
  Uint8Array.from([0, 1, 7, 0, 2, 1, 2]),
  new Uint8Array(8).fill(0xff),
  new Uint8Array(300).fill(3),
];

// A seeded generator: fast-check supplies the seed (and shrinks it), we draw a whole program from it.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomProgram(seed: number): { funcs: AsmFunction[]; args: Uint8Array[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const nfuncs = int(1, 3);
  const funcs: AsmFunction[] = [];
  for (let f = 0; f < nfuncs; f++) {
    const nparams = int(0, 2);
    const locals = nparams + int(0, 3);
    const len = int(1, 40);
    const body: AsmItem[] = [];
    for (let i = 0; i < len; i++) {
      body.push({ label: `i${i}` });
      const info = pick(ALL);
      const target = `i${int(0, len - 1)}`;
      switch (info.imm) {
        case Imm.none:
          body.push([info.name]);
          break;
        case Imm.i8:
          body.push([info.name, int(-128, 127)]);
          break;
        case Imm.i32:
          body.push([info.name, pick([0, 1, -1, 8, 2 ** 31 - 1, -(2 ** 31), int(-1000, 1000)])]);
          break;
        case Imm.i64:
          body.push([
            info.name,
            pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 40, int(-9, 9)]),
          ]);
          break;
        case Imm.u8:
          body.push([info.name, info.name === 'PACK' ? int(0, 4) : locals === 0 ? -1 : int(0, locals - 1)]);
          break;
        case Imm.u16c:
          body.push([info.name, pick(CONSTS)]);
          break;
        case Imm.u16func:
          body.push([info.name, int(0, nfuncs - 1)]);
          break;
        case Imm.u32jump:
          body.push([info.name, target]);
          break;
        case Imm.emit:
          body.push(['EMIT', 'Ev', int(0, 3)]);
          break;
      }
      // LOAD/STORE with no locals: drop the instruction (u8 -1 is not encodable).
      const last = body[body.length - 1]!;
      if ('0' in last && last[1] === -1) body.pop();
    }
    body.push([pick(['RET', 'RETV', 'REVERT', 'JMP'])]);
    if ((body[body.length - 1] as readonly string[])[0] === 'JMP') body[body.length - 1] = ['JMP', 'i0'];
    funcs.push({
      name: `f${f}`,
      exported: true,
      params: Array.from({ length: nparams }, () => pick(['int', 'bytes'] as const)),
      locals,
      body,
    });
  }
  const args = Array.from({ length: funcs[0]!.params!.length }, () =>
    pick([new Uint8Array(8), Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 5]), new Uint8Array(3), CONSTS[3]!]),
  );
  return { funcs, args };
}

function runChecked(code: Uint8Array, method: string, args: Uint8Array[], gasLimit: number): void {
  const st = new MemoryState();
  const d = deployContract(st, code);
  if (!d.ok) return;
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
}

describe(`fuzz (${RUNS} runs; VM_FUZZ_RUNS for more)`, () => {
  it('random well-formed programs never throw and stop within their gas', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 30_000 }), (seed, gas) => {
        const { funcs, args } = randomProgram(seed);
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
          const code = assemble(randomProgram(seed).funcs);
          for (const [at, v] of flips) code[at % code.length] = v;
          const res = validateCode(code);
          if (res.ok) runChecked(code, 'f0', [], 20_000);
          else expect(typeof res.error.message).toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
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
    const w = new World({
      apply: (ctx, op) => {
        const r = c.apply(ctx, op);
        return r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error };
      },
      canAccess: (...a) => c.canAccess(...a),
    }).standard();
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
