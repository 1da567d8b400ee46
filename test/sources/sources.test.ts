/**
 * The sources against raw loopback servers, for what the fake cluster never does: SRV answers
 * without glue, failing follow-up lookups, DNS without reverse zones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseNameserver } from '../../src/dns/nameserver';
import { createDnsResolver } from '../../src/dns/resolver';
import type { Nameserver } from '../../src/dns/types';
import { createAddressSource } from '../../src/sources/address';
import { createSrvSource } from '../../src/sources/srv';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery } from '../helpers/raw-dns-server';

const servers: RawDnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const DOMAIN = 'web.default.svc.cluster.local';
const SRV = `_peer._tcp.${DOMAIN}`;
const signal = new AbortController().signal;

async function dns(handle: (query: ReceivedQuery) => Buffer | 'silence') {
  const server = await startRawDnsServer(handle);
  servers.push(server);
  const resolver = createDnsResolver({ nameservers: [parseNameserver(server.nameserver) as Nameserver], timeoutMs: 300, attempts: 1 });
  return { server, resolver };
}

const srvAnswer = (query: ReceivedQuery, targets: string[], glue: Record<string, string> = {}) =>
  response(query, {
    answers: targets.map((target) => ({ type: 'SRV' as const, name: SRV, target, port: 7000 })),
    additionals: Object.entries(glue).map(([name, address]) => ({ type: 'A' as const, name, address })),
  });

describe('SRV source', () => {
  it('looks up the targets the additional section did not cover, with the families the Service has (no AAAA without IPv6)', async () => {
    const { server, resolver } = await dns((query) => {
      if (query.type === 33) return srvAnswer(query, [`web-0.${DOMAIN}`, `web-1.${DOMAIN}`], { [`web-0.${DOMAIN}`]: '10.0.0.1' });
      if (query.name === `web-1.${DOMAIN}` && query.type === 1) return response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.2' }] });
      return response(query);
    });
    const observation = await createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 'both' }).observe(signal);
    expect(observation).toMatchObject({
      ok: true,
      endpoints: [
        { host: `web-0.${DOMAIN}`, addresses: ['10.0.0.1'], port: 7000 },
        { host: `web-1.${DOMAIN}`, addresses: ['10.0.0.2'], port: 7000 },
      ],
      queries: 4,
    });
    // SRV, then the Service's A and AAAA (AAAA has no records: no target AAAA) with the target's A.
    expect(server.queries.map((query) => `${query.type}:${query.name}`).sort()).toEqual([`1:web-1.${DOMAIN}`, `1:${DOMAIN}`, `28:${DOMAIN}`, `33:${SRV}`]);
  });

  it('keeps a listed target whose follow-up lookup fails at its last-known address, and never fails the observation for it', async () => {
    let failing = false;
    const { resolver } = await dns((query) => {
      if (query.type === 33) return srvAnswer(query, [`web-0.${DOMAIN}`]);
      if (failing) return response(query, { rcode: 2 });
      return query.type === 1 && query.name === `web-0.${DOMAIN}` ? response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }] }) : response(query);
    });
    const source = createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 'both' });
    expect(await source.observe(signal)).toMatchObject({ ok: true, endpoints: [{ host: `web-0.${DOMAIN}`, addresses: ['10.0.0.1'] }] });
    failing = true;
    const held = await source.observe(signal);
    expect(held).toMatchObject({ ok: true, endpoints: [{ host: `web-0.${DOMAIN}`, addresses: ['10.0.0.1'], port: 7000 }] });
    expect(held.ok && held.partial).toBeFalsy();
  });

  it('calls an observation partial when a listed target could not be placed at all (no address known yet)', async () => {
    const { resolver } = await dns((query) => (query.type === 33 ? srvAnswer(query, [`web-0.${DOMAIN}`]) : response(query, { rcode: 2 })));
    const observation = await createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 'both' }).observe(signal);
    expect(observation).toEqual({ ok: true, source: 'srv', endpoints: [], partial: true, queries: 5 });
  });

  it('drops a target that no longer exists (NXDOMAIN between the two queries)', async () => {
    const { resolver } = await dns((query) =>
      query.type === 33 ? srvAnswer(query, [`web-0.${DOMAIN}`, `web-1.${DOMAIN}`], { [`web-0.${DOMAIN}`]: '10.0.0.1' }) : response(query, { rcode: 3 }),
    );
    const observation = await createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 'both' }).observe(signal);
    expect(observation).toMatchObject({ ok: true, endpoints: [{ host: `web-0.${DOMAIN}` }] });
  });

  it('reports NXDOMAIN as an empty observation with the negative TTL', async () => {
    const { resolver } = await dns((query) => response(query, { rcode: 3, authorities: [{ type: 'SOA', name: 'cluster.local', minimum: 5, ttl: 5 }] }));
    const observation = await createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 'both' }).observe(signal);
    expect(observation).toEqual({ ok: true, source: 'srv', endpoints: [], queries: 1 });
  });
});

describe('address source', () => {
  const reverse = (address: string) => `${address.split('.').reverse().join('.')}.in-addr.arpa`;

  it('names addresses from PTR records under the Service, and caches them for their TTL', async () => {
    let now = 0;
    const { server, resolver } = await dns((query) => {
      if (query.type === 1) return response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }, { type: 'A', name: query.name, address: '10.0.0.2' }] });
      if (query.type === 12 && query.name === reverse('10.0.0.1')) {
        return response(query, {
          answers: [
            { type: 'PTR', name: query.name, domain: 'x-0.other.default.svc.cluster.local', ttl: 30 },
            { type: 'PTR', name: query.name, domain: `web-0.${DOMAIN}`, ttl: 30 },
          ],
        });
      }
      if (query.type === 12) return response(query, { rcode: 3, authorities: [{ type: 'SOA', name: 'cluster.local', minimum: 5 }] });
      return response(query);
    });
    const source = createAddressSource(resolver, { serviceDomain: DOMAIN, port: 8080, family: 'both' }, () => now);
    const first = await source.observe(signal);
    expect(first).toMatchObject({
      ok: true,
      endpoints: [
        { host: `web-0.${DOMAIN}`, addresses: ['10.0.0.1'], port: 8080 },
        { host: null, addresses: ['10.0.0.2'], port: 8080 },
      ],
    });
    const ptrQueries = () => server.queries.filter((query) => query.type === 12).length;
    expect(ptrQueries()).toBe(2);
    now = 4_000;
    await source.observe(signal);
    expect(ptrQueries()).toBe(2);
    now = 6_000; // the negative answer (5 s) expired, the positive one (30 s) did not
    await source.observe(signal);
    expect(ptrQueries()).toBe(3);
  });

  it('keeps address-keyed peers when the DNS refuses reverse lookups', async () => {
    const { resolver } = await dns((query) =>
      query.type === 1 ? response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }] }) : query.type === 12 ? response(query, { rcode: 5 }) : response(query),
    );
    const observation = await createAddressSource(resolver, { serviceDomain: DOMAIN, port: null, family: 'both' }).observe(signal);
    expect(observation).toMatchObject({ ok: true, endpoints: [{ host: null, addresses: ['10.0.0.1'], port: null }] });
  });

  it('fails when a PTR lookup times out, instead of renaming the peer after its address', async () => {
    const { resolver } = await dns((query) =>
      query.type === 1 ? response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }] }) : query.type === 12 ? 'silence' : response(query),
    );
    const observation = await createAddressSource(resolver, { serviceDomain: DOMAIN, port: null, family: 'both' }).observe(signal);
    expect(observation).toMatchObject({ ok: false, error: { code: 'ERR_DNS_TIMEOUT', queryType: 'PTR' } });
  });

  it('fails when one address family fails while the other answers', async () => {
    const { resolver } = await dns((query) =>
      query.type === 1 ? response(query, { answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }] }) : response(query, { rcode: 2 }),
    );
    const observation = await createAddressSource(resolver, { serviceDomain: DOMAIN, port: null, family: 'both' }).observe(signal);
    expect(observation).toMatchObject({ ok: false, error: { code: 'ERR_DNS_SERVFAIL', queryType: 'AAAA' } });
  });
});
