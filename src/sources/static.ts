/**
 * The static source: a configured list of peers (`host`, `host:port`, `ip`, `ip:port`,
 * `[v6]:port`). Addresses are taken as they are; names are looked up with A/AAAA, and a name
 * that does not exist (NXDOMAIN) is a peer that is not there.
 *
 * @module
 */
import { isIP } from 'node:net';
import { absoluteName } from '../dns/name';
import type { FailedResult, Resolver } from '../dns/types';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import { lookupAddresses } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { withPollScope } from './poll-scope';
import { toLookupError } from './lookup-error';
import type { Source, SourceSettings, StaticPeer } from './source';

/** How many name lookups run at once. */
export const STATIC_LOOKUP_CONCURRENCY = 8;

/** Settings of the static source. */
export type StaticSourceSettings = Pick<SourceSettings, 'peers' | 'port' | 'family'>;

/** Create the static source. */
export function createStaticSource(resolver: Resolver, settings: StaticSourceSettings): Source {
  const wanted = (address: string): boolean =>
    settings.family === 'both' || isIP(address) === settings.family;

  async function observe(signal: AbortSignal): Promise<Observation> {
    const named = settings.peers.filter((peer) => isIP(peer.host) === 0);
    const lookups = await withPollScope(resolver, signal, (scoped) =>
      mapWithConcurrency(named, STATIC_LOOKUP_CONCURRENCY, (peer) => lookupAddresses(scoped, absoluteName(peer.host), settings.family)),
    );
    let queries = 0;
    let failure: FailedResult | undefined;
    const addressesOf = new Map<string, readonly string[]>();
    for (const [index, lookup] of lookups.entries()) {
      queries += lookup.queries;
      // A name we could not look up says nothing about that peer: the others still count.
      if (lookup.failure) failure ??= lookup.failure;
      else addressesOf.set((named[index] as StaticPeer).host, [...new Set(lookup.records.map((record) => record.address))]);
    }
    const literal = settings.peers.length - named.length;
    if (failure && addressesOf.size === 0 && literal === 0) return { ok: false, source: 'static', error: toLookupError(failure), queries };
    const endpoints: ObservedEndpoint[] = [];
    for (const peer of settings.peers) {
      const port = peer.port ?? settings.port;
      if (isIP(peer.host) !== 0) {
        if (wanted(peer.host)) endpoints.push({ host: null, addresses: [peer.host], port });
        continue;
      }
      const addresses = addressesOf.get(peer.host) ?? [];
      if (addresses.length > 0) endpoints.push({ host: peer.host, addresses, port });
    }
    return { ok: true, source: 'static', endpoints, queries, ...(failure ? { partial: true } : {}) };
  }

  return { name: 'static', observe };
}
