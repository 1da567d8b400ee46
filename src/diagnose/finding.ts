/**
 * Building findings: one constructor for every status, and the form of a skipped check (a
 * `skip` whose only evidence is `skipped: <reason>`, with no fix: the failure it depends on has
 * one, and a check that does not apply needs none).
 *
 * @module
 */
import type { CheckId, Finding, FindingStatus } from './types';

/** A finding; `fix` is dropped for a pass and a skip. */
export function finding(
  check: CheckId,
  title: string,
  status: FindingStatus,
  evidence: readonly string[],
  fix: readonly string[] = [],
): Finding {
  return { check, title, status, evidence: [...evidence], fix: status === 'pass' || status === 'skip' ? [] : [...fix] };
}

/** A check that did not run: an earlier one failed, nothing was there to measure, or it does not apply. */
export function skipped(check: CheckId, title: string, reason: string): Finding {
  return finding(check, title, 'skip', [`skipped: ${reason}`]);
}

/** The worst of the statuses of the parts of one check (`fail` > `warn` > `pass`). */
export function worst(statuses: readonly FindingStatus[]): FindingStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}

/** Why a check that needs the Service's addresses is skipped, for a `service-name` state other than `addresses`. */
export function skipReason(state: 'failed' | 'nxdomain' | 'no-addresses'): string {
  return state === 'failed' ? 'DNS lookups fail (see service-name)' : 'the Service name has no addresses (see service-name)';
}
