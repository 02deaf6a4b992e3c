/** Stable error codes of the de-identification core. Outcomes a caller expects (a refused release) are values. */
export const ResearchErrorCode = {
  /** An option is out of range or malformed (k < 1, a fractional date offset, a cap outside [0, 1]). */
  InvalidOption: 'invalid_option',
  /** A generalisation hierarchy is malformed (uneven depth, a node with two parents, no single root). */
  InvalidHierarchy: 'invalid_hierarchy',
  /** A categorical quasi-identifier value has no leaf in its hierarchy. */
  ValueNotInHierarchy: 'value_not_in_hierarchy',
  /** A rule set names a path twice or an action it does not know. */
  InvalidRule: 'invalid_rule',
} as const;
export type ResearchErrorCode = (typeof ResearchErrorCode)[keyof typeof ResearchErrorCode];

/** The one error class of research/; switch on `code`, never on the message. */
export class ResearchError extends Error {
  readonly code: ResearchErrorCode;

  constructor(code: ResearchErrorCode, message: string) {
    super(message);
    this.name = 'ResearchError';
    this.code = code;
  }
}

/** True when `e` is a ResearchError, optionally with the given code. */
export function isResearchError(e: unknown, code?: ResearchErrorCode): e is ResearchError {
  return e instanceof ResearchError && (code === undefined || e.code === code);
}
