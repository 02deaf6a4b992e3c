/**
 * The Python client (clients/python, built from docs/api.md alone) passes its own tests: every
 * vector of docs/vectors reproduced with PyNaCl and hashlib, and a live devnet exercised over HTTP.
 * Runs Debian's python3 with python3-nacl and python3-pytest (.ci/run installs them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/network.js';

const PYTHON = '/usr/bin/python3';
const ready =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import nacl, pytest'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!ready)(
  'the Python client (skipped: needs apt-get install python3-nacl python3-pytest)',
  () => {
    it('passes its pytest suite against the vectors and a live node', () => {
      const r = spawnSync(PYTHON, ['-m', 'pytest', 'clients/python', '-q', '-p', 'no:cacheprovider'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, EHRCHAIN_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    }, 300_000);
  },
);
