/**
 * The static source: a configured list of peers (`host`, `host:port`, `ip`, `ip:port`,
 * `[v6]:port`). Addresses are taken as they are; names are looked up with A/AAAA, and a name
 * that does not exist (NXDOMAIN) is a peer that is not there.
 *
 * @module
 */
import { isIP } from 'node:net';
import { absoluteName, isDnsSubdomain } from '../dns/name';
import type { Resolver } from '../dns/types';
import { lookupAddresses, type AddressFamily } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { toLookupError } from './lookup-error';
import type { Observation, ObservedEndpoint } from './observation';
import type { Source } from './source';
import { minimumTtl } from './ttl';

/** How many name lookups run at once. */
export const STATIC_LOOKUP_CONCURRENCY = 8;

/** One configured peer. */
export interface StaticPeer {
  /** A fully qualified DNS name (no trailing dot) or an IP address. */
  readonly host: string;
  /** The peer's port, or `null` to use the `port` option's number (if any). */
  readonly port: number | null;
}

/**
 * Parse `host`, `host:port`, `ip`, `ip:port` or `[v6]:port`, or return `undefined` when the
 * entry is none of these.
 */
export function parseStaticPeer(entry: string): StaticPeer | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) {
    const address = bracketed[1] as string;
    return isIP(address) === 6 ? withPort(address, bracketed[2]) : undefined;
  }
  if (isIP(entry) === 6) return { host: entry.toLowerCase(), port: null };
  const [host, port, extra] = entry.split(':');
  if (host === undefined || extra !== undefined) return undefined;
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (isIP(lower) !== 4 && !(isDnsSubdomain(lower) && lower.includes('.'))) return undefined;
  return withPort(lower, port);
}

function withPort(host: string, port: string | undefined): StaticPeer | undefined {
  if (port === undefined) return { host, port: null };
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const number = Number(port);
  return number >= 1 && number <= 65_535 ? { host, port: number } : undefined;
}

/** Settings of the static source. */
export interface StaticSourceSettings {
  readonly peers: readonly StaticPeer[];
  /** The port of peers that name none, or `null`. */
  readonly port: number | null;
  readonly family: AddressFamily;
}

/** Create the static source. */
export function createStaticSource(resolver: Resolver, settings: StaticSourceSettings): Source {
  const wanted = (address: string): boolean =>
    settings.family === 'both' || isIP(address) === settings.family;

  async function observe(signal: AbortSignal): Promise<Observation> {
    const named = settings.peers.filter((peer) => isIP(peer.host) === 0);
    const lookups = await mapWithConcurrency(named, STATIC_LOOKUP_CONCURRENCY, (peer) =>
      lookupAddresses(resolver, absoluteName(peer.host), settings.family, signal),
    );
    let queries = 0;
    const ttls: (number | undefined)[] = [];
    const addressesOf = new Map<string, readonly string[]>();
    for (const [index, lookup] of lookups.entries()) {
      queries += lookup.queries;
      if (lookup.failure) return { ok: false, source: 'static', error: toLookupError(lookup.failure), queries };
      ttls.push(...lookup.records.map((record) => record.ttl));
      addressesOf.set((named[index] as StaticPeer).host, [...new Set(lookup.records.map((record) => record.address))]);
    }
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
    return { ok: true, source: 'static', endpoints, ttl: minimumTtl(ttls), queries };
  }

  return { name: 'static', observe };
}
