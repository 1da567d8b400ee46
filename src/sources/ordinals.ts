/**
 * The ordinals source: the names a StatefulSet's pods get, predicted from the ordinal range
 * (`<sts>-<i>.<service>.<ns>.svc.<zone>` for `i` in `[ordinalStart, ordinalStart + replicas)`),
 * each looked up with A/AAAA. A fallback for when the Service-level records fail; it cannot
 * see pods beyond the configured `expectedReplicas`.
 *
 * @module
 */
import { absoluteName } from '../dns/name';
import type { FailedResult, Resolver } from '../dns/types';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import { predictedHost } from '../names';
import { lookupAddresses } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { withPollScope } from './poll-scope';
import { toLookupError } from './lookup-error';
import type { Source, SourceSettings } from './source';

/** How many per-pod lookups run at once. */
export const ORDINAL_LOOKUP_CONCURRENCY = 8;

/** Settings of the ordinals source. */
export type OrdinalsSourceSettings = Pick<SourceSettings, 'statefulSet' | 'serviceDomain' | 'ordinalStart' | 'replicas' | 'port' | 'family'>;

/** Create the ordinals source. A name that does not exist (NXDOMAIN) is a pod that is not there. */
export function createOrdinalsSource(resolver: Resolver, settings: OrdinalsSourceSettings): Source {
  const hosts = Array.from({ length: settings.replicas }, (_, index) =>
    predictedHost(settings.statefulSet, settings.ordinalStart + index, settings.serviceDomain),
  );

  async function observe(signal: AbortSignal): Promise<Observation> {
    const lookups = await withPollScope(resolver, signal, (scoped) =>
      mapWithConcurrency(hosts, ORDINAL_LOOKUP_CONCURRENCY, (host) => lookupAddresses(scoped, absoluteName(host), settings.family)),
    );
    let queries = 0;
    let failure: FailedResult | undefined;
    let failed = 0;
    const endpoints: ObservedEndpoint[] = [];
    for (const [index, lookup] of lookups.entries()) {
      queries += lookup.queries;
      if (lookup.failure) {
        // A name we could not look up says nothing about that pod: the others still count.
        failure ??= lookup.failure;
        failed += 1;
        continue;
      }
      if (lookup.records.length === 0) continue;
      endpoints.push({
        host: hosts[index] as string,
        addresses: [...new Set(lookup.records.map((record) => record.address))],
        port: settings.port,
      });
    }
    if (failure && failed === hosts.length) return { ok: false, source: 'ordinals', error: toLookupError(failure), queries };
    return { ok: true, source: 'ordinals', endpoints, queries, ...(failure ? { partial: true } : {}) };
  }

  return { name: 'ordinals', observe };
}
