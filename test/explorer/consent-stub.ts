/**
 * The consent contract compiled and run in memory (the VM and consent.ehr, not a mock of them),
 * answering `/v1/query/consent/...` the way a node does, for the explorer's consent views while
 * the node does not deploy the contract yet. The world: the standard consent test world plus a
 * revoked grant, a break-the-glass emergency, and served reads (allowed, emergency, refused).
 */
import type { Page } from 'playwright-core';
import { ConsentContract, consentCode } from '../../vm/consent/index.js';
import { MemoryState } from '../../vm/journal.js';
import { queryContract } from '../../vm/runtime.js';
import { DAY, HOUR, keyOf, MIN, rec, T0, World } from '../consent/world.js';

export interface ConsentStub {
  readonly patient: string;
  readonly doctor: string;
  /** Answers a query like the node's route: HTTP status and JSON body. */
  query(method: string, argsHex: readonly string[]): { status: number; body: unknown };
}

export function consentStub(): ConsentStub {
  const c = new ConsentContract(new MemoryState(), consentCode(), keyOf('gov'));
  const w = new World({
    apply: (ctx, op) => {
      const r = c.apply(ctx, op);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error };
    },
    canAccess: (...a) => c.canAccess(...a),
  }).standard();
  const g = w.grant('pat', w.actor('drB1'), T0 + MIN, { scope: { kind: 'categories', categories: ['lab'] } });
  w.grant('pat', { kind: 'org', id: 'hosp-b' }, T0 + 2 * MIN);
  w.ok('pat', T0 + HOUR, { op: 'revoke', grantId: g });
  const e = w.ok('drA1', T0 + HOUR, {
    op: 'requestEmergency',
    patient: w.id('pat'),
    reason: 'unconscious',
    durationMs: DAY,
  });
  w.ok('drA2', T0 + HOUR + MIN, { op: 'cosignEmergency', emergencyId: e });
  w.ok('nodeA', T0 + 2 * HOUR, {
    op: 'recordReads',
    reads: [
      {
        reader: w.id('drB2'),
        patient: w.id('pat'),
        recordId: rec('lab1'),
        version: 1,
        purpose: 'TREAT',
        at: T0 + 90 * MIN,
      },
      {
        reader: w.id('drA1'),
        patient: w.id('pat'),
        recordId: rec('mh1'),
        version: 1,
        purpose: 'ETREAT',
        at: T0 + 91 * MIN,
      },
      {
        reader: w.id('ins1'),
        patient: w.id('pat'),
        recordId: rec('lab1'),
        version: 1,
        purpose: 'HPAYMT',
        at: T0 + 92 * MIN,
      },
    ],
  });
  return {
    patient: w.id('pat'),
    doctor: w.id('drA1'),
    query(method, argsHex) {
      const r = queryContract(c.state, {
        contract: 'consent',
        method,
        args: argsHex.map((a) => new Uint8Array(Buffer.from(a, 'hex'))),
        caller: new Uint8Array(32),
        height: 1,
        time: T0 + 3 * HOUR,
        gasLimit: 50_000_000,
      });
      return {
        status: 200,
        body:
          r.status === 'ok'
            ? { status: 'ok', gasUsed: 0, returnData: Buffer.from(r.returnData).toString('hex') }
            : { status: 'reverted', error: r.error, gasUsed: 0, returnData: '' },
      };
    },
  };
}

/** Answers the page's consent queries from the stub (the rest of the API stays the real node's). */
export async function serveConsent(page: Page, stub: ConsentStub): Promise<void> {
  await page.route('**/v1/query/consent/**', async (route) => {
    const u = new URL(route.request().url());
    const method = decodeURIComponent(u.pathname.split('/').at(-1) ?? '');
    const args = u.searchParams.get('args');
    const r = stub.query(method, args === null || args === '' ? [] : args.split(','));
    await route.fulfill({ status: r.status, contentType: 'application/json', body: JSON.stringify(r.body) });
  });
}
