/**
 * The transports a resolver keeps: one UDP socket per server shared by every lookup (answers
 * matched by ID and question, a bounded number in flight), one TCP connection shared by lookups
 * asked together (pipelined), and close() releasing all of it. Real sockets on loopback.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNameserver } from '../../src/dns/nameserver';
import { createDnsResolver, type DnsResolver } from '../../src/dns/resolver';
import { UDP_MAX_IN_FLIGHT } from '../../src/dns/udp';
import type { LookupResult, Nameserver } from '../../src/dns/types';
import { response, startRawDnsServer, type Handler, type RawDnsServer, type ReceivedQuery } from '../helpers/raw-dns-server';
import { openSocketCount, settle } from '../helpers/sockets';

const servers: RawDnsServer[] = [];
const resolvers: DnsResolver[] = [];

afterEach(async () => {
  for (const resolver of resolvers.splice(0)) resolver.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(handle: Handler): Promise<RawDnsServer> {
  const started = await startRawDnsServer(handle);
  servers.push(started);
  return started;
}

function resolverFor(nameserver: string, timeoutMs = 5000): DnsResolver {
  const resolver = createDnsResolver({ nameservers: [parseNameserver(nameserver) as Nameserver], timeoutMs, attempts: 1 });
  resolvers.push(resolver);
  return resolver;
}

const answerA = (query: ReceivedQuery): Buffer => response(query, { answers: [{ type: 'A', name: query.name, address: '10.244.0.1' }] });
const names = (count: number, prefix = 'p'): string[] => Array.from({ length: count }, (_, index) => `${prefix}-${index}.mysql.default.svc.cluster.local.`);
const outcomes = (results: readonly LookupResult[]): string[] => [...new Set(results.map((result) => result.outcome))];

describe('UDP', () => {
  it('sends every lookup to a server from one socket, each with its own ID, and matches the answers', async () => {
    const dns = await server((query) => answerA(query));
    const resolver = resolverFor(dns.nameserver);
    const first = await Promise.all(names(40).map((name) => resolver.lookup(name, 'A')));
    const later = await resolver.lookup('later.mysql.default.svc.cluster.local.', 'A');
    expect(outcomes([...first, later])).toEqual(['answer']);
    expect(new Set(dns.queries.map((query) => query.source)).size).toBe(1);
    expect(new Set(dns.queries.slice(0, 40).map((query) => query.id)).size).toBe(40);
  });

  it(`keeps at most ${UDP_MAX_IN_FLIGHT} queries in flight, and answers all of them`, async () => {
    const held: Array<() => void> = [];
    let outstanding = 0;
    let most = 0;
    const dns = await server(
      (query) =>
        new Promise((resolve) => {
          outstanding += 1;
          most = Math.max(most, outstanding);
          held.push(() => {
            outstanding -= 1;
            resolve(answerA(query));
          });
        }),
    );
    const resolver = resolverFor(dns.nameserver);
    const lookups = Promise.all(names(200).map((name) => resolver.lookup(name, 'A')));
    while (dns.queries.length < 200) {
      await settle(2);
      held.splice(0, 10).forEach((release) => release());
    }
    held.splice(0).forEach((release) => release());
    expect(outcomes(await lookups)).toEqual(['answer']);
    expect(most).toBeLessThanOrEqual(UDP_MAX_IN_FLIGHT);
    expect(most).toBeGreaterThan(1);
  });

  it('ends every lookup waiting on a closed port at once (ECONNREFUSED), and the next lookup tries again', async () => {
    const closed = createSocket('udp4');
    const port = await new Promise<number>((resolve) => closed.bind(0, '127.0.0.1', () => resolve(closed.address().port)));
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const resolver = resolverFor(`127.0.0.1:${port}`, 20_000);
    const started = performance.now();
    const results = await Promise.all(names(5).map((name) => resolver.lookup(name, 'A')));
    expect(outcomes(results)).toEqual(['network-error']);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect((await resolver.lookup('again.mysql.default.svc.cluster.local.', 'A')).outcome).toBe('network-error');
  });
});

describe('TCP', () => {
  /** A server that truncates over UDP, so every lookup goes on to TCP. */
  const truncating =
    (tcp: (query: ReceivedQuery) => ReturnType<Handler>): Handler =>
    (query) =>
      query.transport === 'udp' ? response(query, { truncated: true }) : tcp(query);

  it('asks lookups made together on one connection, pipelined, whatever order the answers come in', async () => {
    const dns = await server(
      truncating((query) =>
        // Answer the second query first.
        new Promise((resolve) => setTimeout(() => resolve(answerA(query)), query.name.startsWith('first') ? 50 : 0)),
      ),
    );
    const resolver = resolverFor(dns.nameserver);
    const [name1, name2] = ['first.mysql.default.svc.cluster.local.', 'second.mysql.default.svc.cluster.local.'];
    // Teach the resolver that both questions need TCP, then ask them together.
    await Promise.all([resolver.lookup(name1, 'A'), resolver.lookup(name2, 'A')]);
    const before = dns.queries.length;
    const results = await Promise.all([resolver.lookup(name1, 'A'), resolver.lookup(name2, 'A')]);
    expect(outcomes(results)).toEqual(['answer']);
    const asked = dns.queries.slice(before);
    expect(asked.map((query) => query.transport)).toEqual(['tcp', 'tcp']);
    expect(new Set(asked.map((query) => query.source)).size).toBe(1);
  });

  it('asks again, one connection each, when a server closes the connection after one answer', async () => {
    const dns = await server(truncating((query) => [answerA(query), 'close']));
    const resolver = resolverFor(dns.nameserver);
    const lookups = names(3, 'tcp').map((name) => resolver.lookup(name, 'A'));
    const results = await Promise.all(lookups);
    expect(outcomes(results)).toEqual(['answer']);
    const tcp = dns.queries.filter((query) => query.transport === 'tcp');
    expect(new Set(tcp.map((query) => query.source)).size).toBeGreaterThan(1);
  });
});

describe('close()', () => {
  it('ends the lookups still waiting as network errors and closes every socket and connection', async () => {
    const before = openSocketCount();
    const dns = await server((query) => (query.transport === 'udp' && query.name.startsWith('big') ? response(query, { truncated: true }) : 'silence'));
    const resolver = resolverFor(dns.nameserver, 30_000);
    const opened = openSocketCount();
    const waiting = Promise.all([resolver.lookup('quiet.mysql.default.svc.cluster.local.', 'A'), resolver.lookup('big.mysql.default.svc.cluster.local.', 'SRV')]);
    while (dns.queries.filter((query) => query.transport === 'tcp').length === 0) await settle(1);
    expect(openSocketCount()).toBeGreaterThan(opened);
    resolver.close();
    expect(outcomes(await waiting)).toEqual(['network-error']);
    await settle();
    expect(openSocketCount()).toBe(opened);
    await dns.close();
    servers.splice(0);
    await settle();
    expect(openSocketCount()).toBe(before);
  });
});
