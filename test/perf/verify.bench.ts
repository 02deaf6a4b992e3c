/**
 * CPU per signature verification, libsodium vs node:crypto, in alternating rounds.
 * Run: `npm run bench:verify` (ROUNDS=n, BUDGET_MS=ms). Prints figures; never fails.
 */
import { measure, printResults } from './cases/harness.js';
import { verifyCases } from './cases/verify.js';

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 20_000);
printResults(await measure(verifyCases(), { rounds, budgetMs }));
