/**
 * CPU per write of the state root and per tx of applying kv blocks in memory.
 * Run: `npm run bench:state` (ROUNDS=n, BUDGET_MS=ms). Prints figures; never fails.
 */
import { measure, printResults } from './cases/harness.js';
import { stateCases } from './cases/state.js';

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 20_000);
printResults(await measure(stateCases(), { rounds, budgetMs }));
