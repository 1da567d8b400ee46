/**
 * Only proof removes a peer, only our Service's pods are members, a dead nameserver is not paid
 * for on every lookup, and a failing poll fails fast: each rule checked with crafted answers
 * from the raw DNS server (test/helpers/crafted-zone.ts answers as CoreDNS would, and each test
 * changes the one answer it is about), through the public API.
 *
 * - (a) a listed target whose own A lookup times out, is NXDOMAIN or NODATA keeps its
 *   last-known addresses (no leave, however many polls), is asked again every poll, and once it
 *   answers its new address is taken;
 * - (b) an SRV answer with TC=1 even over TCP, carrying half the targets, proves no absence;
 * - (c) SRV targets (and PTR names) that are not `<label>.<service>.<ns>.svc.<zone>.` are not
 *   members, never merge into a member of the same first label, are reported once each
 *   (`ERR_FOREIGN_PEER`, with `host`), and one outside the zone is never looked up and fails
 *   nothing;
 * - (d) with `nameservers: [blackhole, good]`, the blackhole gets a small constant number of
 *   queries, not one per lookup;
 * - (e) when the per-pod names of a 300-pod Service go silent, one poll sends a few of their
 *   lookups, not 300, and every peer keeps its addresses;
 * - (f) an SRV lookup that times out ends the observation: nothing more of the SRV source is
 *   sent after it, and the fallback source starts then.
 *
 * Polls are driven with refresh() (intervalMs is a minute, so no poll starts by itself); counts
 * are asserted, durations only printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscovery, LookupError, type Discovery, type DiscoveryError, type DiscoveryOptions, type Membership } from '../../src/index';
import { createFakeCluster } from '../../src/testing/index';
import { craftedZone, type CraftedZone } from '../helpers/crafted-zone';
import { recordEvents } from '../helpers/events';
import { startBlackhole } from '../helpers/faulty-dns';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery, type Reply } from '../helpers/raw-dns-server';

const A = 1;
const AAAA = 28;
const PTR = 12;
const SRV = 33;
const SOA = { type: 'SOA', name: 'cluster.local', minimum: 5 } as const;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Served {
  readonly server: RawDnsServer;
  /** Every query received, with when (performance.now()). */
  readonly log: Array<{ readonly at: number; readonly query: ReceivedQuery }>;
}

/** Serve `zone`, letting `override` answer first (undefined: the zone answers). */
async function serve(zone: CraftedZone, override: (query: ReceivedQuery) => Reply | undefined = () => undefined): Promise<Served> {
  const log: Served['log'] = [];
  const server = await startRawDnsServer((query) => {
    log.push({ at: performance.now(), query });
    return override(query) ?? zone.answer(query);
  });
  closers.push(() => server.close());
  return { server, log };
}

/** A discovery of `mysql` that polls only when refresh() is called. */
function discoveryOf(nameservers: string[], overrides: Partial<DiscoveryOptions> = {}): { discovery: Discovery; errors: DiscoveryError[] } {
  const discovery = createDiscovery({
    service: 'mysql',
    namespace: 'default',
    clusterDomain: 'cluster.local',
    port: 'mysql',
    podName: 'mysql-0',
    nameservers,
    intervalMs: 60_000,
    jitter: 0,
    minIntervalMs: 100,
    // Loopback answers come back in a millisecond; 500 ms leaves room for a loaded machine.
    dnsTimeoutMs: 500,
    dnsAttempts: 1,
    ...overrides,
  });
  const errors: DiscoveryError[] = [];
  discovery.on('error', (error) => errors.push(error));
  closers.push(() => discovery.close());
  return { discovery, errors };
}

const names = (membership: Membership): string[] => membership.peers.map((peer) => peer.name);
const leaves = (log: readonly string[]): string[] => log.filter((entry) => entry.startsWith('leave:'));
const code = (error: DiscoveryError): string => String(error.code);
/** `host` of an `ERR_FOREIGN_PEER` error (the property the rule gives it). */
const hostOf = (error: DiscoveryError): unknown => (error as DiscoveryError & { host?: unknown }).host;

function report(line: string): void {
  console.log(`[proof] ${line}`);
}

describe('(a) a listed target whose own lookup fails keeps its addresses', () => {
  const POLLS = 8;

  it.each(['timeout', 'nxdomain', 'nodata'] as const)('its A lookup is %s: no leave over many polls, asked again each poll, its new address taken once it answers', async (mode) => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 3 });
    const target = zone.podHost('mysql-1');
    let broken = false;
    const { server, log: received } = await serve(zone, (query) => {
      if (!broken || zone.normalize(query.name) !== target || (query.type !== A && query.type !== AAAA)) return undefined;
      if (mode === 'timeout') return 'silence';
      return mode === 'nxdomain' ? response(query, { rcode: 3, authorities: [SOA] }) : response(query, { authorities: [SOA] });
    });
    const { discovery } = discoveryOf([server.nameserver]);
    const first = await discovery.start();
    expect(names(first)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    const known = first.peers[1]?.addresses;
    expect(known).toEqual(['10.244.0.2']);
    const log = recordEvents(discovery);

    // mysql-1 is re-created with a new address: the Service's A set has it, its own name fails.
    zone.pods[1] = { name: 'mysql-1', address: '10.244.7.7' };
    broken = true;
    const askedBefore = received.filter(({ query }) => zone.normalize(query.name) === target).length;
    const seen: string[] = [];
    const sources: string[] = [];
    const stale: boolean[] = [];
    for (let poll = 0; poll < POLLS; poll++) {
      const membership = await discovery.refresh();
      const peer = membership.peers.find((candidate) => candidate.name === 'mysql-1');
      seen.push(peer ? `${peer.addresses.join(',')}:${peer.port}` : 'missing');
      sources.push(String(membership.source));
      stale.push(membership.stale);
    }
    const asked = received.filter(({ query }) => zone.normalize(query.name) === target).length - askedBefore;
    report(`(a) ${mode}: mysql-1 per poll ${[...new Set(seen)].join(' | ')}; sources ${[...new Set(sources)].join(',')}; its name asked ${asked} times in ${POLLS} polls; events ${log.join(' ') || 'none'}`);

    expect(leaves(log)).toEqual([]);
    expect(seen).toEqual(Array(POLLS).fill('10.244.0.2:3306'));
    expect(sources).toEqual(Array(POLLS).fill('srv'));
    expect(stale).toEqual(Array(POLLS).fill(false));
    expect(asked).toBeGreaterThanOrEqual(POLLS);

    // It answers again, with its new address: an update, nothing else.
    broken = false;
    for (let poll = 0; poll < 5 && discovery.membership.peers[1]?.addresses[0] !== '10.244.7.7'; poll++) await discovery.refresh();
    expect(discovery.membership.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual([
      ['mysql-0', ['10.244.0.1'], 3306],
      ['mysql-1', ['10.244.7.7'], 3306],
      ['mysql-2', ['10.244.0.3'], 3306],
    ]);
    expect(log.filter((entry) => !entry.startsWith('error:'))).toEqual(['update:mysql-1']);
  });
});

describe('(b) an SRV answer truncated even over TCP proves no absence', () => {
  const POLLS = 6;

  it.each(['the reverse zone answers', 'no reverse zone (PTR REFUSED)'] as const)('TC=1 over TCP with half the targets, %s: no leave', async (reverse) => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 6 });
    let truncating = false;
    const { server } = await serve(zone, (query) => {
      if (reverse !== 'the reverse zone answers' && query.type === PTR) return response(query, { rcode: 5 });
      if (!truncating || query.type !== SRV) return undefined;
      if (query.transport === 'udp') return response(query, { truncated: true });
      const half = zone.pods.slice(0, 3).map((pod) => zone.podHost(pod.name));
      return response(query, { truncated: true, answers: half.map((target) => ({ type: 'SRV', name: zone.srvName, target, port: 3306, weight: 16 })) });
    });
    const { discovery } = discoveryOf([server.nameserver]);
    const first = await discovery.start();
    const truth = first.peers.map((peer) => [peer.name, peer.addresses, peer.port]);
    expect(truth).toEqual(zone.pods.map((pod) => [pod.name, [pod.address], 3306]));
    const log = recordEvents(discovery);

    truncating = true;
    const kept: boolean[] = [];
    const sources: string[] = [];
    for (let poll = 0; poll < POLLS; poll++) {
      const membership = await discovery.refresh();
      const members = membership.peers.filter((peer) => peer.ordinal !== null).map((peer) => [peer.name, peer.addresses, peer.port]);
      kept.push(JSON.stringify(members) === JSON.stringify(truth));
      sources.push(String(membership.source));
    }
    report(`(b) ${reverse}: every peer kept with its address in ${kept.filter(Boolean).length}/${POLLS} polls; sources ${[...new Set(sources)].join(',')}; events ${log.join(' ') || 'none'}; peers ${names(discovery.membership).join(' ')}`);

    expect(leaves(log)).toEqual([]);
    expect(kept).toEqual(Array(POLLS).fill(true));
    expect(sources).toEqual(Array(POLLS).fill('srv'));
  });
});

describe('(c) only our Service’s pods are members', () => {
  const FOREIGN = [
    'Mysql-9.OTHER.default.svc.cluster.local', // another Service's pod (mixed case on the wire)
    'mysql-1.other.default.svc.cluster.local', // a pod of another Service, named like ours
    'a.mysql-1.mysql.default.svc.cluster.local', // under our Service, but not <label>.<service>…
    'mysql-5.mysql.default.svc.example.com', // outside the cluster zone: answered REFUSED
  ];
  const REPORTED = FOREIGN.map((name) => `${name.toLowerCase()}.`).sort();
  const POLLS = 5;

  it.each(['without glue', 'with glue'] as const)('SRV targets of other Services and outside the zone, %s: not members, never merged, reported once each, nothing fails', async (shape) => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 3, glue: shape === 'with glue' });
    zone.targets = [...zone.pods.map((pod) => zone.podHost(pod.name)), ...FOREIGN];
    zone.extra.set('mysql-9.other.default.svc.cluster.local', '10.244.9.9');
    zone.extra.set('mysql-1.other.default.svc.cluster.local', '10.244.9.1');
    zone.extra.set('a.mysql-1.mysql.default.svc.cluster.local', '10.244.9.2');
    const { server, log: received } = await serve(zone);
    const { discovery, errors } = discoveryOf([server.nameserver]);
    await discovery.start();
    const log = recordEvents(discovery);
    for (let poll = 0; poll < POLLS; poll++) await discovery.refresh();
    const membership = discovery.membership;
    const foreign = errors.filter((error) => code(error) === 'ERR_FOREIGN_PEER');
    const outside = received.filter(({ query }) => zone.normalize(query.name).endsWith('.example.com')).length;
    report(
      `(c) ${shape}: peers ${membership.peers.map((peer) => `${peer.name}=${peer.addresses.join(',')}:${peer.port}`).join(' ')}; source ${membership.source}; ` +
        `foreign reports ${foreign.map(hostOf).join(' ') || 'none'}; other errors ${errors.filter((error) => code(error) !== 'ERR_FOREIGN_PEER').map((error) => `${code(error)}(${error instanceof LookupError ? error.queryName : ''})`).join(' ') || 'none'}; ` +
        `queries outside the zone ${outside}`,
    );

    expect(membership.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual([
      ['mysql-0', ['10.244.0.1'], 3306],
      ['mysql-1', ['10.244.0.2'], 3306],
      ['mysql-2', ['10.244.0.3'], 3306],
    ]);
    expect(membership.source).toBe('srv');
    expect(membership.stale).toBe(false);
    expect(foreign.map(hostOf).sort()).toEqual(REPORTED);
    expect(errors.filter((error) => code(error) !== 'ERR_FOREIGN_PEER')).toEqual([]);
    expect(outside).toBe(0);
    expect(log.filter((entry) => !entry.startsWith('error:'))).toEqual([]);
  });

  it('a PTR name of another Service (the address source) is not a member, and is reported once', async () => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 3 });
    zone.serviceAddresses = [...zone.pods.map((pod) => pod.address), '10.244.9.9'];
    zone.extraPtr.set('10.244.9.9', 'mysql-9.other.default.svc.cluster.local');
    const { server } = await serve(zone);
    const { discovery, errors } = discoveryOf([server.nameserver], { port: 3306 });
    await discovery.start();
    for (let poll = 0; poll < 3; poll++) await discovery.refresh();
    const foreign = errors.filter((error) => code(error) === 'ERR_FOREIGN_PEER');
    report(`(c) PTR: peers ${names(discovery.membership).join(' ')}; foreign reports ${foreign.map(hostOf).join(' ') || 'none'}`);

    expect(names(discovery.membership)).toEqual(expect.arrayContaining(['mysql-0', 'mysql-1', 'mysql-2']));
    expect(names(discovery.membership)).not.toContain('mysql-9');
    expect(foreign.map(hostOf)).toEqual(['mysql-9.other.default.svc.cluster.local.']);
  });
});

describe('(d) a nameserver that never answers is tried after the healthy one', () => {
  const POLLS = 20;

  it.each([
    ['CoreDNS shape (glue), 3 pods', 3, 'all'],
    ['no glue, 20 pods', 20, 'none'],
  ] as const)('nameservers [blackhole, good], %s: the blackhole gets at most 2 queries over 20 polls', async (label, replicas, srvGlue) => {
    const cluster = await createFakeCluster({ srvGlue });
    closers.push(() => cluster.close());
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
    const blackhole = await startBlackhole();
    closers.push(() => blackhole.close());
    const { discovery, errors } = discoveryOf([blackhole.nameserver, cluster.nameserver], { dnsTimeoutMs: 200, dnsAttempts: 2 });
    const started = performance.now();
    await discovery.start();
    for (let poll = 0; poll < POLLS; poll++) await discovery.refresh();
    const wall = performance.now() - started;
    report(`(d) ${label}: blackhole received ${blackhole.received.length} queries over ${POLLS + 1} polls (${cluster.stats.udpQueries + cluster.stats.tcpQueries} to the good server), ${Math.round(wall)} ms`);

    expect(discovery.membership.peers.map((peer) => [peer.name, peer.addresses])).toEqual(svc.pods.map((pod) => [pod.name, pod.addresses]));
    expect(discovery.membership.stale).toBe(false);
    expect(errors).toEqual([]);
    expect(blackhole.received.length).toBeLessThanOrEqual(2);
  });
});

describe('(e) per-pod names that go silent cost a few lookups, not one per pod', () => {
  it('300 pods without glue, every pod re-created with a new address while their names are silent: few queries, every peer kept', async () => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 300 });
    let silent = false;
    const { server, log: received } = await serve(zone, (query) => (silent && (zone.isPodQuery(query) || query.type === PTR) ? 'silence' : undefined));
    const { discovery } = discoveryOf([server.nameserver], { dnsTimeoutMs: 200, dnsAttempts: 1 });
    const first = await discovery.start();
    expect(first.peers).toHaveLength(300);
    const truth = first.peers.map((peer) => [peer.name, peer.addresses, peer.port]);
    const log = recordEvents(discovery);

    // A rolling restart seen late: the Service's set holds only new addresses, so no remembered
    // address checks out and every target needs its own lookup; every per-pod name (and PTR)
    // stays silent.
    for (const [index, pod] of zone.pods.entries()) zone.pods[index] = { name: pod.name, address: `10.245.${Math.floor(index / 250)}.${(index % 250) + 1}` };
    silent = true;
    const polls: Array<{ perPod: number; ptr: number; ms: number }> = [];
    for (let poll = 0; poll < 2; poll++) {
      const from = received.length;
      const started = performance.now();
      await discovery.refresh();
      const sent = received.slice(from).map(({ query }) => query);
      polls.push({ perPod: sent.filter((query) => zone.isPodQuery(query)).length, ptr: sent.filter((query) => query.type === PTR).length, ms: Math.round(performance.now() - started) });
    }
    const membership = discovery.membership;
    report(`(e) 300 pods, per-pod names silent: ${polls.map((poll, index) => `poll ${index + 1}: ${poll.perPod} per-pod + ${poll.ptr} PTR queries, ${poll.ms} ms`).join('; ')}; source ${membership.source}; events ${[...new Set(log)].join(' ') || 'none'}`);

    expect(leaves(log)).toEqual([]);
    expect(membership.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual(truth);
    // dnsAttempts 1: at most two rounds of the 32 target lookups that run at once.
    for (const poll of polls) expect(poll.perPod + poll.ptr).toBeLessThanOrEqual(64);
  }, 90_000);
});

describe('(f) an SRV lookup that times out ends the observation at once', () => {
  it('only the SRV source: nothing of the poll is sent after the SRV lookup gave up', async () => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 20 });
    let srvSilent = false;
    const { server, log: received } = await serve(zone, (query) => (srvSilent && query.type === SRV ? 'silence' : undefined));
    const timeoutMs = 200;
    const attempts = 2;
    const { discovery, errors } = discoveryOf([server.nameserver], { sources: ['srv'], dnsTimeoutMs: timeoutMs, dnsAttempts: attempts });
    expect((await discovery.start()).peers).toHaveLength(20);

    srvSilent = true;
    const from = received.length;
    const started = performance.now();
    const membership = await discovery.refresh();
    const ended = performance.now();
    const sent = received.slice(from);
    const srv = sent.filter(({ query }) => query.type === SRV);
    const gaveUp = (srv.at(-1)?.at ?? started) + timeoutMs;
    const after = sent.filter(({ at }) => at > gaveUp - 20).map(({ query }) => `${query.type} ${query.name}`);
    report(`(f) srv only: ${sent.length} queries (${srv.length} SRV, ${sent.filter(({ query }) => zone.isPodQuery(query)).length} per-pod), ${after.length} after the SRV gave up; poll ${Math.round(ended - started)} ms (dnsTimeoutMs × dnsAttempts = ${timeoutMs * attempts})`);

    expect(membership.stale).toBe(true);
    expect(errors.some((error) => error instanceof LookupError && error.code === 'ERR_DNS_TIMEOUT' && error.queryType === 'SRV')).toBe(true);
    expect(srv).toHaveLength(attempts);
    expect(sent.filter(({ query }) => zone.isPodQuery(query) || query.type === PTR)).toEqual([]);
    expect(after).toEqual([]);
  });

  it('with the address fallback: after the SRV lookup gave up, only the fallback asks (the Service name, then PTR)', async () => {
    const zone = craftedZone({ service: 'mysql', portName: 'mysql', port: 3306, replicas: 20 });
    let srvSilent = false;
    const { server, log: received } = await serve(zone, (query) => (srvSilent && query.type === SRV ? 'silence' : undefined));
    const timeoutMs = 200;
    const attempts = 2;
    const { discovery } = discoveryOf([server.nameserver], { dnsTimeoutMs: timeoutMs, dnsAttempts: attempts });
    expect((await discovery.start()).peers).toHaveLength(20);
    const log = recordEvents(discovery);

    srvSilent = true;
    const from = received.length;
    const started = performance.now();
    const membership = await discovery.refresh();
    const sent = received.slice(from);
    const srv = sent.filter(({ query }) => query.type === SRV);
    const gaveUp = (srv.at(-1)?.at ?? started) + timeoutMs;
    const after = sent.filter(({ at }) => at > gaveUp - 20);
    const firstPtr = sent.find(({ query }) => query.type === PTR);
    report(
      `(f) with fallback: ${srv.length} SRV queries; after the SRV gave up ${after.length} queries (${after.filter(({ query }) => query.type === PTR).length} PTR, ` +
        `${after.filter(({ query }) => zone.isPodQuery(query)).length} per-pod); fallback's first PTR ${firstPtr ? Math.round(firstPtr.at - started) : '-'} ms into the poll; ` +
        `poll ${Math.round(performance.now() - started)} ms; source ${membership.source}`,
    );

    expect(srv).toHaveLength(attempts);
    expect(after.filter(({ query }) => query.type === SRV || zone.isPodQuery(query))).toEqual([]);
    expect(after.every(({ query }) => query.type === PTR || zone.normalize(query.name) === zone.serviceHost)).toBe(true);
    expect(membership.source).toBe('address');
    expect(names(membership)).toEqual(zone.pods.map((pod) => pod.name));
    expect(leaves(log)).toEqual([]);
  });
});
