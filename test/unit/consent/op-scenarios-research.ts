/**
 * Rows of the authorisation table about research exports (requestResearch, recordExport,
 * recordDisclosures: the honest-broker flow), over {@link World.standard}, where `cust` is hosp-a's
 * custodian. Run against the model and the contract through REQUEST_SCENARIOS.
 */
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { OpScenario } from './scenario-types.js';
import { DAY, hashOf, keyOf, MIN, type Name, T0, type World } from './world.js';

const X1 = hashOf('export:x1');

const ask = (org = 'hosp-a', more: Partial<Extract<ConsentOp, { op: 'requestResearch' }>> = {}) =>
  ({
    op: 'requestResearch',
    org,
    scope: { kind: 'categories', categories: ['lab'] },
    reason: 'cohort-study',
    ...more,
  }) as const;
const exportOp = (more: Partial<Extract<ConsentOp, { op: 'recordExport' }>> = {}) =>
  ({
    op: 'recordExport',
    exportId: X1,
    requestId: 1,
    fileHash: hashOf('file'),
    k: 5,
    l: 2,
    quasiIdentifiers: ['birth-year', 'sex', 'zip3'],
    sensitive: 'condition',
    paramsHash: hashOf('params'),
    ...more,
  }) as const;
const disclose =
  (...patients: Name[]) =>
  (w: World) =>
    ({ op: 'recordDisclosures', exportId: X1, patients: patients.map((p) => w.id(p)) }) as const;

/** res1 asked hosp-a (request 1) at T0 + 1 min. */
const asked = (w: World) => void w.ok('res1', T0 + MIN, ask());
/** ... and cust recorded export X1 for it at T0 + 2 min. */
const exported = (w: World) => {
  asked(w);
  w.ok('cust', T0 + 2 * MIN, exportOp());
};
/** `patient` consents to research by hosp-a's custodian (or `grantee`). */
const consents =
  (patient: Name, grantee: 'cust' | 'hosp-a' = 'cust', more: { end?: number } = {}) =>
  (w: World) =>
    void w.grant(patient, grantee === 'cust' ? w.actor('cust') : { kind: 'org', id: 'hosp-a' }, T0, {
      purposes: ['HRESCH'],
      ...more,
    });
const all =
  (...steps: ((w: World) => void)[]) =>
  (w: World) => {
    for (const s of steps) s(w);
  };

/** requestResearch, recordExport and recordDisclosures rows. */
export function researchRows(): OpScenario[] {
  return [
    // requestResearch: a researcher asks a hospital
    { name: 'a researcher asks a hospital for an export', who: 'res1', op: () => ask(), expect: 'ok' },
    { name: 'a doctor cannot ask for an export', who: 'drA1', op: () => ask(), expect: 'unauthorised' },
    { name: 'only a hospital has custodians', who: 'res1', op: () => ask('insure-x'), expect: 'unknown_org' },
    {
      name: 'an export of one record is no cohort',
      who: 'res1',
      op: (w) => ask('hosp-a', { scope: { kind: 'record', recordId: w.id('pat') } }),
      expect: 'invalid_argument',
    },
    // recordExport: a custodian of the asked hospital
    {
      name: 'the custodian records an export',
      given: asked,
      who: 'cust',
      op: () => exportOp(),
      expect: 'ok',
    },
    {
      name: 'a doctor cannot record an export',
      given: asked,
      who: 'drA1',
      op: () => exportOp(),
      expect: 'unauthorised',
    },
    {
      name: "another hospital's custodian cannot answer the request",
      given: all(
        asked,
        (w) =>
          void w.ok('adminB', T0, {
            op: 'registerActor',
            publicKey: keyOf('stranger'),
            role: 'custodian',
            certHash: hashOf('c'),
            licenceExpiry: 0,
          }),
      ),
      who: 'stranger',
      op: () => exportOp(),
      expect: 'unauthorised',
    },
    {
      name: 'an export names a research request',
      who: 'cust',
      op: () => exportOp(),
      expect: 'unknown_research_request',
    },
    {
      name: 'an export id is used once',
      given: exported,
      who: 'cust',
      op: () => exportOp(),
      expect: 'export_exists',
    },
    {
      name: 'k is at least 1',
      given: asked,
      who: 'cust',
      op: () => exportOp({ k: 0 }),
      expect: 'invalid_argument',
    },
    {
      name: 'quasi-identifiers are distinct codes',
      given: asked,
      who: 'cust',
      op: () => exportOp({ quasiIdentifiers: ['zip3', 'zip3'] }),
      expect: 'invalid_argument',
    },
    // recordDisclosures: only patients who consented to research at the export's time
    {
      name: 'a consenting patient is disclosed',
      given: all(consents('pat'), exported),
      who: 'cust',
      op: disclose('pat'),
      expect: 'ok',
    },
    {
      name: "consent to the custodian's organisation suffices",
      given: all(consents('pat2', 'hosp-a'), exported),
      who: 'cust',
      op: disclose('pat2'),
      expect: 'ok',
    },
    {
      name: 'a patient without research consent reverts the batch',
      given: all(consents('pat'), exported),
      who: 'cust',
      op: disclose('pat', 'pat2'),
      expect: 'no_research_consent',
    },
    {
      name: 'consent for treatment is not consent for research',
      given: all((w) => void w.grant('pat', w.actor('cust')), exported),
      who: 'cust',
      op: disclose('pat'),
      expect: 'no_research_consent',
    },
    {
      name: 'a revocation before the export excludes the patient',
      given: all(consents('pat'), (w) => void w.ok('pat', T0 + MIN, { op: 'revoke', grantId: 5 }), exported),
      who: 'cust',
      op: disclose('pat'),
      expect: 'no_research_consent',
    },
    {
      name: 'a revocation after the export does not undo the release',
      given: all(
        consents('pat'),
        exported,
        (w) => void w.ok('pat', T0 + 3 * MIN, { op: 'revoke', grantId: 5 }),
      ),
      who: 'cust',
      op: disclose('pat'),
      expect: 'ok',
    },
    {
      name: 'consent that ended before the export',
      given: all(consents('pat', 'cust', { end: T0 + MIN }), exported),
      who: 'cust',
      op: disclose('pat'),
      expect: 'no_research_consent',
    },
    {
      name: 'a patient is disclosed once per export',
      given: all(consents('pat'), exported, (w) => void w.ok('cust', T0 + DAY, disclose('pat')(w))),
      who: 'cust',
      op: disclose('pat'),
      expect: 'already_disclosed',
    },
    {
      name: 'a disclosure names a recorded export',
      given: consents('pat'),
      who: 'cust',
      op: disclose('pat'),
      expect: 'unknown_export',
    },
    {
      name: 'disclosures name registered patients',
      given: exported,
      who: 'cust',
      op: disclose('drA1'),
      expect: 'unknown_patient',
    },
    {
      name: 'a batch names a patient once',
      given: all(consents('pat'), exported),
      who: 'cust',
      op: disclose('pat', 'pat'),
      expect: 'invalid_argument',
    },
    {
      name: 'a researcher cannot record disclosures',
      given: exported,
      who: 'res1',
      op: disclose('pat'),
      expect: 'unauthorised',
    },
  ];
}
