/** The row types of the consent scenario tables (kept apart so the tables' files import no cycle). */
import type { AccessTarget } from '../../../vm/consent/access.js';
import type { Reason } from '../../../vm/consent/codes.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { Action, Purpose, Time } from '../../../vm/consent/types.js';
import type { Name, World } from './world.js';

/** One row: `who` asks about `patient`'s `target` for `action`/`purpose` at `at`. */
export interface AccessScenario {
  readonly name: string;
  readonly given?: (w: World) => void;
  readonly who: Name;
  readonly patient?: Name;
  readonly target?: AccessTarget;
  readonly action?: Action;
  readonly purpose?: Purpose;
  readonly at?: Time;
  readonly expect: Reason;
}

/** One row: `who` runs `op` at `at` (default T0 + 1 h) and gets `expect` ('ok' or an error code). */
export interface OpScenario {
  readonly name: string;
  readonly given?: (w: World) => void;
  readonly who: Name;
  readonly at?: Time;
  readonly op: (w: World) => ConsentOp;
  readonly expect: string;
}
