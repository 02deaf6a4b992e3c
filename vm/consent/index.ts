/**
 * The consent contract: its source (consent.ehr, embedded by source.ts so vm/ needs no file I/O),
 * compiled by the project's compiler, and the model it is checked against.
 */
import { type CompileResult, compile, formatCompileError } from '../compiler/index.js';
import { CONSENT_SOURCE } from './source.js';

export { ConsentContract, type ContractOutcome } from './contract.js';
export { ConsentModel } from './model.js';
export { CONSENT_SOURCE } from './source.js';

/** Compiles the consent contract. */
export function compileConsent(source: string = CONSENT_SOURCE): CompileResult {
  return compile(source);
}

/** Compiles the consent contract and returns its bytecode; throws with the compiler's message. */
export function consentCode(source: string = CONSENT_SOURCE): Uint8Array {
  const r = compileConsent(source);
  if (!r.ok) throw new Error(`consent.ehr: ${r.errors.map(formatCompileError).join('; ')}`);
  return r.code;
}
