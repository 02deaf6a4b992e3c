/**
 * Code lists and weights of the synthetic patient generator (synthetic.ts): rough US proportions, chosen
 * to look realistic in tests and figures, not to be accurate.
 */

/** A condition: SNOMED CT and ICD-10-CM codes, and how its probability grows with age. */
export interface ConditionDef {
  readonly snomed: string;
  readonly icd10: string;
  readonly display: string;
  /** Probability per patient at age 0 and at age 80 (linear in between, flat after). */
  readonly p0: number;
  readonly p80: number;
  /** RxNorm code and display of a usual prescription, if any. */
  readonly rx?: readonly [string, string];
}

// biome-ignore format: one row per condition
export const CONDITIONS: readonly ConditionDef[] = [
  { snomed: '44054006', icd10: 'E11.9', display: 'Type 2 diabetes mellitus', p0: 0.005, p80: 0.25, rx: ['860975', 'metformin 500 MG Oral Tablet'] },
  { snomed: '38341003', icd10: 'I10', display: 'Hypertensive disorder', p0: 0.01, p80: 0.55, rx: ['314076', 'lisinopril 10 MG Oral Tablet'] },
  { snomed: '195967001', icd10: 'J45.909', display: 'Asthma', p0: 0.09, p80: 0.07, rx: ['745679', 'albuterol 0.09 MG/ACTUAT Inhaler'] },
  { snomed: '13645005', icd10: 'J44.9', display: 'Chronic obstructive lung disease', p0: 0, p80: 0.12 },
  { snomed: '35489007', icd10: 'F32.9', display: 'Depressive disorder', p0: 0.03, p80: 0.08 },
  { snomed: '197480006', icd10: 'F41.9', display: 'Anxiety disorder', p0: 0.04, p80: 0.06 },
  { snomed: '55822004', icd10: 'E78.5', display: 'Hyperlipidemia', p0: 0.01, p80: 0.45, rx: ['617310', 'atorvastatin 20 MG Oral Tablet'] },
  { snomed: '49436004', icd10: 'I48.91', display: 'Atrial fibrillation', p0: 0, p80: 0.1 },
  { snomed: '709044004', icd10: 'N18.9', display: 'Chronic kidney disease', p0: 0.002, p80: 0.2 },
  { snomed: '53741008', icd10: 'I25.10', display: 'Coronary arteriosclerosis', p0: 0, p80: 0.18 },
  { snomed: '414916001', icd10: 'E66.9', display: 'Obesity', p0: 0.15, p80: 0.3 },
  { snomed: '26929004', icd10: 'G30.9', display: "Alzheimer's disease", p0: 0, p80: 0.1 },
  { snomed: '86406008', icd10: 'B20', display: 'Human immunodeficiency virus infection', p0: 0.001, p80: 0.004 },
  { snomed: '363406005', icd10: 'C18.9', display: 'Malignant neoplasm of colon', p0: 0, p80: 0.02 },
  { snomed: '254837009', icd10: 'C50.919', display: 'Malignant neoplasm of breast', p0: 0, p80: 0.04 },
];

/** ZIP3 prefixes with their state and weight; a few are Safe Harbor's restricted prefixes. */
// biome-ignore format: a table
export const ZIP3S: readonly (readonly [zip3: string, state: string, city: string, weight: number])[] = [
  ['021', 'MA', 'Boston', 8], ['024', 'MA', 'Lexington', 4], ['100', 'NY', 'New York', 12],
  ['112', 'NY', 'Brooklyn', 10], ['102', 'NY', 'New York', 0.3], ['036', 'NH', 'Claremont', 0.3],
  ['059', 'VT', 'Derby', 0.2], ['606', 'IL', 'Chicago', 10], ['601', 'IL', 'Carol Stream', 4],
  ['900', 'CA', 'Los Angeles', 12], ['941', 'CA', 'San Francisco', 6], ['945', 'CA', 'Oakland', 5],
  ['770', 'TX', 'Houston', 9], ['750', 'TX', 'Dallas', 7], ['790', 'TX', 'Amarillo', 0.4],
  ['331', 'FL', 'Miami', 7], ['330', 'FL', 'Hollywood', 5], ['981', 'WA', 'Seattle', 5],
  ['303', 'GA', 'Atlanta', 6], ['191', 'PA', 'Philadelphia', 7], ['821', 'WY', 'Yellowstone', 0.1],
  ['830', 'WY', 'Jackson', 0.2], ['893', 'NV', 'Ely', 0.1], ['850', 'AZ', 'Phoenix', 6],
  ['802', 'CO', 'Denver', 5],
];

/** US Core (OMB) ethnicity codes; `null` means no extension at all. */
export const ETHNICITIES: readonly (readonly [code: string | null, display: string, weight: number])[] = [
  ['2135-2', 'Hispanic or Latino', 19],
  ['2186-5', 'Not Hispanic or Latino', 78],
  [null, '', 3],
];

/** US Core (OMB) race codes; `null` means no extension at all. */
export const RACES: readonly (readonly [code: string | null, display: string, weight: number])[] = [
  ['2106-3', 'White', 60],
  ['2054-5', 'Black or African American', 13],
  ['2028-9', 'Asian', 6],
  ['1002-5', 'American Indian or Alaska Native', 1],
  ['2076-8', 'Native Hawaiian or Other Pacific Islander', 0.3],
  ['2131-1', 'Other Race', 8],
  [null, '', 11.7],
];

/** Age bands [from, to] and weights; the tail past 89 exercises the 90+ rule. */
// biome-ignore format: a table
export const AGE_BANDS: readonly (readonly [from: number, to: number, weight: number])[] = [
  [0, 17, 22], [18, 34, 23], [35, 49, 19], [50, 64, 19], [65, 79, 12], [80, 89, 4], [90, 104, 1],
];

export const GIVEN = [
  'Ana',
  'Ben',
  'Chen',
  'Dana',
  'Emil',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kofi',
  'Lena',
];
export const FAMILY = [
  'Abbott',
  'Baker',
  'Cruz',
  'Dubois',
  'Eze',
  'Fischer',
  'Garcia',
  'Huang',
  'Ito',
  'Jensen',
];
export const STREETS = ['Elm', 'Oak', 'Maple', 'Cedar', 'Pine', 'Birch', 'Walnut', 'Spruce'];
