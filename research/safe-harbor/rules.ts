/**
 * The Safe Harbor rule set, as data: per FHIR R4 resource type, per element path, one action. The engine
 * (engine.ts) removes every element no rule names (default deny), so a new or unexpected element never
 * leaks; explicit `remove` rules are there to say which of the 18 identifier kinds an element is.
 *
 * Paths are resource type + element names joined by dots; arrays are transparent (`Patient.address.city`
 * names the city of every address); choice elements are spelt out (`onsetDateTime`, `onsetAge`).
 */

/** What a rule does to the element at its path. */
export const RuleAction = {
  /** Drop the element. */
  Remove: 'remove',
  /** Keep the element; for an object or array, descend, where more specific rules still apply. */
  Keep: 'keep',
  /** A date, dateTime or list of them: to the year, or shifted (DatePolicy). */
  Date: 'date',
  /** A birth date: as `date`, and ages over 89 collapsed into one 90+ birth year. */
  BirthDate: 'birthDate',
  /** A ZIP code: its first three digits, `000` for the restricted prefixes. */
  Zip3: 'zip3',
  /** An Age quantity: over 89 becomes `>= 90 a`. */
  Age: 'age',
  /** A Patient reference (or Patient.id): the export's pseudonym for the patient, or dropped if unknown. */
  Pseudonym: 'pseudonym',
  /** A list of extensions: only those whose url is listed survive (and are then kept whole). */
  Extensions: 'extensions',
} as const;
export type RuleAction = (typeof RuleAction)[keyof typeof RuleAction];

/** One rule: an element path, what to do, and which Safe Harbor identifier kind (A..R) it answers. */
export interface Rule {
  readonly path: string;
  readonly action: RuleAction;
  /** Why: a Safe Harbor item, or 'clinical' for content kept for research. */
  readonly why: string;
  /** For `extensions`: the extension urls kept. */
  readonly urls?: readonly string[];
}

/** Safe Harbor's 18 identifier kinds, 164.514(b)(2)(i)(A)-(R). */
export const SAFE_HARBOR_ITEMS = {
  A: 'names',
  B: 'geographic subdivisions smaller than a state (ZIP to 3 digits)',
  C: 'dates except the year; ages over 89',
  D: 'telephone numbers',
  E: 'fax numbers',
  F: 'email addresses',
  G: 'social security numbers',
  H: 'medical record numbers',
  I: 'health plan beneficiary numbers',
  J: 'account numbers',
  K: 'certificate and licence numbers',
  L: 'vehicle identifiers',
  M: 'device identifiers and serial numbers',
  N: 'URLs',
  O: 'IP addresses',
  P: 'biometric identifiers',
  Q: 'full-face photographs and comparable images',
  R: 'any other unique identifying number, characteristic or code',
} as const;

/** US Core extensions kept on Patient: coded race, ethnicity and birth sex, no free text beyond their own. */
export const US_CORE_RACE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race';
export const US_CORE_ETHNICITY = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity';
const US_CORE_BIRTHSEX = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex';
/** Marks a Patient whose birth year stands for the 90-or-older category (set by the engine). */
export const AGE_90_OR_OLDER = 'https://ehrchain.dev/fhir/StructureDefinition/deid-age-90-or-older';

type R = readonly [path: string, action: RuleAction, why: string];

// Elements every resource has. Resource ids are unique codes (R); meta carries source URLs (N) and
// timestamps (C); narrative and contained resources are free text or whole identified resources.
const COMMON: readonly R[] = [
  ['id', 'remove', 'R: resource id'],
  ['meta', 'remove', 'C, N: lastUpdated, source'],
  ['implicitRules', 'remove', 'N: URL'],
  ['language', 'keep', 'clinical'],
  ['text', 'remove', 'A-R: free-text narrative (text.div)'],
  ['contained', 'remove', 'A-R: contained resources'],
  ['extension', 'remove', 'R: unknown extensions'],
  ['modifierExtension', 'remove', 'R: unknown extensions'],
  ['identifier', 'remove', 'H, I, J, K, R: identifiers'],
  ['note', 'remove', 'A-R: free-text notes'],
  ['encounter', 'remove', 'R: reference to an identified resource'],
  ['basedOn', 'remove', 'R: reference'],
  ['partOf', 'remove', 'R: reference'],
];

const PERIOD = (p: string, why = 'C'): R[] => [
  [`${p}.start`, 'date', why],
  [`${p}.end`, 'date', why],
];

const BY_TYPE: Readonly<Record<string, readonly R[]>> = {
  Patient: [
    ['id', 'pseudonym', 'R: replaced by the export pseudonym'],
    ['extension', 'extensions', 'R: only US Core race, ethnicity, birth sex'],
    ['active', 'keep', 'clinical'],
    ['name', 'remove', 'A'],
    ['telecom', 'remove', 'D, E, F, N'],
    ['gender', 'keep', 'clinical'],
    ['birthDate', 'birthDate', 'C'],
    ['deceasedBoolean', 'keep', 'clinical'],
    ['deceasedDateTime', 'date', 'C'],
    ['address', 'keep', 'B: only state, country, ZIP3 survive'],
    ['address.use', 'keep', 'clinical'],
    ['address.line', 'remove', 'B'],
    ['address.city', 'remove', 'B'],
    ['address.district', 'remove', 'B'],
    ['address.text', 'remove', 'B'],
    ['address.period', 'remove', 'C'],
    ['address.state', 'keep', 'B: states may be released'],
    ['address.country', 'keep', 'B'],
    ['address.postalCode', 'zip3', 'B'],
    ['maritalStatus', 'keep', 'clinical'],
    ['multipleBirthBoolean', 'remove', 'R: rare characteristic'],
    ['multipleBirthInteger', 'remove', 'R: rare characteristic'],
    ['photo', 'remove', 'Q: photographs (Attachment data and url)'],
    ['contact', 'remove', 'A, B, D, F: next of kin'],
    ['communication', 'keep', 'clinical'],
    ['generalPractitioner', 'remove', 'R: Practitioner reference'],
    ['managingOrganization', 'remove', 'R: Organization reference'],
    ['link', 'remove', 'R: links to other patients'],
  ],
  Observation: [
    ['status', 'keep', 'clinical'],
    ['category', 'keep', 'clinical'],
    ['code', 'keep', 'clinical'],
    ['subject', 'pseudonym', 'R'],
    ['focus', 'remove', 'R'],
    ['effectiveDateTime', 'date', 'C'],
    ['effectiveInstant', 'date', 'C'],
    ...PERIOD('effectivePeriod'),
    ['issued', 'remove', 'C: an instant cannot be cut to a year and stay valid'],
    ['performer', 'remove', 'A, R: Practitioner references'],
    ['valueQuantity', 'keep', 'clinical'],
    ['valueCodeableConcept', 'keep', 'clinical'],
    ['valueBoolean', 'keep', 'clinical'],
    ['valueInteger', 'keep', 'clinical'],
    ['valueRange', 'keep', 'clinical'],
    ['valueString', 'remove', 'A-R: free text'],
    ['valueAttachment', 'remove', 'P, Q'],
    ['valueDateTime', 'date', 'C'],
    ['dataAbsentReason', 'keep', 'clinical'],
    ['interpretation', 'keep', 'clinical'],
    ['bodySite', 'keep', 'clinical'],
    ['method', 'keep', 'clinical'],
    ['specimen', 'remove', 'R'],
    ['device', 'remove', 'M'],
    ['referenceRange', 'keep', 'clinical'],
    ['referenceRange.text', 'remove', 'free text'],
    ['hasMember', 'remove', 'R'],
    ['derivedFrom', 'remove', 'R'],
    ['component', 'keep', 'clinical'],
    ['component.valueString', 'remove', 'free text'],
    ['component.valueAttachment', 'remove', 'P, Q'],
  ],
  Condition: [
    ['clinicalStatus', 'keep', 'clinical'],
    ['verificationStatus', 'keep', 'clinical'],
    ['category', 'keep', 'clinical'],
    ['severity', 'keep', 'clinical'],
    ['code', 'keep', 'clinical'],
    ['bodySite', 'keep', 'clinical'],
    ['subject', 'pseudonym', 'R'],
    ['onsetDateTime', 'date', 'C'],
    ['onsetAge', 'age', 'C'],
    ...PERIOD('onsetPeriod'),
    ['onsetString', 'remove', 'free text'],
    ['abatementDateTime', 'date', 'C'],
    ['abatementAge', 'age', 'C'],
    ...PERIOD('abatementPeriod'),
    ['abatementString', 'remove', 'free text'],
    ['recordedDate', 'date', 'C'],
    ['recorder', 'remove', 'A, R: Practitioner reference'],
    ['asserter', 'remove', 'A, R: Practitioner reference'],
    ['stage', 'keep', 'clinical'],
    ['stage.assessment', 'remove', 'R'],
    ['evidence', 'keep', 'clinical'],
    ['evidence.detail', 'remove', 'R'],
  ],
  MedicationRequest: [
    ['status', 'keep', 'clinical'],
    ['statusReason', 'keep', 'clinical'],
    ['intent', 'keep', 'clinical'],
    ['category', 'keep', 'clinical'],
    ['priority', 'keep', 'clinical'],
    ['doNotPerform', 'keep', 'clinical'],
    ['medicationCodeableConcept', 'keep', 'clinical'],
    ['medicationReference', 'remove', 'R'],
    ['subject', 'pseudonym', 'R'],
    ['authoredOn', 'date', 'C'],
    ['requester', 'remove', 'A, K, R: prescriber'],
    ['performer', 'remove', 'A, R'],
    ['recorder', 'remove', 'A, R'],
    ['reasonCode', 'keep', 'clinical'],
    ['reasonReference', 'remove', 'R'],
    ['groupIdentifier', 'remove', 'H, R'],
    ['insurance', 'remove', 'I, J: coverage'],
    ['dosageInstruction', 'keep', 'clinical'],
    ['dosageInstruction.text', 'remove', 'free text'],
    ['dosageInstruction.patientInstruction', 'remove', 'free text'],
    ['dosageInstruction.timing.event', 'date', 'C'],
    ...PERIOD('dosageInstruction.timing.repeat.boundsPeriod'),
    ['dispenseRequest', 'keep', 'clinical'],
    ['dispenseRequest.performer', 'remove', 'R: pharmacy'],
    ...PERIOD('dispenseRequest.validityPeriod'),
    ['substitution', 'keep', 'clinical'],
  ],
  AllergyIntolerance: [
    ['clinicalStatus', 'keep', 'clinical'],
    ['verificationStatus', 'keep', 'clinical'],
    ['type', 'keep', 'clinical'],
    ['category', 'keep', 'clinical'],
    ['criticality', 'keep', 'clinical'],
    ['code', 'keep', 'clinical'],
    ['patient', 'pseudonym', 'R'],
    ['onsetDateTime', 'date', 'C'],
    ['onsetAge', 'age', 'C'],
    ...PERIOD('onsetPeriod'),
    ['onsetString', 'remove', 'free text'],
    ['recordedDate', 'date', 'C'],
    ['recorder', 'remove', 'A, R'],
    ['asserter', 'remove', 'A, R'],
    ['lastOccurrence', 'date', 'C'],
    ['reaction', 'keep', 'clinical'],
    ['reaction.description', 'remove', 'free text'],
    ['reaction.onset', 'date', 'C'],
    ['reaction.note', 'remove', 'free text'],
  ],
  Immunization: [
    ['status', 'keep', 'clinical'],
    ['statusReason', 'keep', 'clinical'],
    ['vaccineCode', 'keep', 'clinical'],
    ['patient', 'pseudonym', 'R'],
    ['occurrenceDateTime', 'date', 'C'],
    ['occurrenceString', 'remove', 'free text'],
    ['recorded', 'date', 'C'],
    ['primarySource', 'keep', 'clinical'],
    ['location', 'remove', 'B, R'],
    ['manufacturer', 'remove', 'R'],
    ['lotNumber', 'remove', 'M, R: lot number'],
    ['expirationDate', 'date', 'C'],
    ['site', 'keep', 'clinical'],
    ['route', 'keep', 'clinical'],
    ['doseQuantity', 'keep', 'clinical'],
    ['performer', 'remove', 'A, R'],
    ['reasonCode', 'keep', 'clinical'],
    ['isSubpotent', 'keep', 'clinical'],
    ['protocolApplied', 'keep', 'clinical'],
    ['protocolApplied.authority', 'remove', 'R'],
  ],
  DiagnosticReport: [
    ['status', 'keep', 'clinical'],
    ['category', 'keep', 'clinical'],
    ['code', 'keep', 'clinical'],
    ['subject', 'pseudonym', 'R'],
    ['effectiveDateTime', 'date', 'C'],
    ...PERIOD('effectivePeriod'),
    ['issued', 'remove', 'C: an instant cannot be cut to a year and stay valid'],
    ['performer', 'remove', 'A, R'],
    ['resultsInterpreter', 'remove', 'A, R'],
    ['specimen', 'remove', 'R'],
    ['result', 'remove', 'R: Observation references'],
    ['imagingStudy', 'remove', 'R, Q'],
    ['media', 'remove', 'Q: images'],
    ['conclusion', 'remove', 'free text'],
    ['conclusionCode', 'keep', 'clinical'],
    ['presentedForm', 'remove', 'P, Q, N: attachments (data, url)'],
  ],
  Encounter: [
    ['status', 'keep', 'clinical'],
    ['class', 'keep', 'clinical'],
    ['type', 'keep', 'clinical'],
    ['serviceType', 'keep', 'clinical'],
    ['priority', 'keep', 'clinical'],
    ['subject', 'pseudonym', 'R'],
    ['episodeOfCare', 'remove', 'R'],
    ['participant', 'remove', 'A, R: Practitioner references'],
    ['appointment', 'remove', 'R'],
    ...PERIOD('period'),
    ['length', 'keep', 'clinical'],
    ['reasonCode', 'keep', 'clinical'],
    ['reasonReference', 'remove', 'R'],
    ['diagnosis', 'keep', 'clinical'],
    ['diagnosis.condition', 'remove', 'R'],
    ['account', 'remove', 'J'],
    ['hospitalization', 'keep', 'clinical'],
    ['hospitalization.preAdmissionIdentifier', 'remove', 'H, R'],
    ['hospitalization.origin', 'remove', 'B, R'],
    ['hospitalization.destination', 'remove', 'B, R'],
    ['location', 'remove', 'B, R'],
    ['serviceProvider', 'remove', 'R: Organization reference'],
  ],
};

/** The default rule set: for each covered resource type, the common rules then the type's own. */
export const SAFE_HARBOR_RULES: Readonly<Record<string, readonly Rule[]>> = Object.fromEntries(
  Object.entries(BY_TYPE).map(([type, own]) => {
    const byPath = new Map<string, Rule>();
    for (const [path, action, why] of [...COMMON, ...own]) {
      const rule: Rule =
        action === 'extensions'
          ? {
              path: `${type}.${path}`,
              action,
              why,
              urls: [US_CORE_RACE, US_CORE_ETHNICITY, US_CORE_BIRTHSEX],
            }
          : { path: `${type}.${path}`, action, why };
      byPath.set(rule.path, rule); // a type's own rule overrides the common one
    }
    return [type, [...byPath.values()]];
  }),
);
