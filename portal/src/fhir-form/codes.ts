/**
 * Small built-in pick lists of common codes (LOINC, SNOMED CT, RxNorm, CVX, HL7 v3) for the FHIR
 * form editor. A convenience for synthetic demo records, not a terminology service: any
 * system + code + display can be typed instead, and nothing here is checked against a server.
 */

/** One code of a pick list; `unit` is the usual UCUM unit of an observation code. */
export interface PickCode {
  readonly system: string;
  readonly code: string;
  readonly display: string;
  readonly unit?: string;
}

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
} as const;

const list = (system: string, rows: readonly (readonly [string, string, string?])[]): readonly PickCode[] =>
  rows.map(([code, display, unit]) =>
    unit === undefined ? { system, code, display } : { system, code, display, unit },
  );

/** The pick lists by name. */
export const PICK_LISTS = {
  observation: list(SYSTEMS.loinc, [
    ['8310-5', 'Body temperature', 'Cel'],
    ['8867-4', 'Heart rate', '/min'],
    ['9279-1', 'Respiratory rate', '/min'],
    ['8480-6', 'Systolic blood pressure', 'mm[Hg]'],
    ['8462-4', 'Diastolic blood pressure', 'mm[Hg]'],
    ['59408-5', 'Oxygen saturation by pulse oximetry', '%'],
    ['29463-7', 'Body weight', 'kg'],
    ['8302-2', 'Body height', 'cm'],
    ['39156-5', 'Body mass index', 'kg/m2'],
    ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL'],
    ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL'],
    ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%'],
    ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL'],
  ]),
  condition: list(SYSTEMS.snomed, [
    ['38341003', 'Hypertensive disorder'],
    ['44054006', 'Diabetes mellitus type 2'],
    ['195967001', 'Asthma'],
    ['13645005', 'Chronic obstructive lung disease'],
    ['49436004', 'Atrial fibrillation'],
    ['35489007', 'Depressive disorder'],
    ['233604007', 'Pneumonia'],
    ['68566005', 'Urinary tract infectious disease'],
    ['396275006', 'Osteoarthritis'],
  ]),
  medication: list(SYSTEMS.rxnorm, [
    ['6809', 'metformin'],
    ['17767', 'amlodipine'],
    ['29046', 'lisinopril'],
    ['83367', 'atorvastatin'],
    ['1191', 'aspirin'],
    ['161', 'acetaminophen'],
    ['5640', 'ibuprofen'],
    ['723', 'amoxicillin'],
    ['435', 'albuterol'],
    ['10582', 'levothyroxine'],
  ]),
  allergen: list(SYSTEMS.snomed, [
    ['373270004', 'Penicillin (substance)'],
    ['387458008', 'Aspirin (substance)'],
    ['762952008', 'Peanut (substance)'],
    ['111088007', 'Latex (substance)'],
    ['102263004', 'Eggs (edible) (substance)'],
    ['3718001', "Cow's milk (substance)"],
    ['288328004', 'Bee venom (substance)'],
  ]),
  reaction: list(SYSTEMS.snomed, [
    ['271807003', 'Eruption of skin'],
    ['247472004', 'Weal (hives)'],
    ['418290006', 'Itching'],
    ['267036007', 'Dyspnea'],
    ['422587007', 'Nausea'],
    ['39579001', 'Anaphylaxis'],
  ]),
  vaccine: list(SYSTEMS.cvx, [
    ['140', 'Influenza, seasonal, injectable, preservative free'],
    ['208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose'],
    ['115', 'Tdap'],
    ['113', 'Td (adult), preservative free'],
    ['03', 'MMR'],
    ['08', 'Hep B, adolescent or pediatric'],
    ['21', 'Varicella'],
    ['133', 'Pneumococcal conjugate PCV 13'],
  ]),
  encounterType: list(SYSTEMS.snomed, [
    ['185349003', 'Encounter for check up'],
    ['390906007', 'Follow-up encounter'],
    ['185345009', 'Encounter for symptom'],
    ['50849002', 'Emergency room admission'],
  ]),
  encounterClass: list(SYSTEMS.actCode, [
    ['AMB', 'ambulatory'],
    ['EMER', 'emergency'],
    ['IMP', 'inpatient encounter'],
    ['HH', 'home health'],
    ['VR', 'virtual'],
  ]),
} as const satisfies Record<string, readonly PickCode[]>;

/** A pick list's name. */
export type PickListName = keyof typeof PICK_LISTS;
