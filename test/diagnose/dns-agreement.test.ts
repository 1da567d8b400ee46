/**
 * The pure comparison of DNS with the EndpointSlices' endpoints (fast-check): DNS built from the
 * ready endpoints agrees, in any order; whatever is taken out of it is missing, whatever is
 * added is unknown to the API (or, for a not-ready endpoint, listed though not ready); and every
 * ready endpoint is either listed or missing, never both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agrees, compareWithDns, expectedNames, type DnsListing } from '../../src/diagnose/dns-agreement';
import type { CensusEndpoint } from '../../src/kubernetes/slice-census';

const endpoints: fc.Arbitrary<CensusEndpoint[]> = fc
  .uniqueArray(fc.record({ ordinal: fc.nat({ max: 50 }), ready: fc.boolean(), terminating: fc.boolean(), hostname: fc.boolean(), dual: fc.boolean() }), {
    selector: (entry) => entry.ordinal,
    maxLength: 8,
  })
  .map((entries) =>
    entries.map(({ ordinal, ready, terminating, hostname, dual }) => ({
      name: `mysql-${ordinal}`,
      pod: `mysql-${ordinal}`,
      hostname: hostname ? `mysql-${ordinal}` : undefined,
      addresses: [`10.244.0.${ordinal + 1}`, ...(dual ? [`fd00:10:244::${(ordinal + 1).toString(16)}`] : [])],
      ready,
      serving: ready,
      terminating,
      nodeName: undefined,
      zone: undefined,
      slices: ['mysql-abcde'],
    })),
  );

/** What CoreDNS publishes for `list`. */
function published(list: readonly CensusEndpoint[]): { addresses: string[]; names: string[] } {
  const ready = list.filter((endpoint) => endpoint.ready);
  return { addresses: ready.flatMap((endpoint) => endpoint.addresses), names: ready.flatMap(expectedNames) };
}

describe('compareWithDns', () => {
  it('agrees with DNS built from the ready endpoints, in any order, with or without names compared', () => {
    fc.assert(
      fc.property(endpoints, (list) => {
        const dns = published(list);
        const reversed: DnsListing = { addresses: [...dns.addresses].reverse(), names: [...dns.names].reverse() };
        for (const listing of [dns, reversed, { addresses: dns.addresses, names: null }]) {
          const agreement = compareWithDns(list, listing);
          expect(agrees(agreement)).toBe(true);
          expect(agreement.listed.map((endpoint) => endpoint.name)).toEqual(list.filter((endpoint) => endpoint.ready).map((endpoint) => endpoint.name));
        }
      }),
    );
  });

  it('reports an address or a name taken out of DNS as missing, for that endpoint only', () => {
    fc.assert(
      fc.property(
        endpoints.filter((list) => list.some((endpoint) => endpoint.ready)),
        fc.nat(),
        fc.boolean(),
        (list, pick, dropName) => {
          const dns = published(list);
          const ready = list.filter((endpoint) => endpoint.ready);
          const victim = ready[pick % ready.length] as CensusEndpoint;
          const listing: DnsListing = dropName
            ? { addresses: dns.addresses, names: dns.names.filter((name) => !expectedNames(victim).includes(name)) }
            : { addresses: dns.addresses.filter((address) => address !== victim.addresses[0]), names: dns.names };
          const agreement = compareWithDns(list, listing);
          expect(agrees(agreement)).toBe(false);
          expect(agreement.missing.map((missing) => missing.endpoint.name)).toEqual([victim.name]);
          expect(agreement.listed).toHaveLength(ready.length - 1);
          expect(agreement.unknownAddresses).toEqual([]);
          expect(agreement.unknownNames).toEqual([]);
        },
      ),
    );
  });

  it('reports what DNS adds: unknown to the API, or listed though the slices say not ready', () => {
    fc.assert(
      fc.property(endpoints, (list) => {
        const dns = published(list);
        const extra = compareWithDns(list, { addresses: [...dns.addresses, '192.0.2.7'], names: [...dns.names, 'ghost-0'] });
        expect(extra.unknownAddresses).toEqual(['192.0.2.7']);
        expect(extra.unknownNames).toEqual(['ghost-0']);
        const notReady = list.filter((endpoint) => !endpoint.ready);
        const stale = compareWithDns(list, { addresses: [...dns.addresses, ...notReady.flatMap((endpoint) => endpoint.addresses)], names: dns.names });
        expect(stale.notReady.map((endpoint) => endpoint.name)).toEqual(notReady.map((endpoint) => endpoint.name));
        expect(stale.unknownAddresses).toEqual([]);
      }),
    );
  });

  it('names an endpoint without a hostname by its dashed addresses, as CoreDNS does', () => {
    const endpoint = { name: 'web-x', hostname: undefined, addresses: ['10.244.0.9', 'fd00::'] } as unknown as CensusEndpoint;
    expect(expectedNames(endpoint)).toEqual(['10-244-0-9', 'fd00--0']);
  });
});
