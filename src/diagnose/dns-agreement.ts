/**
 * Whether DNS lists what the EndpointSlices say it should, as a pure comparison: CoreDNS
 * publishes each endpoint whose `conditions.ready` is true (the Service's A/AAAA records carry
 * its addresses; an SRV target is `<hostname>.<service>…`, or the dashed address of an endpoint
 * without a hostname), and nothing else. A ready endpoint with an address or a name DNS lacks is
 * missing from DNS; an endpoint the slices hold but do not call ready, which DNS lists anyway,
 * is stale in DNS; an address or name no endpoint of the slices has is unknown to the API.
 *
 * @module
 */
import type { CensusEndpoint } from '../kubernetes/slice-census';
import { dashedName } from '../names';

/** What DNS listed. */
export interface DnsListing {
  /** The Service name's addresses (of the families asked). */
  readonly addresses: readonly string[];
  /** The first labels of the SRV targets, lower case; `null` when there is no SRV answer to compare. */
  readonly names: readonly string[] | null;
}

/** A ready endpoint of the slices that DNS does not fully list. */
export interface MissingFromDns {
  readonly endpoint: CensusEndpoint;
  /** Its addresses DNS lacks. */
  readonly addresses: readonly string[];
  /** Its SRV target labels DNS lacks. */
  readonly names: readonly string[];
}

/** How DNS and the slices compare. */
export interface DnsAgreement {
  /** Ready endpoints DNS lists completely (every address, and its name when names are compared). */
  readonly listed: readonly CensusEndpoint[];
  /** Ready endpoints DNS lists only in part, or not at all. */
  readonly missing: readonly MissingFromDns[];
  /** Endpoints the slices do not call ready (not ready, terminating) that DNS lists all the same. */
  readonly notReady: readonly CensusEndpoint[];
  /** Addresses in DNS that no endpoint of the slices has. */
  readonly unknownAddresses: readonly string[];
  /** SRV target labels that no endpoint of the slices has. */
  readonly unknownNames: readonly string[];
}

/** The SRV target labels CoreDNS gives an endpoint: its hostname, else one dashed name per address. */
export function expectedNames(endpoint: CensusEndpoint): readonly string[] {
  return endpoint.hostname === undefined ? endpoint.addresses.map(dashedName) : [endpoint.hostname.toLowerCase()];
}

/** Compare the slices' endpoints (a census, in the families asked) with what DNS listed. */
export function compareWithDns(endpoints: readonly CensusEndpoint[], dns: DnsListing): DnsAgreement {
  const addresses = new Set(dns.addresses);
  const names = dns.names === null ? null : new Set(dns.names.map((name) => name.toLowerCase()));
  const listed: CensusEndpoint[] = [];
  const missing: MissingFromDns[] = [];
  const notReady: CensusEndpoint[] = [];
  const knownAddresses = new Set<string>();
  const knownNames = new Set<string>();
  for (const endpoint of endpoints) {
    const own = expectedNames(endpoint);
    for (const address of endpoint.addresses) knownAddresses.add(address);
    for (const name of own) knownNames.add(name);
    if (!endpoint.ready) {
      if (endpoint.addresses.some((address) => addresses.has(address)) || own.some((name) => names?.has(name) === true)) notReady.push(endpoint);
      continue;
    }
    const lackedAddresses = endpoint.addresses.filter((address) => !addresses.has(address));
    const lackedNames = names === null ? [] : own.filter((name) => !names.has(name));
    if (lackedAddresses.length === 0 && lackedNames.length === 0) listed.push(endpoint);
    else missing.push({ endpoint, addresses: lackedAddresses, names: lackedNames });
  }
  return {
    listed,
    missing,
    notReady,
    unknownAddresses: [...addresses].filter((address) => !knownAddresses.has(address)),
    unknownNames: names === null ? [] : [...names].filter((name) => !knownNames.has(name)).sort(),
  };
}

/** True when DNS lists exactly the ready endpoints. */
export function agrees(agreement: DnsAgreement): boolean {
  return agreement.missing.length === 0 && agreement.notReady.length === 0 && agreement.unknownAddresses.length === 0 && agreement.unknownNames.length === 0;
}
