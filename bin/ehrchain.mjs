#!/usr/bin/env node
// The `ehrchain` command. Sources are TypeScript, run through tsx's loader so that no build step
// stands between `npm install` and a running node; the polyfill must load before libp2p does.
import { register } from 'tsx/esm/api';

register();
await import('../node/polyfill.ts');
await import('../cli/main.ts');
