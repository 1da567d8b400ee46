/**
 * The address source: A and AAAA of `<service>.<namespace>.svc.<zone>` (used when the port has
 * no name, so there is no SRV record), each address named from its PTR record when one exists
 * (StatefulSet pods have one), else kept as an address-keyed endpoint.
 *
 * @module
 */
import { absoluteName, isSubdomainOf, relativeName } from '../dns/name';
import { reverseName } from '../dns/reverse';
import type { FailedResult, PtrRecord, Resolver } from '../dns/types';
import { lookupAddresses } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { toLookupError } from './lookup-error';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import type { Source, SourceSettings } from './source';

/** How many PTR lookups run at once. */
export const PTR_LOOKUP_CONCURRENCY = 8;

/** Settings of the address source. */
export type AddressSourceSettings = Pick<SourceSettings, 'serviceDomain' | 'port' | 'family'>;

interface Naming {
  readonly host: string | null;
  readonly queries: number;
  /** Set when the PTR lookup failed transiently. */
  readonly failure?: FailedResult;
}

interface CachedName {
  readonly host: string | null;
  readonly expiresAt: number;
}

/**
 * Create the address source. PTR answers are cached per address for their TTL: a pod keeps its
 * name for as long as it keeps its IP, and re-asking every poll would cost one query per pod.
 */
export function createAddressSource(
  resolver: Resolver,
  settings: AddressSourceSettings,
  now: () => number = Date.now,
): Source {
  const name = absoluteName(settings.serviceDomain);
  const names = new Map<string, CachedName>();

  async function nameOf(address: string, signal: AbortSignal): Promise<Naming> {
    const cached = names.get(address);
    if (cached && cached.expiresAt > now()) return { host: cached.host, queries: 0 };
    const result = await resolver.lookup(reverseName(address), 'PTR', signal);
    switch (result.outcome) {
      case 'timeout':
      case 'servfail':
      case 'network-error':
        // Transient: naming the peer by its address now would turn it into a leave + join.
        return { host: null, queries: result.queries, failure: result };
      case 'refused':
      case 'rcode':
        // This DNS serves no reverse zone: the peer stays address-keyed (not cached: cheap to ask).
        return { host: null, queries: result.queries };
      case 'nxdomain':
      case 'nodata':
        names.set(address, { host: null, expiresAt: now() + (result.negativeTtl ?? 0) * 1000 });
        return { host: null, queries: result.queries };
      case 'answer': {
        const ptrs = result.answers.filter((record): record is PtrRecord => record.type === 'PTR');
        // A pod selected by several Services has one PTR per Service; ours is under our Service.
        const ours = ptrs.map((record) => record.target).filter((target) => isSubdomainOf(target, settings.serviceDomain));
        const host = ours.length === 0 ? null : relativeName(ours.sort()[0] as string);
        const ttl = ptrs.length === 0 ? 0 : Math.min(...ptrs.map((record) => record.ttl));
        names.set(address, { host, expiresAt: now() + ttl * 1000 });
        return { host, queries: result.queries };
      }
    }
  }

  async function observe(signal: AbortSignal): Promise<Observation> {
    const lookup = await lookupAddresses(resolver, name, settings.family, signal);
    let queries = lookup.queries;
    if (lookup.failure) return { ok: false, source: 'address', error: toLookupError(lookup.failure), queries };
    const records = lookup.records;
    const addresses = [...new Set(records.map((record) => record.address))];
    for (const known of names.keys()) if (!addresses.includes(known)) names.delete(known);

    const named = await mapWithConcurrency(addresses, PTR_LOOKUP_CONCURRENCY, (address) => nameOf(address, signal));
    const endpoints: ObservedEndpoint[] = [];
    for (const [index, result] of named.entries()) {
      queries += result.queries;
      if (result.failure) return { ok: false, source: 'address', error: toLookupError(result.failure), queries };
      endpoints.push({ host: result.host, addresses: [addresses[index] as string], port: settings.port });
    }
    return { ok: true, source: 'address', endpoints, queries };
  }

  return { name: 'address', observe };
}
