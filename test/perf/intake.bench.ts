/**
 * CPU per tx of the intake path (a 50-tx batch over HTTP, and one by gossip), main thread and all
 * threads, in alternating rounds. Run: `npm run bench:intake` (ROUNDS=n, BUDGET_MS=ms). Prints
 * figures; never fails.
 */
import { measure, printResults } from './cases/harness.js';
import { intakeCases } from './cases/intake.js';

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 20_000);
printResults(await measure(intakeCases(), { rounds, budgetMs }));
