/**
 * `ehrchain consent import` as a user runs it (a child process of bin/ehrchain.mjs) against one
 * in-process validator: a Consent becomes a signed grant that `/fhir/Consent` serves with the same
 * provision; a Consent with two actors, or one whose performer is not the signer, is refused with
 * the FHIR path and grants nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../../client/keyfile.js';
import { createNetwork, type Network, ROOT } from '../../helpers/network.js';
import { type Actor, RecordsWorld } from '../records/world.js';
import { importableConsent } from './consents.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'ehrchain.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, 'consent', ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

type Json = Record<string, unknown>;

describe('ehrchain consent import (CLI)', () => {
  let net: Network;
  let dir: string;
  let patient: Actor;
  let doctor: Actor;
  let url: string;

  const total = async (): Promise<number> => {
    const r = await fetch(`${url}/fhir/Consent?patient=${patient.id}`);
    return ((await r.json()) as { total: number }).total;
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    await net.waitLeader();
    url = net.node(0).url;
    const w = await new RecordsWorld(net).init();
    patient = await w.register('patient');
    doctor = await w.register('doctor');
    dir = await mkdtemp(join(tmpdir(), 'ehr-import-'));
    await writeKeyFile(join(dir, 'patient.json'), { seed: patient.seed, publicKey: patient.key });
    await writeKeyFile(join(dir, 'doctor.json'), { seed: doctor.seed, publicKey: doctor.key });
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs a Consent as a grant that /fhir/Consent serves with the same provision', async () => {
    const input = importableConsent(patient.id, doctor.id, Date.now());
    await writeFile(join(dir, 'ok.json'), JSON.stringify(input));
    const r = await cli([
      'import',
      join(dir, 'ok.json'),
      '--key',
      join(dir, 'patient.json'),
      '--url',
      url,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { grant } = JSON.parse(r.stdout) as { grant: number };
    const back = (await (await fetch(`${url}/fhir/Consent/grant-${grant}`)).json()) as Json;
    expect(back.provision).toEqual(input.provision);
    expect(back.patient).toEqual(input.patient);
    expect(back.status).toBe('active');
  }, 90_000);

  it('refuses a Consent with two actors, naming the FHIR path, and grants nothing', async () => {
    const before = await total();
    const input = importableConsent(patient.id, doctor.id, Date.now());
    const actor = input.provision.actor[0];
    await writeFile(
      join(dir, 'two.json'),
      JSON.stringify({ ...input, provision: { ...input.provision, actor: [actor, actor] } }),
    );
    const r = await cli(['import', join(dir, 'two.json'), '--key', join(dir, 'patient.json'), '--url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Consent.provision.actor[1]: more than one actor');
    expect(await total()).toBe(before);
  }, 90_000);

  it('refuses a Consent whose performer is not the signer', async () => {
    const before = await total();
    const input = {
      ...importableConsent(patient.id, doctor.id, Date.now()),
      performer: [{ identifier: { system: 'urn:ehrchain:actor', value: doctor.id } }],
    };
    await writeFile(join(dir, 'perf.json'), JSON.stringify(input));
    const r = await cli(['import', join(dir, 'perf.json'), '--key', join(dir, 'patient.json'), '--url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Consent.performer[0]');
    expect(await total()).toBe(before);
  }, 90_000);
});
