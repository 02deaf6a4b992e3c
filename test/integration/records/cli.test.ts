/**
 * `ehrchain record` as a user runs it (child processes of bin/ehrchain.mjs) against 3 in-process
 * validators: put a FHIR file as a doctor, get it back as the patient through another node, list
 * the history, refuse an invalid resource naming the FHIR path, erase.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../../client/keyfile.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { createNetwork, type Network, ROOT } from '../../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from './world.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'ehrchain.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, 'record', ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ehrchain record (CLI)', () => {
  let net: Network;
  let dir: string;
  let patient: Actor;
  let doctor: Actor;
  let recordId = '';
  const obs = { resourceType: 'Observation', status: 'final', code: { text: 'synthetic glucose' } };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
    const w = await new RecordsWorld(net).init();
    patient = await w.register('patient');
    doctor = await w.register('doctor');
    await w.run(w.client(patient, 0).account, {
      op: 'grant',
      patient: patient.id,
      grantee: { kind: 'actor', id: doctor.id },
      actions: ['read', 'write'],
      scope: { kind: 'all' },
      purposes: ['TREAT'],
      start: Date.now() - HOUR,
      end: Date.now() + HOUR,
      exceptions: [],
    });
    dir = await mkdtemp(join(tmpdir(), 'ehr-cli-'));
    await writeKeyFile(join(dir, 'patient.json'), { seed: patient.seed, publicKey: patient.key });
    await writeKeyFile(join(dir, 'doctor.json'), { seed: doctor.seed, publicKey: doctor.key });
    await writeFile(join(dir, 'obs.json'), JSON.stringify(obs));
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ resourceType: 'Observation', code: { text: 'x' } }),
    );
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const as = (who: 'patient' | 'doctor', node: number) => [
    '--key',
    join(dir, `${who}.json`),
    '--url',
    net.node(node).url,
  ];

  it('put as the doctor, get as the patient through another node, history', async () => {
    const put = await cli([
      'put',
      ...as('doctor', 0),
      '--file',
      join(dir, 'obs.json'),
      '--patient',
      toHex(patient.key),
      '--category',
      'lab',
    ]);
    expect(put.code, put.stderr).toBe(0);
    const m = /record ([0-9a-f]{64}) version 1 cid (\S+) replicas 2/.exec(put.stdout);
    expect(m).not.toBeNull();
    recordId = m![1]!;
    const out = join(dir, 'got.json');
    const get = await cli(['get', ...as('patient', 2), '--record', recordId, '--out', out]);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(obs);
    const hist = await cli(['history', ...as('patient', 1), '--record', recordId]);
    expect(hist.stdout).toMatch(/^v1 b\S+ lab at \S+ readers 2$/m);
  }, 120_000);

  it('refuses an invalid FHIR resource, naming the path at fault', async () => {
    const r = await cli([
      'put',
      ...as('doctor', 0),
      '--file',
      join(dir, 'bad.json'),
      '--patient',
      toHex(patient.key),
      '--category',
      'lab',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error invalid_fhir \(Observation\.status\)/);
  }, 60_000);

  it('erase as the patient; get then fails with erased', async () => {
    const e = await cli(['erase', ...as('patient', 1), '--record', recordId]);
    expect(e.code, e.stderr).toBe(0);
    const g = await cli(['get', ...as('doctor', 0), '--record', recordId]);
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/error erased/);
  }, 60_000);
});
