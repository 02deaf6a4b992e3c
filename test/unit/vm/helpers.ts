/** Shared helpers for the VM specs: assemble or compile, deploy into a fresh state, call. */
import { encodeInt } from '../../../vm/abi.js';
import { type AsmFunction, type AsmItem, assemble } from '../../../vm/asm.js';
import { compile, formatCompileError } from '../../../vm/compiler/index.js';
import { MemoryState } from '../../../vm/journal.js';
import { type CallResult, callContract, deployContract, queryContract } from '../../../vm/runtime.js';

export const ALICE = new Uint8Array(32).fill(0xa1);
export const BOB = new Uint8Array(32).fill(0xb0);
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export { encodeInt };

export interface CallOpts {
  caller?: Uint8Array;
  height?: number;
  time?: number;
  gasLimit?: number;
}

/** A deployed contract in its own fresh state. */
export class Deployed {
  readonly state = new MemoryState();
  readonly id: Uint8Array;
  constructor(readonly code: Uint8Array) {
    const d = deployContract(this.state, code);
    if (!d.ok) throw new Error(`deploy failed: ${JSON.stringify(d)}`);
    this.id = d.id;
  }
  call(method: string, args: (Uint8Array | number | string)[] = [], o: CallOpts = {}): CallResult {
    return callContract(this.state, this.params(method, args, o));
  }
  query(method: string, args: (Uint8Array | number | string)[] = [], o: CallOpts = {}): CallResult {
    return queryContract(this.state, this.params(method, args, o));
  }
  private params(method: string, args: (Uint8Array | number | string)[], o: CallOpts) {
    return {
      contract: this.id,
      method,
      args: args.map((a) => (typeof a === 'number' ? encodeInt(a) : typeof a === 'string' ? enc(a) : a)),
      caller: o.caller ?? ALICE,
      height: o.height ?? 7,
      time: o.time ?? 1_700_000_000_000,
      gasLimit: o.gasLimit ?? 1_000_000,
    };
  }
}

/** Compiles source or fails the test with the compiler's messages. */
export function compileOk(src: string): Uint8Array {
  const r = compile(src);
  if (!r.ok) throw new Error(r.errors.map(formatCompileError).join('\n'));
  return r.code;
}

/** Deploys compiled source. */
export function deploySrc(src: string): Deployed {
  return new Deployed(compileOk(src));
}

/** Deploys assembled functions. */
export function deployAsm(funcs: AsmFunction[]): Deployed {
  return new Deployed(assemble(funcs));
}

/** Runs one exported function `main` with the given body; `locals` defaults to 4. */
export function runAsm(
  body: AsmItem[],
  o: CallOpts & { locals?: number; args?: Uint8Array[] } = {},
): CallResult {
  const d = deployAsm([{ name: 'main', exported: true, locals: o.locals ?? 4, body }]);
  return callContract(d.state, {
    contract: d.id,
    method: 'main',
    args: o.args ?? [],
    caller: o.caller ?? ALICE,
    height: o.height ?? 7,
    time: o.time ?? 1_700_000_000_000,
    gasLimit: o.gasLimit ?? 1_000_000,
  });
}

/** Runs an expression-returning snippet: `fn main() -> T { <body> }`, returning the call result. */
export function runFn(ret: 'int' | 'bytes', body: string, prelude = ''): CallResult {
  return deploySrc(`${prelude}\nexport fn main() -> ${ret} {\n${body}\n}`).call('main');
}
