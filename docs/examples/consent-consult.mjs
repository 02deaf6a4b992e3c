#!/usr/bin/env node
// A minimal client of ehrchain's consent decision service (docs/fhir.md). No dependencies.
//   node docs/examples/consent-consult.mjs http://127.0.0.1:8080 <patient id> <actor id> TREAT lab [read|write]
// Prints the decision (CONSENT_PERMIT, CONSENT_DENY, NO_CONSENT) and the contract's reason code;
// exits 0 on permit, 1 otherwise, so a shell script or an interceptor's sidecar can use it.
const [url, patient, actor, purpose = 'TREAT', category = 'lab', action = 'read'] = process.argv.slice(2);
if (!url || !patient || !actor) {
  console.error(
    'usage: consent-consult.mjs <node url> <patient id> <actor id> [purpose] [category] [action]',
  );
  process.exit(2);
}
const res = await fetch(`${url}/cds-services/patient-consent-consult`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    hook: 'patient-consent-consult',
    hookInstance: crypto.randomUUID(),
    context: {
      patientId: [{ system: 'urn:ehrchain:actor', value: patient }],
      actor: [{ system: 'urn:ehrchain:actor', value: actor }],
      purposeOfUse: [purpose],
      scope: 'patient-privacy',
      class: [{ system: 'urn:ehrchain:category', code: category }],
      action,
    },
  }),
});
const body = await res.json();
if (!res.ok) {
  console.error(`refused: ${body.error?.message ?? res.status}`);
  process.exit(2);
}
const { decision, reason } = body.cards[0].extension;
console.log(`${decision} (${reason})`);
process.exit(decision === 'CONSENT_PERMIT' ? 0 : 1);
