/**
 * How a running diagnosis tells its caller what it knows and what it waits for: each finding as
 * its check completes (`onFinding`), and which check runs and which lookups it waits for
 * (`onProgress`). The findings are collected here, so what the callbacks saw and what
 * `diagnose()` resolves with are the same list.
 *
 * @module
 */
import type { CheckId, DiagnoseExtra, Diagnosis, Finding } from './types';

/** The findings of one diagnosis so far, and the callbacks that follow it. */
export class DiagnosisReporter {
  readonly #service: string;
  readonly #onFinding: DiagnoseExtra['onFinding'];
  readonly #onProgress: DiagnoseExtra['onProgress'];
  readonly #findings: Finding[] = [];
  #check: CheckId | undefined;

  constructor(service: string, extra: Pick<DiagnoseExtra, 'onFinding' | 'onProgress'>) {
    this.#service = service;
    this.#onFinding = extra.onFinding;
    this.#onProgress = extra.onProgress;
  }

  /** `check` starts (and waits for nothing yet). */
  begin(check: CheckId): void {
    this.#check = check;
    this.#onProgress?.({ check, waitingFor: [] });
  }

  /** The lookups in flight changed. */
  waiting(lookups: readonly string[]): void {
    if (this.#check !== undefined) this.#onProgress?.({ check: this.#check, waitingFor: lookups });
  }

  /** The running check's finding. */
  found(finding: Finding): void {
    this.#findings.push(finding);
    this.#onFinding?.(finding, this.diagnosis());
  }

  /** The diagnosis as far as it got. */
  diagnosis(): Diagnosis {
    const findings = [...this.#findings];
    return { service: this.#service, findings, ok: findings.every((finding) => finding.status !== 'fail') };
  }
}
