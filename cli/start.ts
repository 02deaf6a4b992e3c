/** `ehrchain start --home DIR`: runs one validator node until SIGINT/SIGTERM. */

import { readKeyFile } from '../client/keyfile.js';
import { registerExplorer } from '../explorer/serve.js';
import { UpgradeRequiredError } from '../node/blocks/applier.js';
import { loadHome } from '../node/config/config.js';
import { createChainNode } from '../node/create.js';
import { createLogger } from '../node/log.js';
import type { ChainNode } from '../node/node.js';
import { StoreError, StoreErrorCode } from '../node/store/errors.js';
import { CORRUPT_HINT } from '../node/store/integrity.js';
import { markRecovering, setAsideStore } from '../node/store/recover.js';
import { registerPortal } from '../portal/serve.js';

export interface StartOptions {
  readonly home: string;
  readonly logLevel?: string;
  /** Set the chain's LevelDB aside and rebuild it from the peers (docs/operations.md). */
  readonly recoverFromPeers?: boolean;
}

/** Exit code of a node that refuses to run on a damaged store (docs/operations.md). */
export const EXIT_STORE_DAMAGED = 3;
/** Exit code of a node stopped before a chain feature its code does not know (docs/operations.md). */
export const EXIT_UPGRADE_REQUIRED = 4;

const DAMAGED: ReadonlySet<string> = new Set([StoreErrorCode.Corrupt, StoreErrorCode.StateRootMismatch]);

export async function runStart(opts: StartOptions): Promise<void> {
  const { config, genesis } = await loadHome(opts.home);
  const log = createLogger({
    level: opts.logLevel ?? config.logLevel,
    ...(process.env.EHRCHAIN_LOG_PRETTY === '1' ? { pretty: true } : {}),
  });
  const key = await readKeyFile(config.keyFile);
  if (opts.recoverFromPeers === true) {
    const aside = await setAsideStore(config.dataDir);
    await markRecovering(config.dataDir);
    log.warn(
      { dataDir: config.dataDir, setAside: aside },
      'recovering from peers: local chain store set aside, state comes from the leader',
    );
  }
  let node: ChainNode | undefined;
  let stopping = false;
  const upgradeRequired = (err: Error) => {
    log.fatal({ err }, err.message);
    console.error(`ehrchain: ${err.message}: install a release that knows it and start again`);
    stopping = true;
    void (node?.stop() ?? Promise.resolve()).finally(() => process.exit(EXIT_UPGRADE_REQUIRED));
  };
  try {
    node = await createChainNode({
      config,
      genesis,
      key,
      log,
      processMetrics: true,
      httpPlugins: [registerExplorer, registerPortal],
      onFatal: upgradeRequired,
    });
  } catch (err) {
    if (err instanceof UpgradeRequiredError) return upgradeRequired(err);
    if (err instanceof StoreError && DAMAGED.has(err.code)) {
      log.fatal({ err }, 'the chain store is damaged: refusing to start');
      const hint = err.message.includes(CORRUPT_HINT) ? '' : `; ${CORRUPT_HINT}`;
      console.error(`ehrchain: the chain store is damaged, refusing to start: ${err.message}${hint}`);
      process.exit(EXIT_STORE_DAMAGED);
    }
    log.fatal({ err }, 'node failed to start');
    process.exit(1);
  }
  const started = node;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    started.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await started.start();
  } catch (err) {
    log.fatal({ err }, 'node failed to start');
    await started.stop().catch(() => undefined);
    process.exit(1);
  }
}
