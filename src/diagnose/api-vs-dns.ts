/**
 * Check 13, `api-vs-dns`: DNS lists the ready endpoints of the EndpointSlices, no more and no
 * fewer (see `dns-agreement.ts`). The addresses of the Service name are compared with the
 * endpoints' addresses, and, with a named port whose SRV lookup answered, the SRV targets with
 * their hostnames. A difference is a warning (DNS answers are cached for their TTL, so a change
 * shows late; one that lasts means the cluster DNS does not follow the API), and a failure when
 * the two have no peer in common (the nameserver is not this cluster's DNS, or it lost track of
 * the Service). Each difference comes with the kubectl and dig commands that show both sides.
 * Skipped when either side could not be read.
 *
 * @module
 */
import { isObserved, type SrvRecord } from '../dns/types';
import { firstLabel, isPodHost } from '../names';
import type { ApiSlicesResult } from './api-endpointslices';
import type { ApiServiceResult } from './api-service';
import { dig, getEndpointSlices, kubeDnsCommands } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, count } from './describe';
import { agrees, compareWithDns, type DnsAgreement, type DnsListing } from './dns-agreement';
import { finding, skipped, skipReason } from './finding';
import type { ServiceNameResult } from './service-name';
import type { SrvResult } from './srv';
import type { Finding } from './types';

/** Run the check. */
export function checkApiVsDns(context: DiagnosisContext, apiService: ApiServiceResult, slices: ApiSlicesResult, service: ServiceNameResult, srv: SrvResult): Finding {
  const { config } = context;
  const title = 'DNS lists the ready endpoints of the EndpointSlices, no more, no fewer';
  if (apiService.apiUnavailable !== undefined) return skipped('api-vs-dns', title, apiService.apiUnavailable);
  if (slices.census === null) return skipped('api-vs-dns', title, 'the EndpointSlices could not be read (see api-endpointslices)');
  if (service.state === 'failed') return skipped('api-vs-dns', title, skipReason('failed'));

  const srvAnswered = srv.lookup !== undefined && srv.lookup.outcome === 'answer';
  const listing: DnsListing = { addresses: service.addresses, names: srvAnswered ? srvLabels(srv.records, config.serviceDomain) : null };
  const agreement = compareWithDns(slices.census.endpoints, listing);
  const ready = slices.census.endpoints.filter((endpoint) => endpoint.ready);
  const host = serviceHost(context);
  const evidence = [
    `EndpointSlices: ${count(ready.length, 'ready endpoint')}${ready.length === 0 ? '' : ` (${ready.map((endpoint) => endpoint.name).join(', ')})`}`,
    `DNS: ${host} → ${count(service.addresses.length, 'address', 'addresses')}${
      listing.names === null ? '' : `; SRV ${srv.lookup?.name ?? ''} → ${count(listing.names.length, 'target')}`
    }`,
  ];
  if (listing.names === null && config.port.kind === 'named') evidence.push('SRV targets not compared: the SRV lookup has no answer (see srv)');

  if (agrees(agreement)) {
    evidence.push(ready.length === 0 ? 'neither lists a peer' : `both list ${ready.map((endpoint) => endpoint.name).join(', ')}`);
    return finding('api-vs-dns', title, 'pass', evidence);
  }

  evidence.push(...differences(agreement, host));
  const unrelated = agreement.listed.length === 0 && (ready.length > 0 || agreement.unknownAddresses.length + agreement.unknownNames.length > 0);
  const ttl = longestTtl(service, srv);
  const fix = [
    `DNS answers are cached for their TTL (${ttl === undefined ? 'the records\' TTL' : `${ttl} s here`}, and CoreDNS's cache as long): a difference that outlasts it means the cluster DNS does not follow the API`,
    `what the API says: ${getEndpointSlices(config, 'wide')}`,
    `what DNS says: ${dig(config, host, service.lookups[0]?.type ?? 'A', '', service.lookups[0])}`,
  ];
  if (listing.names !== null && srv.lookup !== undefined) fix.push(`and the per-pod names: ${dig(config, srv.lookup.name, 'SRV', '', srv.lookup)}`);
  fix.push('CoreDNS builds its answers from the EndpointSlices it watches (it needs list and watch on them): kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50');
  if (agreement.unknownAddresses.length + agreement.unknownNames.length > 0 || unrelated) {
    fix.push(`is ${config.nameservers[0] === undefined ? 'the nameserver' : config.nameservers[0].address} this cluster's DNS (the kube-dns ClusterIP)?`, ...kubeDnsCommands(config).slice(0, 1));
  }
  return finding('api-vs-dns', title, unrelated ? 'fail' : 'warn', evidence, fix);
}

/** The first labels of the SRV targets under the Service; a target elsewhere stays whole. */
function srvLabels(records: readonly SrvRecord[], serviceDomain: string): string[] {
  return [...new Set(records.map((record) => (isPodHost(record.target, serviceDomain) ? firstLabel(record.target) : record.target)))];
}

/** One evidence line per difference. */
function differences(agreement: DnsAgreement, host: string): string[] {
  const lines: string[] = [];
  const missing = agreement.missing.map(({ endpoint, addresses, names }) => {
    const lacks = [
      ...addresses.map((address) => `no ${address.includes(':') ? 'AAAA' : 'A'} record ${address}`),
      ...names.map((name) => `no SRV target ${name}.${host}`),
    ];
    return `${endpoint.name} (${endpoint.addresses.join(', ')}): ${lacks.join(', ')}`;
  });
  if (missing.length > 0) lines.push(`in the EndpointSlices (ready), not in DNS: ${count(missing.length, 'peer')}`, ...capped(missing));
  if (agreement.notReady.length > 0) {
    lines.push(
      `in DNS, though the EndpointSlices say not ready: ${count(agreement.notReady.length, 'peer')}`,
      ...capped(agreement.notReady.map((endpoint) => `${endpoint.name} (${endpoint.addresses.join(', ')}): ${endpoint.terminating ? 'terminating' : 'not ready'}`)),
    );
  }
  const unknown = [...agreement.unknownAddresses.map((address) => `${address} (${address.includes(':') ? 'AAAA' : 'A'} record)`), ...agreement.unknownNames.map((name) => `${name.includes('.') ? name : `${name}.${host}`} (SRV target)`)];
  if (unknown.length > 0) lines.push(`in DNS, in no EndpointSlice: ${count(unknown.length, 'record')}`, ...capped(unknown));
  return lines;
}

/** The longest TTL of the records compared. */
function longestTtl(service: ServiceNameResult, srv: SrvResult): number | undefined {
  const ttls = [...service.lookups, ...(srv.lookup === undefined ? [] : [srv.lookup])].flatMap((result) =>
    !isObserved(result) ? [] : result.outcome === 'answer' ? result.answers.map((record) => record.ttl) : result.negativeTtl === undefined ? [] : [result.negativeTtl],
  );
  return ttls.length === 0 ? undefined : Math.max(...ttls);
}
