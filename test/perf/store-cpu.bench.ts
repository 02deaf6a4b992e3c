/**
 * CPU per key of the store's batch and per tx of committing kv blocks.
 * Run: `npm run bench:store:cpu` (ROUNDS=n, BUDGET_MS=ms). Prints figures; never fails.
 */
import { measure, printResults } from './cases/harness.js';
import { storeCases } from './cases/store.js';

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 20_000);
printResults(await measure(await storeCases(), { rounds, budgetMs }));
