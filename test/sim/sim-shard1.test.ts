/** Seeded Raft cluster simulations, shard 1 of 2 (see seeds.ts for SIM_SEED / SIM_SEEDS). */
import { defineShard } from './shard.js';

defineShard(0, 2);
