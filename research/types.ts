/** Shared shapes of the research core. */
import type { Patient, Resource } from '@medplum/fhirtypes';

/** One patient's resources as the export sees them: the Patient and everything that refers to it. */
export interface PatientRecord {
  readonly patient: Patient;
  readonly resources: readonly Resource[];
}
