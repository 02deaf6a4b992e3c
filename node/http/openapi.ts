/**
 * The OpenAPI document of the node's HTTP API, built from the very route schemas a node serves
 * (createHttpServer and the records routes) without starting a node: `npm run docs:openapi` writes
 * it to docs/openapi.json, and test/integration/http/openapi.test.ts fails when the file and the code differ.
 */

import type { ApiBackend } from '../../protocol/api.js';
import { registerFhirRoutes } from '../fhir/routes.js';
import { silentLogger } from '../log.js';
import { registerRecordRoutes } from '../records/routes.js';
import type { SearchIndex } from '../records/search.js';
import { registerSearchRoutes } from '../records/search-routes.js';
import { defaultRecordServiceOptions, type RecordService } from '../records/service.js';
import { defaultHttpOptions } from './options.js';
import { createHttpServer } from './server.js';

const unused = (): never => {
  throw new Error('the OpenAPI build serves no request');
};

/**
 * A backend that serves no request: routes call the backend only when a request arrives, so
 * building the OpenAPI document (or a benchmark that overrides the one method it drives) needs
 * nothing else.
 */
export const noBackend: ApiBackend = {
  chainId: '',
  submitTx: unused,
  submitTxs: unused,
  getTx: unused,
  getBlock: unused,
  getBlockBytes: unused,
  getBlocks: unused,
  status: unused,
  getAccount: unused,
  query: unused,
  subscribe: unused,
  metrics: unused,
};
// The records routes read one option of the record service, for their body limit.
const noRecords = { options: defaultRecordServiceOptions } as unknown as RecordService;

/** The node's OpenAPI document (as `GET /openapi.json` serves it, minus the explorer's files). */
async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = await createHttpServer(
    noBackend,
    { ...defaultHttpOptions, port: 0 },
    silentLogger(),
    async (a) => {
      await registerRecordRoutes(a, noRecords, defaultHttpOptions.retryAfterSeconds);
      await registerSearchRoutes(a, {} as SearchIndex);
      await registerFhirRoutes(a, {
        chainId: '',
        query: unused,
        now: unused,
        receipts: { lookup: unused, key: unused, publicKey: '', jurisdiction: '' },
      });
    },
  );
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The document as docs/openapi.json holds it: 2-space JSON and a final newline. */
export async function openApiJson(): Promise<string> {
  return `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
}
