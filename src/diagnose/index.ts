/**
 * The public surface of the diagnosis: `diagnose()` and its result types.
 *
 * @module
 */
export { diagnose } from './on-demand';
export { CHECK_IDS } from './types';
export type { CheckId, DiagnoseExtra, Diagnosis, DiagnosisProgress, Finding, FindingStatus } from './types';
