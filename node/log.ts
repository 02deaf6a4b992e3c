/**
 * Structured logging (pino). One root logger per node process, a child per module. Keys, seeds
 * and record contents are never passed to a logger; ids and hashes are.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  readonly level: string;
  /** Human-readable lines (pino-pretty) instead of JSON; the default when stdout is a terminal. */
  readonly pretty?: boolean;
  readonly name?: string;
}

/** Creates the root logger of a node process. */
export function createLogger(opts: LogOptions): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  return pino({
    level: opts.level,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    redact: { paths: ['seed', 'privateKey', '*.seed', '*.privateKey'], censor: '[redacted]' },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}

/** A logger that drops everything, for tests and in-process nodes that should stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
