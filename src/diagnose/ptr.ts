/**
 * Check 5, `ptr`: the reverse lookup of each Service address names the pod it belongs to (the
 * per-pod name of `pod-names`, or at least a name under the Service). CoreDNS serves PTRs only
 * when its `kubernetes` plugin is authoritative for the reverse zones; without them, A/AAAA
 * discovery knows peers by address only. Missing or different PTRs are a warning.
 *
 * @module
 */
import { isSubdomainOf } from '../dns/name';
import { reverseName } from '../dns/reverse';
import { mapWithConcurrency } from '../sources/concurrency';
import { dig, GET_COREFILE } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, count, isFailure, outcomeText } from './describe';
import { finding, skipped, skipReason } from './finding';
import { CONCURRENCY, type PodNamesResult } from './pod-names';
import type { ServiceNameResult } from './service-name';
import type { Finding } from './types';

/** Run the check. */
export async function checkPtr(context: DiagnosisContext, service: ServiceNameResult, podNames: PodNamesResult): Promise<Finding> {
  const title = 'Reverse lookups (PTR) name the pods';
  if (service.state !== 'addresses') {
    return skipped('ptr', title, skipReason(service.state));
  }
  const { config } = context;
  const results = await mapWithConcurrency(service.addresses, CONCURRENCY, (address) => context.dns.lookup(reverseName(address), 'PTR'));

  const lines: string[] = [];
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const [index, address] of service.addresses.entries()) {
    const result = results[index];
    if (result === undefined) continue;
    const expected = podNames.endpoints.filter((endpoint) => endpoint.addresses.includes(address)).map((endpoint) => endpoint.host);
    if (result.outcome !== 'answer') {
      missing.push(address);
      lines.push(`${address} → ${outcomeText(result)}${isFailure(result) && result.server !== undefined ? ` from ${result.server}` : ''}`);
      continue;
    }
    const targets = result.answers.flatMap((record) => (record.type === 'PTR' ? [record.target] : []));
    const agrees =
      expected.length > 0
        ? targets.some((target) => expected.includes(target))
        : targets.some((target) => isSubdomainOf(target, config.serviceDomain) && target !== serviceHost(context));
    lines.push(`${address} → ${targets.join(', ')}${agrees ? '' : ` (expected ${expected.length > 0 ? expected.join(' or ') : `a name under ${serviceHost(context)}`})`}`);
    if (!agrees) mismatched.push(address);
  }

  const evidence = [`PTR of ${count(service.addresses.length, 'address', 'addresses')}:`, ...capped(lines)];
  const fix: string[] = [];
  const example = service.addresses[0] ?? '';
  if (missing.length > 0) {
    evidence.push(`${count(missing.length, 'address', 'addresses')} without a PTR record`);
    fix.push(
      `CoreDNS answers PTR queries only when the kubernetes plugin is authoritative for the reverse zones (the Corefile line "kubernetes ${config.clusterDomain} in-addr.arpa ip6.arpa"): ${GET_COREFILE}`,
      dig(config, '', `-x ${missing[0] ?? example}`),
    );
    if (config.port.kind !== 'named') fix.push('without PTR records, peers found through A/AAAA records are known by address only: a named port (SRV) names them');
  }
  if (mismatched.length > 0) {
    evidence.push(`${count(mismatched.length, 'address', 'addresses')} whose PTR names another host`);
    fix.push(
      'a pod selected by several Services has one PTR per Service, and a restarted pod may have been given an address another pod had: re-run, and compare',
      dig(config, '', `-x ${mismatched[0] ?? example}`),
    );
  }
  return finding('ptr', title, fix.length === 0 ? 'pass' : 'warn', evidence, fix);
}
