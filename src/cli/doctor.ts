/**
 * `headless-discovery doctor <service>`: runs {@link diagnose} and prints each finding as soon as
 * its check completes (resolv.conf first: it needs no DNS), as PASS / WARN / FAIL / SKIP with its
 * evidence and the fix, then a summary that counts skipped checks apart. On a terminal, a progress
 * line on stderr names the check that is waiting, for how long, and the lookups it waits for; it
 * is erased when the doctor is done and never written when stderr is not a terminal. Exit code 0
 * when nothing failed, 1 otherwise.
 *
 * @module
 */
import { diagnose, type DiagnoseExtra, type Diagnosis, type DiscoveryOptions, type Finding, type FindingStatus } from '../index';
import { explainOnce, formatExplanation } from './explain';
import { ProgressLine, type TerminalStream } from './progress-line';
import { seconds } from './time';

const LABEL: Readonly<Record<FindingStatus, string>> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** Where the doctor writes: findings to `stdout`, the progress line to `stderr` when it is a terminal. */
export interface DoctorIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: TerminalStream;
  /** `--explain`: the pod explained after the checks, from one poll. */
  readonly explain?: string | undefined;
}

/** The first line: which Service is diagnosed. */
export function formatHeader(service: string): string {
  return `headless-discovery doctor ${service}\n\n`;
}

/** One finding: its status and title, the evidence indented, each fix after an arrow. */
export function formatFinding(finding: Finding): string {
  return `${[
    `${LABEL[finding.status]}  ${finding.title}`,
    ...finding.evidence.map((line) => `      ${line}`),
    ...finding.fix.map((line) => `   →  ${line}`),
  ].join('\n')}\n\n`;
}

/** `OK: 3 pass, 1 warn, 0 fail, 4 skipped` (skipped checks are neither passes nor warnings). */
export function formatSummary(diagnosis: Diagnosis): string {
  const counted = (status: FindingStatus): number => diagnosis.findings.filter((finding) => finding.status === status).length;
  return `${diagnosis.ok ? 'OK' : 'PROBLEMS FOUND'}: ${counted('pass')} pass, ${counted('warn')} warn, ${counted('fail')} fail, ${counted('skip')} skipped\n`;
}

/** Human-readable findings, all at once. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  return `${formatHeader(diagnosis.service)}${diagnosis.findings.map(formatFinding).join('')}${formatSummary(diagnosis)}`;
}

type Progress = Parameters<NonNullable<DiagnoseExtra['onProgress']>>[0];

/** What the running check waits for, and since when (by `now`). */
class Waiting {
  readonly #now: () => number;
  #progress: Progress | undefined;
  #since = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** A progress report of the diagnosis; a new check restarts the clock. */
  update(progress: Progress): void {
    if (progress.check !== this.#progress?.check) this.#since = this.#now();
    this.#progress = progress;
  }

  /** `… service-name (3.2 s): waiting for A mysql.default.svc.cluster.local.`; nothing before a check waits. */
  text(): string | undefined {
    const progress = this.#progress;
    if (!progress || progress.waitingFor.length === 0) return undefined;
    return `… ${progress.check} (${seconds(this.#now() - this.#since)}): waiting for ${progress.waitingFor.join(', ')}`;
  }
}

/** Run the checks and print them as they complete; resolves with the exit code. */
export async function runDoctor(options: DiscoveryOptions, json: boolean, io: DoctorIo, now: () => number = Date.now): Promise<number> {
  const waiting = new Waiting(now);
  const line = io.stderr.isTTY === true ? new ProgressLine(io.stderr, () => waiting.text()) : undefined;
  const print = (text: string): void => {
    if (line) line.above(() => io.stdout.write(text));
    else io.stdout.write(text);
  };
  try {
    const diagnosis = await diagnose(options, {
      onProgress: (progress) => {
        waiting.update(progress);
        line?.draw();
      },
      ...(json ? {} : { onFinding: (finding, soFar) => print(`${soFar.findings.length === 1 ? formatHeader(soFar.service) : ''}${formatFinding(finding)}`) }),
    });
    line?.stop();
    const explanation = io.explain === undefined ? undefined : await explainOnce(options, io.explain);
    if (json) io.stdout.write(`${JSON.stringify(explanation ? { ...diagnosis, explanation } : diagnosis, null, 2)}\n`);
    else io.stdout.write(`${formatSummary(diagnosis)}${explanation ? formatExplanation(explanation) : ''}`);
    return diagnosis.ok ? 0 : 1;
  } finally {
    line?.stop();
  }
}
