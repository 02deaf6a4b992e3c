/** `ehrchain start --home DIR`: runs one validator node until SIGINT/SIGTERM. */

import { readKeyFile } from '../client/keyfile.js';
import { registerExplorer } from '../explorer/serve.js';
import { loadHome } from '../node/config/config.js';
import { createChainNode } from '../node/create.js';
import { createLogger } from '../node/log.js';
import type { ChainNode } from '../node/node.js';
import { registerPortal } from '../portal/serve.js';

export interface StartOptions {
  readonly home: string;
  readonly logLevel?: string;
}

export async function runStart(opts: StartOptions): Promise<void> {
  const { config, genesis } = await loadHome(opts.home);
  const log = createLogger({
    level: opts.logLevel ?? config.logLevel,
    ...(process.env.EHRCHAIN_LOG_PRETTY === '1' ? { pretty: true } : {}),
  });
  const key = await readKeyFile(config.keyFile);
  let node: ChainNode;
  try {
    node = await createChainNode({
      config,
      genesis,
      key,
      log,
      processMetrics: true,
      httpPlugins: [registerExplorer, registerPortal],
    });
  } catch (err) {
    log.fatal({ err }, 'node failed to start');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    node.stop().then(
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
    await node.start();
  } catch (err) {
    log.fatal({ err }, 'node failed to start');
    await node.stop().catch(() => undefined);
    process.exit(1);
  }
}
