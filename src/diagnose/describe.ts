/**
 * Lookup results and records as evidence lines: the query, the server, the RCODE, the records
 * and their TTLs, in the form `dig` users read.
 *
 * @module
 */
import type { DnsRecord, FailedResult, LookupResult } from '../dns/types';
import { isObserved } from '../dns/types';

/** The most lines a list of records or names contributes to the evidence. */
export const MAX_LINES = 20;

/** True when the lookup failed (SERVFAIL, REFUSED, another RCODE, timeout, network error). */
export function isFailure(result: LookupResult): result is FailedResult {
  return !isObserved(result);
}

/** `NXDOMAIN (negative TTL 5 s)`, `SERVFAIL (RCODE 2)`, `3 records`, … */
export function outcomeText(result: LookupResult): string {
  switch (result.outcome) {
    case 'answer':
      return `${result.answers.length} ${result.answers.length === 1 ? 'record' : 'records'}`;
    case 'nodata':
      return `NOERROR with no ${result.type} record (NODATA)${negativeText(result.negativeTtl)}`;
    case 'nxdomain':
      return `NXDOMAIN${negativeText(result.negativeTtl)}`;
    case 'servfail':
      return `SERVFAIL (RCODE ${result.rcode})`;
    case 'refused':
      return `REFUSED (RCODE ${result.rcode})`;
    case 'rcode':
      return `RCODE ${result.rcode}`;
    case 'timeout':
      return `no answer: timed out (${result.queries} ${result.queries === 1 ? 'query' : 'queries'} sent)`;
    case 'network-error':
      return `network error: ${result.error.message}`;
  }
}

function negativeText(ttl: number | undefined): string {
  return ttl === undefined ? ', no SOA' : `, negative TTL ${ttl} s`;
}

/** `SRV _mysql._tcp.mysql.default.svc.cluster.local. @10.96.0.10:53 over TCP → 3 records` */
export function lookupLine(result: LookupResult): string {
  const server = result.server === undefined ? '' : ` @${result.server}`;
  const transport = result.transport === 'tcp' ? ' over TCP' : '';
  return `${result.type} ${result.name}${server}${transport} → ${outcomeText(result)}`;
}

/** A record in zone-file form: `mysql-0.mysql.default.svc.cluster.local. 5 A 10.244.0.1`. */
export function recordText(record: DnsRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return `${record.name} ${record.ttl} ${record.type} ${record.address}`;
    case 'SRV':
      return `${record.name} ${record.ttl} SRV ${record.priority} ${record.weight} ${record.port} ${record.target}`;
    case 'PTR':
      return `${record.name} ${record.ttl} PTR ${record.target}`;
  }
}

/** `lines`, indented, cut to {@link MAX_LINES} with a `… and N more` line. */
export function capped(lines: readonly string[], indent = '  '): string[] {
  const shown = lines.slice(0, MAX_LINES).map((line) => `${indent}${line}`);
  if (lines.length > MAX_LINES) shown.push(`${indent}… and ${lines.length - MAX_LINES} more`);
  return shown;
}

/** `1 pod` / `3 pods`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
