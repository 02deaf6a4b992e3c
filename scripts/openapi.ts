/** `npm run docs:openapi`: writes docs/openapi.json from the route schemas (node/http/openapi.ts). */
import { writeFileSync } from 'node:fs';
import { openApiJson } from '../node/http/openapi.js';

writeFileSync(new URL('../docs/openapi.json', import.meta.url), await openApiJson());
console.log('wrote docs/openapi.json');
