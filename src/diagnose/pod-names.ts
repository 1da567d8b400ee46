/**
 * Check 4, `pod-names`: the per-pod names resolve. The names are the SRV targets (with a named
 * port whose SRV answered), else the PTR names of the Service's addresses. Each must resolve
 * with A/AAAA, to the addresses the SRV glue (or the PTR) gave. Targets named by a dashed
 * address (`10-244-1-7.<svc>…`) belong to pods without `hostname`/`subdomain`: not StatefulSet
 * pods, or the StatefulSet's `serviceName` is another Service (warn).
 *
 * @module
 */
import { isSubdomainOf } from '../dns/name';
import { reverseName } from '../dns/reverse';
import type { AddressRecord, FailedResult, LookupResult } from '../dns/types';
import { compareAddresses } from '../membership/identity';
import { firstLabel, isDashedAddressName } from '../names';
import { addressTypes, isAddressOf } from '../sources/address-lookup';
import { mapWithConcurrency } from '../sources/concurrency';
import { dig, getEndpointSlices } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, count, isFailure, outcomeText } from './describe';
import { failureFix } from './failure';
import { finding, skipped, skipReason, worst } from './finding';
import type { ServiceNameResult } from './service-name';
import type { SrvResult } from './srv';
import type { Finding, FindingStatus } from './types';

/** Lookups in flight at once. */
export const CONCURRENCY = 8;

/** A per-pod name and what is known of its addresses. */
export interface NamedEndpoint {
  /** Absolute, lower-case, with its trailing dot. */
  readonly host: string;
  /** The first label: the pod's hostname (`mysql-0`) or its dashed address. */
  readonly label: string;
  /** Resolved, glue and PTR-source addresses, IPv4 first. */
  readonly addresses: readonly string[];
  /** Resolved addresses only (empty when the name did not resolve). */
  readonly resolved: readonly string[];
  /** True when the label is the pod's address with dashes (a pod without a hostname). */
  readonly dashed: boolean;
}

/** The finding and the endpoints, for the checks that follow. */
export interface PodNamesResult {
  readonly finding: Finding;
  readonly endpoints: readonly NamedEndpoint[];
  /** Where the names came from: SRV targets, PTR names, or nowhere (skipped, or no names). */
  readonly from: 'srv' | 'ptr' | 'none';
}

const DASHED_IPV4 = /^\d{1,3}(-\d{1,3}){3}$/;

/** Run the check. */
export async function checkPodNames(context: DiagnosisContext, service: ServiceNameResult, srv: SrvResult): Promise<PodNamesResult> {
  const title = 'Per-pod names resolve';
  if (service.state !== 'addresses') {
    return { finding: skipped('pod-names', title, skipReason(service.state)), endpoints: [], from: 'none' };
  }

  const expected = new Map<string, Set<string>>();
  const evidence: string[] = [];
  let from: 'srv' | 'ptr';
  if (srv.records.length > 0) {
    from = 'srv';
    for (const record of srv.records) expected.set(record.target, expected.get(record.target) ?? new Set());
    for (const glue of srv.glue) expected.get(glue.name)?.add(glue.address);
    evidence.push(`names: the ${count(expected.size, 'SRV target')}`);
  } else {
    from = 'ptr';
    const unnamed = await collectPtrNames(context, service.addresses, expected);
    evidence.push(`names: the PTR names of the ${count(service.addresses.length, 'address', 'addresses')} (no SRV answer)`);
    if (unnamed.length > 0) evidence.push(`${count(unnamed.length, 'address', 'addresses')} without a PTR name under ${serviceHost(context)}: ${unnamed.join(', ')} (see ptr)`);
    if (expected.size === 0) {
      return {
        finding: finding('pod-names', title, 'warn', [...evidence, 'no per-pod name found: peers are known by address only'], [
          `the pods need a hostname and a PTR record: see the ptr finding`,
        ]),
        endpoints: [],
        from: 'none',
      };
    }
  }

  const names = [...expected.keys()].sort();
  const lookups = await mapWithConcurrency(names, CONCURRENCY, (name) =>
    Promise.all(addressTypes(context.config.family).map((type) => context.dns.lookup(name, type))),
  );

  const statuses: FindingStatus[] = [];
  const lines: string[] = [];
  const problems: string[] = [];
  const endpoints: NamedEndpoint[] = [];
  let failure: FailedResult | undefined;
  let unresolved = 0;
  for (const [index, name] of names.entries()) {
    const results = lookups[index] ?? [];
    const given = [...(expected.get(name) ?? [])].sort(compareAddresses);
    const resolved = addressesOf(results, context);
    const label = firstLabel(name);
    const addresses = [...new Set([...resolved, ...given])].sort(compareAddresses);
    const dashed = isDashedAddressName(label, addresses) || DASHED_IPV4.test(label);
    endpoints.push({ host: name, label, addresses, resolved, dashed });

    const failed = results.find(isFailure);
    const givenText = given.length === 0 ? '' : ` (${from === 'srv' ? 'glue' : 'PTR of'} ${given.join(', ')})`;
    if (failed) {
      failure ??= failed;
      statuses.push('fail');
      problems.push(`${name}: ${failed.type} lookup failed: ${outcomeText(failed)}`);
    } else if (resolved.length === 0) {
      statuses.push('warn');
      unresolved++;
      problems.push(`${name}: does not resolve (${results.map((result) => `${result.type} ${outcomeText(result)}`).join('; ')})`);
    } else if (given.length > 0 && !sameAddresses(resolved, given, from)) {
      statuses.push('warn');
      unresolved++;
      problems.push(`${name}: resolves to ${resolved.join(', ')}, but ${from === 'srv' ? 'the SRV glue says' : 'its PTR came from'} ${given.join(', ')}`);
    }
    lines.push(`${name} → ${resolved.length === 0 ? 'nothing' : resolved.join(', ')}${givenText}${dashed ? ' [named by address]' : ''}`);
  }

  const dashed = endpoints.filter((endpoint) => endpoint.dashed);
  if (dashed.length > 0) statuses.push('warn');
  const fix: string[] = [];
  if (failure) fix.push(...failureFix(context, failure));
  if (unresolved > 0) {
    fix.push(
      're-run: a pod that restarted or stopped between the queries changes what its name resolves to; if it persists, compare with the endpoints:',
      getEndpointSlices(context.config, 'yaml'),
      dig(context.config, names[0] ?? serviceHost(context), 'A'),
    );
  }
  if (dashed.length > 0) {
    fix.push(
      `${count(dashed.length, 'name')} ${dashed.length === 1 ? 'is' : 'are'} the pod address with dashes: those pods have no hostname/subdomain, so they are not StatefulSet pods, or the StatefulSet's serviceName is not "${context.config.service}" (per-pod names and ordinals need both)`,
      `kubectl get statefulset -n ${context.config.namespace} -o custom-columns=NAME:.metadata.name,SERVICE:.spec.serviceName`,
      `kubectl get pods -n ${context.config.namespace} -o custom-columns=NAME:.metadata.name,HOSTNAME:.spec.hostname,SUBDOMAIN:.spec.subdomain`,
    );
  }
  return {
    finding: finding('pod-names', title, worst(statuses), [...evidence, ...capped(lines), ...problems], fix),
    endpoints,
    from,
  };
}

/** Fill `names` with the PTR names (under the Service) of `addresses`; return the addresses that have none. */
async function collectPtrNames(context: DiagnosisContext, addresses: readonly string[], names: Map<string, Set<string>>): Promise<string[]> {
  const results = await mapWithConcurrency(addresses, CONCURRENCY, (address) => context.dns.lookup(reverseName(address), 'PTR'));
  const unnamed: string[] = [];
  for (const [index, address] of addresses.entries()) {
    const result = results[index];
    const targets =
      result?.outcome === 'answer'
        ? result.answers.flatMap((record) =>
            record.type === 'PTR' && isSubdomainOf(record.target, context.config.serviceDomain) && record.target !== serviceHost(context) ? [record.target] : [],
          )
        : [];
    if (targets.length === 0) unnamed.push(address);
    for (const target of targets) names.set(target, (names.get(target) ?? new Set()).add(address));
  }
  return unnamed;
}

function addressesOf(results: readonly LookupResult[], context: DiagnosisContext): string[] {
  const records = results.flatMap((result) =>
    result.outcome === 'answer' ? result.answers.filter((record): record is AddressRecord => isAddressOf(record, context.config.family)) : [],
  );
  return [...new Set(records.map((record) => record.address))].sort(compareAddresses);
}

/** SRV glue must equal the name's addresses; a PTR source must be one of them. */
function sameAddresses(resolved: readonly string[], given: readonly string[], from: 'srv' | 'ptr'): boolean {
  if (from === 'ptr') return given.every((address) => resolved.includes(address));
  return resolved.length === given.length && resolved.every((address, index) => address === given[index]);
}
