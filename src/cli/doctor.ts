/**
 * `headless-discovery doctor <service>`: runs {@link diagnose} and prints each finding as
 * PASS / WARN / FAIL with its evidence and the fix. Exit code 0 when nothing failed, 1 otherwise.
 *
 * @module
 */
import { diagnose, type Diagnosis, type DiscoveryOptions, type Finding } from '../index';

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/** Human-readable findings. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const lines = [`headless-discovery doctor ${diagnosis.service}`, ''];
  for (const finding of diagnosis.findings) lines.push(...formatFinding(finding));
  const counts = (['pass', 'warn', 'fail'] as const).map((status) => `${diagnosis.findings.filter((finding) => finding.status === status).length} ${status}`);
  lines.push(`${diagnosis.ok ? 'OK' : 'PROBLEMS FOUND'}: ${counts.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function formatFinding(finding: Finding): string[] {
  return [
    `${LABEL[finding.status]}  ${finding.title}`,
    ...finding.evidence.map((line) => `      ${line}`),
    ...finding.fix.map((line) => `   →  ${line}`),
    '',
  ];
}

/** Run the checks and print them; resolves with the exit code. */
export async function runDoctor(options: DiscoveryOptions, json: boolean, write: (text: string) => void): Promise<number> {
  const diagnosis = await diagnose(options);
  write(json ? `${JSON.stringify(diagnosis, null, 2)}\n` : formatDiagnosis(diagnosis));
  return diagnosis.ok ? 0 : 1;
}
