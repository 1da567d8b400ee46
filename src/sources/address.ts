/**
 * The address source: A and AAAA of `<service>.<namespace>.svc.<zone>` (used when the port has
 * no name, so there is no SRV record), each address named from its PTR record when one exists
 * (StatefulSet pods have one), else kept as an address-keyed endpoint.
 *
 * @module
 */
import { absoluteName, relativeName } from '../dns/name';
import { reverseName } from '../dns/reverse';
import type { FailedResult, PtrRecord, Resolver } from '../dns/types';
import { isPodHost } from '../names';
import { lookupAddresses } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { withPollScope } from './poll-scope';
import { toLookupError } from './lookup-error';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import type { Source, SourceSettings } from './source';

/** How many PTR lookups run at once. */
export const PTR_LOOKUP_CONCURRENCY = 8;

/** Settings of the address source. */
export type AddressSourceSettings = Pick<SourceSettings, 'serviceDomain' | 'port' | 'family'>;

interface Naming {
  readonly host: string | null;
  /** PTR names of the address that are not pods of this Service. */
  readonly foreign?: readonly string[];
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

  async function nameOf(lookups: Resolver, address: string): Promise<Naming> {
    const cached = names.get(address);
    if (cached && cached.expiresAt > now()) return { host: cached.host, queries: 0 };
    const result = await lookups.lookup(reverseName(address), 'PTR');
    switch (result.outcome) {
      case 'timeout':
      case 'servfail':
      case 'network-error':
        // Transient: naming the peer by its address now would turn it into a leave + join. The
        // name it had (even past its TTL) stays until the PTR answers again.
        return cached ? { host: cached.host, queries: result.queries } : { host: null, queries: result.queries, failure: result };
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
        const ours = ptrs.map((record) => record.target).filter((target) => isPodHost(target, settings.serviceDomain));
        const host = ours.length === 0 ? null : relativeName(ours.sort()[0] as string);
        const ttl = ptrs.length === 0 ? 0 : Math.min(...ptrs.map((record) => record.ttl));
        names.set(address, { host, expiresAt: now() + ttl * 1000 });
        // Named only by another Service's pod (or not at all under ours): the address stays ours, the name does not.
        const foreign = host === null ? ptrs.map((record) => record.target) : [];
        return { host, queries: result.queries, ...(foreign.length > 0 ? { foreign } : {}) };
      }
    }
  }

  async function observe(signal: AbortSignal): Promise<Observation> {
    const lookup = await lookupAddresses(resolver, name, settings.family, signal);
    let queries = lookup.queries;
    if (lookup.failure) return { ok: false, source: 'address', error: toLookupError(lookup.failure), queries };
    const records = lookup.records;
    const addresses = [...new Set(records.map((record) => record.address))];
    const listed = new Set(addresses);
    for (const known of names.keys()) if (!listed.has(known)) names.delete(known);

    const named = await withPollScope(resolver, signal, (scoped) =>
      mapWithConcurrency(addresses, PTR_LOOKUP_CONCURRENCY, (address) => nameOf(scoped, address)),
    );
    const endpoints: ObservedEndpoint[] = [];
    const foreign = new Set<string>();
    let unnamed: FailedResult | undefined;
    for (const [index, result] of named.entries()) {
      queries += result.queries;
      for (const host of result.foreign ?? []) foreign.add(host);
      // An address we could not name yet is left out of this poll, which then proves no absence.
      if (result.failure) unnamed ??= result.failure;
      else endpoints.push({ host: result.host, addresses: [addresses[index] as string], port: settings.port });
    }
    if (unnamed && endpoints.length === 0) return { ok: false, source: 'address', error: toLookupError(unnamed), queries };
    const partial = unnamed !== undefined || lookup.truncated;
    return { ok: true, source: 'address', endpoints, queries, ...(partial ? { partial } : {}), ...(foreign.size > 0 ? { foreign: [...foreign] } : {}) };
  }

  return { name: 'address', observe };
}
