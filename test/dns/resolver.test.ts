/**
 * The DNS client against raw servers on loopback that send crafted, spoofed, truncated or no
 * replies. Timeouts are short where a timeout is the point; nothing asserts on elapsed time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOKUP_CHANNEL, QUERY_CHANNEL } from '../../src/dns/diagnostics';
import { parseNameserver } from '../../src/dns/nameserver';
import { createDnsResolver, type DnsResolver } from '../../src/dns/resolver';
import type { LookupResult, Nameserver } from '../../src/dns/types';
import { pointerChain } from '../helpers/crafted';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery } from '../helpers/raw-dns-server';
import { openSocketCount, settle } from '../helpers/sockets';

const servers: RawDnsServer[] = [];
const closers: Array<() => Promise<void>> = [];
const resolvers: DnsResolver[] = [];

afterEach(async () => {
  for (const created of resolvers.splice(0)) created.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function server(handle: Parameters<typeof startRawDnsServer>[0], address?: string): Promise<RawDnsServer> {
  const started = await startRawDnsServer(handle, address);
  servers.push(started);
  return started;
}

function ns(text: string): Nameserver {
  const parsed = parseNameserver(text);
  if (!parsed) throw new Error(`bad nameserver ${text}`);
  return parsed;
}

function resolver(nameservers: string[], timeoutMs = 2000, attempts = 1): DnsResolver {
  const created = createDnsResolver({ nameservers: nameservers.map(ns), timeoutMs, attempts });
  resolvers.push(created);
  return created;
}

const NAME = 'mysql-0.mysql.default.svc.cluster.local.';
const answerA = (query: ReceivedQuery, address = '10.244.1.5') =>
  response(query, { answers: [{ type: 'A', name: query.name, address, ttl: 30 }] });

function expectOutcome<O extends LookupResult['outcome']>(result: LookupResult, outcome: O): Extract<LookupResult, { outcome: O }> {
  expect(result.outcome).toBe(outcome);
  return result as Extract<LookupResult, { outcome: O }>;
}

describe('queries', () => {
  it('carry EDNS0 with a 1232-byte buffer, an absolute name, and varying IDs', async () => {
    const dns = await server((query) => answerA(query));
    const client = resolver([dns.nameserver]);
    for (let i = 0; i < 8; i++) await client.lookup('mysql-0.mysql.default.svc.cluster.local', 'A');
    expect(dns.queries.every((query) => query.ednsUdpSize === 1232)).toBe(true);
    expect(dns.queries.every((query) => query.name === 'mysql-0.mysql.default.svc.cluster.local')).toBe(true);
    expect(new Set(dns.queries.map((query) => query.id)).size).toBeGreaterThan(1);
  });

  it('return records with their TTLs', async () => {
    const dns = await server((query) => answerA(query));
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers).toEqual([{ type: 'A', name: NAME, ttl: 30, address: '10.244.1.5' }]);
    expect(result.transport).toBe('udp');
    expect(result.server).toBe(dns.nameserver);
    expect(result.queries).toBe(1);
  });

  it('expose the additional section of an SRV answer', async () => {
    const srvName = '_mysql._tcp.mysql.default.svc.cluster.local';
    const dns = await server((query) =>
      response(query, {
        answers: [{ type: 'SRV', name: srvName, target: 'mysql-0.mysql.default.svc.cluster.local', port: 3306, weight: 100 }],
        additionals: [{ type: 'A', name: 'mysql-0.mysql.default.svc.cluster.local', address: '10.244.1.5' }],
      }),
    );
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(srvName, 'SRV'), 'answer');
    expect(result.answers).toEqual([
      { type: 'SRV', name: `${srvName}.`, ttl: 5, priority: 0, weight: 100, port: 3306, target: `${NAME}` },
    ]);
    expect(result.additionals).toEqual([{ type: 'A', name: NAME, ttl: 5, address: '10.244.1.5' }]);
  });
});

describe('responses that are not ours are ignored, and the query keeps waiting', () => {
  it.each([
    ['a wrong ID', (query: ReceivedQuery) => response(query, { id: (query.id + 1) % 0x10000, answers: [{ type: 'A', name: query.name, address: '6.6.6.6' }] })],
    ['another name', (query: ReceivedQuery) => response(query, { questionName: 'evil.example', answers: [{ type: 'A', name: 'evil.example', address: '6.6.6.6' }] })],
    ['the name in other case only', (query: ReceivedQuery) => response(query, { questionName: query.name.toUpperCase(), questionType: 28 })],
    ['another type', (query: ReceivedQuery) => response(query, { questionType: 28 })],
    ['another class', (query: ReceivedQuery) => response(query, { questionClass: 3 })],
    ['a query instead of a response', (query: ReceivedQuery) => response(query, { qr: false })],
    ['garbage bytes', () => Buffer.from('definitely not a DNS message')],
  ])('%s', async (_, forge) => {
    const dns = await server((query) => [forge(query), answerA(query)]);
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers.map((record) => record.type === 'A' && record.address)).toEqual(['10.244.1.5']);
    expect(result.ignoredResponses).toBe(1);
  });

  it('accepts the question echoed in other letter case (names compare case-insensitively)', async () => {
    const dns = await server((query) => response(query, { questionName: query.name.toUpperCase(), answers: [{ type: 'A', name: query.name.toUpperCase(), address: '10.0.0.9' }] }));
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers).toHaveLength(1);
  });

  it('a reply from another port', async () => {
    const dns = await server((query) => [
      { bytes: answerA(query, '6.6.6.6'), fromOtherPort: true },
      answerA(query),
    ]);
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers.map((record) => record.type === 'A' && record.address)).toEqual(['10.244.1.5']);
  });

  it('only spoofed replies end as a timeout, never as an answer', async () => {
    const dns = await server((query) => response(query, { id: (query.id + 7) % 0x10000, answers: [{ type: 'A', name: query.name, address: '6.6.6.6' }] }));
    const result = expectOutcome(await resolver([dns.nameserver], 300).lookup(NAME, 'A'), 'timeout');
    expect(result.ignoredResponses).toBe(1);
  });
});

describe('truncation', () => {
  it('retries a TC=1 answer over TCP and returns all 250 records', async () => {
    const addresses = Array.from({ length: 250 }, (_, i) => `10.244.${i >> 8}.${(i & 0xff) + 1}`);
    const dns = await server((query) =>
      query.transport === 'udp'
        ? response(query, { truncated: true, answers: [{ type: 'A', name: query.name, address: '10.9.9.9' }] })
        : response(query, { answers: addresses.map((address) => ({ type: 'A' as const, name: query.name, address })) }),
    );
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers).toHaveLength(250);
    expect(result.transport).toBe('tcp');
    expect(result.queries).toBe(2);
    expect(dns.queries.map((query) => query.transport)).toEqual(['udp', 'tcp']);
  });

  it('asks over TCP first a question whose server truncates even small answers, and tries UDP again every 10 lookups', async () => {
    const dns = await server((query) =>
      query.transport === 'udp' ? response(query, { truncated: true }) : answerA(query),
    );
    const client = resolver([dns.nameserver]);
    const transports: string[][] = [];
    for (let lookup = 0; lookup < 12; lookup++) {
      const before = dns.queries.length;
      expectOutcome(await client.lookup(NAME, 'A'), 'answer');
      transports.push(dns.queries.slice(before).map((query) => query.transport));
    }
    expect(transports[0]).toEqual(['udp', 'tcp']);
    expect(transports.slice(1, 11)).toEqual(Array.from({ length: 10 }, () => ['tcp']));
    expect(transports[11]).toEqual(['udp', 'tcp']);
    // Another question (another type) still starts over UDP.
    const before = dns.queries.length;
    await client.lookup(NAME, 'AAAA');
    expect(dns.queries[before]?.transport).toBe('udp');
  });

  it('keeps a large answer on TCP for as long as it stays large, and goes back to UDP once it would fit', async () => {
    let large = true;
    const many = (query: ReceivedQuery): Buffer =>
      response(query, { answers: Array.from({ length: large ? 100 : 1 }, (_, index) => ({ type: 'A' as const, name: query.name, address: `10.244.0.${index + 1}` })) });
    const dns = await server((query) => (query.transport === 'udp' && large ? response(query, { truncated: true }) : many(query)));
    const client = resolver([dns.nameserver]);
    const transports: string[][] = [];
    const ask = async (): Promise<void> => {
      const before = dns.queries.length;
      expectOutcome(await client.lookup(NAME, 'A'), 'answer');
      transports.push(dns.queries.slice(before).map((query) => query.transport));
    };
    for (let lookup = 0; lookup < 15; lookup++) await ask();
    large = false;
    await ask();
    await ask();
    expect(transports[0]).toEqual(['udp', 'tcp']);
    expect(transports.slice(1, 15)).toEqual(Array.from({ length: 14 }, () => ['tcp']));
    expect(transports.slice(15)).toEqual([['tcp'], ['udp']]);
  });

  it('falls back to UDP in the same lookup when going straight to TCP fails, and forgets the shortcut', async () => {
    let tcpWorks = true;
    let truncate = true;
    const dns = await server((query) => {
      if (query.transport === 'tcp') return tcpWorks ? answerA(query) : 'silence';
      return truncate ? response(query, { truncated: true }) : answerA(query);
    });
    const client = resolver([dns.nameserver], 200);
    await client.lookup(NAME, 'A');
    tcpWorks = false;
    truncate = false;
    const before = dns.queries.length;
    const result = expectOutcome(await client.lookup(NAME, 'A'), 'answer');
    expect(result.transport).toBe('udp');
    expect(dns.queries.slice(before).map((query) => query.transport)).toEqual(['tcp', 'udp']);
    const after = dns.queries.length;
    await client.lookup(NAME, 'A');
    expect(dns.queries.slice(after).map((query) => query.transport)).toEqual(['udp']);
  });

  it('checks the TCP answer the same way (a wrong ID on TCP is ignored)', async () => {
    const dns = await server((query) =>
      query.transport === 'udp'
        ? response(query, { truncated: true })
        : [response(query, { id: (query.id + 1) % 0x10000, answers: [{ type: 'A', name: query.name, address: '6.6.6.6' }] }), answerA(query)],
    );
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'answer');
    expect(result.answers.map((record) => record.type === 'A' && record.address)).toEqual(['10.244.1.5']);
    expect(result.ignoredResponses).toBe(1);
  });

  it('times out a TCP server that accepts and never answers, and does not take the partial UDP answer', async () => {
    const dns = await server((query) =>
      query.transport === 'udp' ? response(query, { truncated: true, answers: [{ type: 'A', name: query.name, address: '10.0.0.1' }] }) : 'silence',
    );
    const result = await resolver([dns.nameserver], 300).lookup(NAME, 'A');
    expect(result.outcome).toBe('timeout');
    expect(dns.queries.map((query) => query.transport)).toEqual(['udp', 'tcp']);
  });
});

describe('outcomes', () => {
  it('NXDOMAIN with an SOA gives the negative-cache time', async () => {
    const dns = await server((query) => response(query, { rcode: 3, authorities: [{ type: 'SOA', name: 'cluster.local', minimum: 5, ttl: 30 }] }));
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'A'), 'nxdomain');
    expect(result.negativeTtl).toBe(5);
  });

  it('NOERROR without records is NODATA', async () => {
    const dns = await server((query) => response(query, { authorities: [{ type: 'SOA', name: 'cluster.local', minimum: 30, ttl: 5 }] }));
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'AAAA'), 'nodata');
    expect(result.negativeTtl).toBe(5);
  });

  it.each([
    [2, 'servfail'],
    [5, 'refused'],
    [4, 'rcode'],
  ] as const)('RCODE %i is %s', async (rcode, outcome) => {
    const dns = await server((query) => response(query, { rcode }));
    const result = await resolver([dns.nameserver]).lookup(NAME, 'A');
    expect(result.outcome).toBe(outcome);
    expect(result).toMatchObject({ rcode });
  });

  it('a closed UDP port is a network error, not a timeout', async () => {
    const dns = await server(() => 'silence');
    const port = dns.port;
    await dns.close();
    servers.splice(servers.indexOf(dns), 1);
    const result = expectOutcome(await resolver([`127.0.0.1:${port}`], 10_000).lookup(NAME, 'A'), 'network-error');
    expect(result.error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('servers and attempts', () => {
  it('fails over from a silent server to the next one', async () => {
    const silent = await server(() => 'silence');
    const good = await server((query) => answerA(query));
    const result = expectOutcome(await resolver([silent.nameserver, good.nameserver], 300).lookup(NAME, 'A'), 'answer');
    expect(result.server).toBe(good.nameserver);
    expect(silent.queries).toHaveLength(1);
  });

  it('asks a server that timed out after the others until the recheck period has passed, then once more', async () => {
    const silent = await server(() => 'silence');
    const good = await server((query) => answerA(query));
    const nameservers = [silent.nameserver, good.nameserver].map(ns);
    const client = createDnsResolver({ nameservers, timeoutMs: 200, attempts: 1, serverRecheckMs: 1000 });
    resolvers.push(client);
    for (let lookup = 0; lookup < 20; lookup++) expectOutcome(await client.lookup(`p-${lookup}.${NAME}`, 'A'), 'answer');
    expect(silent.queries).toHaveLength(1);
    // Another resolver of the process knows it too.
    const other = resolver([silent.nameserver, good.nameserver], 200);
    expectOutcome(await other.lookup(NAME, 'A'), 'answer');
    expect(silent.queries).toHaveLength(1);
    const demotedAt = performance.now();
    while (performance.now() - demotedAt < 1100) await new Promise((resolve) => setTimeout(resolve, 100));
    expectOutcome(await client.lookup(NAME, 'A'), 'answer');
    expect(silent.queries).toHaveLength(2);
  });

  it('moves on after SERVFAIL, and a later NOERROR wins', async () => {
    const failing = await server((query) => response(query, { rcode: 2 }));
    const good = await server((query) => answerA(query));
    const result = await resolver([failing.nameserver, good.nameserver]).lookup(NAME, 'A');
    expect(result.outcome).toBe('answer');
    expect(failing.queries).toHaveLength(1);
  });

  it('stops at the first NXDOMAIN (an authoritative answer), without asking the next server', async () => {
    const first = await server((query) => response(query, { rcode: 3 }));
    const second = await server((query) => answerA(query));
    const result = await resolver([first.nameserver, second.nameserver]).lookup(NAME, 'A');
    expect(result.outcome).toBe('nxdomain');
    expect(second.queries).toHaveLength(0);
  });

  it('asks the servers in order for every attempt, and reports a SERVFAIL over a timeout', async () => {
    const silent = await server(() => 'silence');
    const failing = await server((query) => response(query, { rcode: 2 }));
    const result = await resolver([silent.nameserver, failing.nameserver], 200, 3).lookup(NAME, 'A');
    expect(result.outcome).toBe('servfail');
    expect(result.server).toBe(failing.nameserver);
    expect(result.queries).toBe(6);
    expect(silent.queries).toHaveLength(3);
    expect(failing.queries).toHaveLength(3);
  });

  it('queries an IPv6 nameserver on ::1 for AAAA records', async () => {
    const dns = await server((query) => response(query, { answers: [{ type: 'AAAA', name: query.name, address: 'fd00:10:244::5' }] }), '::1');
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'AAAA'), 'answer');
    expect(result.answers).toEqual([{ type: 'AAAA', name: NAME, ttl: 5, address: 'fd00:10:244::5' }]);
    expect(result.server).toBe(dns.nameserver);
  });

  it('uses TCP to an IPv6 nameserver after truncation', async () => {
    const dns = await server(
      (query) => (query.transport === 'udp' ? response(query, { truncated: true }) : response(query, { answers: [{ type: 'AAAA', name: query.name, address: 'fd00::7' }] })),
      '::1',
    );
    const result = expectOutcome(await resolver([dns.nameserver]).lookup(NAME, 'AAAA'), 'answer');
    expect(result.transport).toBe('tcp');
  });
});

describe('decoding cost', () => {
  it('rejects a 64 KiB compression-pointer chain delivered over TCP instead of parsing it', async () => {
    const dns = await server((query) => (query.transport === 'udp' ? response(query, { truncated: true }) : pointerChain(query)));
    const result = await resolver([dns.nameserver], 1000).lookup(NAME, 'A');
    expect(result.outcome).toBe('timeout');
    expect(result.ignoredResponses).toBe(1);
  });
});

describe('cancellation and observability', () => {
  it('an aborted lookup rejects with the reason; the socket it used is the resolver\'s, and close() releases it', async () => {
    const dns = await server(() => 'silence');
    await settle();
    const before = openSocketCount();
    const controller = new AbortController();
    const subject = resolver([dns.nameserver], 30_000);
    const pending = subject.lookup(NAME, 'A', controller.signal);
    while (dns.queries.length === 0) await settle(1);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    // Kept for the next lookup (unref()'d: it never holds the process open)…
    expect(openSocketCount()).toBe(before + 1);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap')).toHaveLength(2);
    // …until the resolver is closed.
    subject.close();
    await settle();
    expect(openSocketCount()).toBe(before);
  });

  it('publishes each query and each lookup on diagnostics channels', async () => {
    const dns = await server((query) => (query.transport === 'udp' ? response(query, { truncated: true }) : answerA(query)));
    const queries: unknown[] = [];
    const lookups: unknown[] = [];
    const onQuery = (message: unknown): void => void queries.push(message);
    const onLookup = (message: unknown): void => void lookups.push(message);
    subscribe(QUERY_CHANNEL, onQuery);
    subscribe(LOOKUP_CHANNEL, onLookup);
    try {
      await resolver([dns.nameserver]).lookup(NAME, 'A');
    } finally {
      unsubscribe(QUERY_CHANNEL, onQuery);
      unsubscribe(LOOKUP_CHANNEL, onLookup);
    }
    expect(queries).toMatchObject([
      { name: NAME, type: 'A', transport: 'udp', outcome: 'response', truncated: true },
      { name: NAME, type: 'A', transport: 'tcp', outcome: 'response', rcode: 0 },
    ]);
    expect(lookups).toMatchObject([{ name: NAME, outcome: 'answer', queries: 2 }]);
  });
});
