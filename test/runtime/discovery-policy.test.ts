/**
 * The polling policy end to end over real DNS on loopback: leave hysteresis, stale/fresh periods,
 * backoff, fallback between sources, expected replicas, address families and the missing-self
 * warning.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscovery } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent, recordEvents } from '../helpers/events';
import { response, startRawDnsServer, type RawDnsServer } from '../helpers/raw-dns-server';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 100, jitter: 0, dnsTimeoutMs: 200, dnsAttempts: 1 }, quiet: true });
const { options, track } = harness;
const raw: RawDnsServer[] = [];

afterEach(async () => {
  await Promise.all(raw.splice(0).map((server) => server.close()));
});

/** Resolve once `count` queries have reached the fake cluster after this call. */
function queries(count: number): Promise<number[]> {
  const times: number[] = [];
  return new Promise((resolve) => {
    const stop = harness.cluster.onQuery(() => {
      times.push(performance.now());
      if (times.length >= count) {
        stop();
        resolve(times);
      }
    });
  });
}

describe('leave hysteresis on a running discovery', () => {
  it('scaling 5 → 2 ends with exactly three leaves', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 5 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    const log = recordEvents(discovery);
    const third = new Promise<void>((resolve) => {
      let leaves = 0;
      discovery.on('leave', () => ++leaves === 3 && resolve());
    });
    svc.scale(2);
    await third;
    await queries(3);
    expect(log.filter((entry) => entry.startsWith('leave:'))).toEqual(['leave:mysql-2', 'leave:mysql-3', 'leave:mysql-4']);
    expect(log.filter((entry) => !entry.startsWith('leave:') && !entry.startsWith('error:'))).toEqual([]);
    expect(discovery.membership.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1']);
  });

  it('a DNS outage of many polls produces no leave, one stale/fresh pair, and staleTooLong once', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options({ maxStaleMs: 300, maxIntervalMs: 200, retries: 0 })));
    const first = await discovery.start();
    const log: string[] = [];
    for (const event of ['join', 'leave', 'update', 'stale', 'fresh', 'staleTooLong'] as const) discovery.on(event, () => log.push(event));

    const tooLong = nextEvent(discovery, 'staleTooLong');
    harness.cluster.outage('servfail');
    const [membership, staleFor] = await tooLong;
    expect(staleFor).toBeGreaterThanOrEqual(300);
    expect(membership.peers).toBe(first.peers);
    await queries(6);
    const fresh = nextEvent(discovery, 'fresh');
    harness.cluster.outage(null);
    await fresh;
    expect(log).toEqual(['stale', 'staleTooLong', 'fresh']);
    expect(discovery.membership).toMatchObject({ stale: false, staleSince: null });
    expect(discovery.membership.peers).toBe(first.peers);
  });

  it('backs off while every poll fails, doubling the interval up to maxIntervalMs', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options({ sources: ['srv'], retries: 0, maxIntervalMs: 400 })));
    await discovery.start();
    harness.cluster.outage('refused');
    const times = await queries(5);
    const gaps = times.slice(1).map((time, index) => time - (times[index] as number));
    // The first failed poll is followed by 200 ms, then 400 ms (the cap), then 400 ms again.
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(gaps[3]).toBeGreaterThanOrEqual(395);
  });
});

describe('sources', () => {
  it('falls back to A/AAAA + PTR in the same poll when SRV fails, and says which source saw each peer', async () => {
    const server = await startRawDnsServer((query) => {
      if (query.type === 33) return response(query, { rcode: 2 });
      if (query.type === 1 && query.name === 'mysql.default.svc.cluster.local') {
        return response(query, { answers: ['10.0.0.1', '10.0.0.2'].map((address) => ({ type: 'A' as const, name: query.name, address })) });
      }
      if (query.type === 12) {
        const ordinal = query.name.startsWith('1.') ? 0 : 1;
        return response(query, { answers: [{ type: 'PTR', name: query.name, domain: `mysql-${ordinal}.mysql.default.svc.cluster.local` }] });
      }
      return response(query);
    });
    raw.push(server);
    const discovery = track(createDiscovery(options({ nameservers: [server.nameserver], retries: 0 })));
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(`${error.code}:${'queryType' in error ? String(error.queryType) : ''}`));
    const membership = await discovery.start();
    expect(membership.source).toBe('address');
    expect(membership.stale).toBe(false);
    expect(membership.peers.map((peer) => [peer.name, peer.sources, peer.port])).toEqual([
      ['mysql-0', ['address'], null],
      ['mysql-1', ['address'], null],
    ]);
    expect(errors).toEqual(['ERR_DNS_SERVFAIL:SRV']);
  });
});

describe('expected replicas', () => {
  it('reports degraded and polls at fastIntervalMs until the expected replicas are there', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const discovery = track(createDiscovery(options({ intervalMs: 60_000, fastIntervalMs: 100, expectedReplicas: 3 })));
    const first = await discovery.start();
    expect(first).toMatchObject({ completeness: 'degraded', expectedReplicas: 3 });
    const joined = nextEvent(discovery, 'join');
    svc.scale(3);
    const [peer] = await joined;
    expect(peer.name).toBe('mysql-2');
    expect(discovery.membership.completeness).toBe('complete');
  });
});

describe('address families', () => {
  it.each([
    [4, /^10\./],
    [6, /:/],
  ] as const)('family %s keeps only those addresses of dual-stack pods', async (family, pattern) => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, ipFamilies: ['IPv4', 'IPv6'] });
    const both = await track(createDiscovery(options())).start();
    expect(both.peers.every((peer) => peer.addresses.length === 2)).toBe(true);
    const one = await track(createDiscovery(options({ family }))).start();
    expect(one.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1']);
    for (const peer of one.peers) {
      expect(peer.addresses).toHaveLength(1);
      expect(peer.addresses[0]).toMatch(pattern);
    }
  });
});

describe('this pod missing from its own Service', () => {
  it('is reported once, with the publishNotReadyAddresses hint', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    svc.setReady('mysql-2', false);
    const discovery = track(createDiscovery(options({ podName: 'mysql-2' })));
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(error.code));
    const reported = nextEvent(discovery, 'error', (error) => error.code === 'ERR_SELF_NOT_LISTED');
    await discovery.start();
    const [error] = await reported;
    expect(error.message).toContain('publishNotReadyAddresses');
    // It says what was asked and what came back.
    expect(error.message).toContain('SRV _mysql._tcp.mysql.default.svc.cluster.local. lists mysql-0, mysql-1, not mysql-2');
    expect(error).toMatchObject({ podName: 'mysql-2', query: 'SRV _mysql._tcp.mysql.default.svc.cluster.local.', listed: ['mysql-0', 'mysql-1'] });
    await queries(5);
    expect(errors).toEqual(['ERR_SELF_NOT_LISTED']);
  });

  it('is not reported for a pod that is listed', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options({ podName: 'mysql-2' })));
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(error.code));
    await discovery.start();
    await queries(6);
    expect(errors).toEqual([]);
  });
});

describe('a source that throws (a bug, not a DNS failure)', () => {
  it('is reported as ERR_INTERNAL and leaves the membership stale, never emptied', async () => {
    const { Discovery } = await import('../../src/runtime/discovery');
    const { resolveOptions } = await import('../../src/config/resolve-options');
    let calls = 0;
    const flaky = {
      name: 'srv' as const,
      observe: async () => {
        calls += 1;
        if (calls === 1) return { ok: true as const, source: 'srv' as const, endpoints: [{ host: 'mysql-0.mysql.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 3306 }], queries: 1 };
        throw new TypeError('boom');
      },
    };
    const discovery = new Discovery(resolveOptions(options({ intervalMs: 60_000, minIntervalMs: 100 })), { sources: [flaky] });
    track(discovery);
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(error.code));
    const first = await discovery.start();
    const after = await discovery.refresh();
    expect(errors).toEqual(['ERR_INTERNAL']);
    expect(after.peers).toBe(first.peers);
    expect(after.stale).toBe(true);
  });
});

describe('a source that pushes its changes (a watch)', () => {
  it('is observed again at once when it says it changed, a burst costs at most one follow-up, and close() releases it', async () => {
    const { Discovery } = await import('../../src/runtime/discovery');
    const { resolveOptions } = await import('../../src/config/resolve-options');
    const endpoint = (ordinal: number) => ({ host: `mysql-${ordinal}.mysql.default.svc.cluster.local`, addresses: [`10.0.0.${ordinal + 1}`], port: 3306 });
    let endpoints = [endpoint(0)];
    let changed: (() => void) | undefined;
    let observed = 0;
    let closed = 0;
    const pushing = {
      name: 'srv' as const,
      observe: async () => {
        observed += 1;
        return { ok: true as const, source: 'srv' as const, endpoints, queries: 0 };
      },
      subscribe: (callback: () => void) => {
        changed = callback;
        return () => {
          changed = undefined;
        };
      },
      close: () => {
        closed += 1;
      },
    };
    // Polls every minute, never closer than a second: only the push can bring the joins in time.
    const discovery = track(new Discovery(resolveOptions(options({ intervalMs: 60_000, minIntervalMs: 1000 })), { sources: [pushing] }));
    await discovery.start();
    const polls = observed;
    const joined = nextEvent(discovery, 'change', (membership) => membership.peers.length === 3, 20_000);
    endpoints = [endpoint(0), endpoint(1), endpoint(2)];
    for (let i = 0; i < 5; i++) changed?.();
    const [membership] = await joined;
    expect(membership.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    // The first push starts a poll; the rest of the burst shares one follow-up at most.
    await waitUntilIdle(discovery);
    expect(observed - polls).toBeGreaterThanOrEqual(1);
    expect(observed - polls).toBeLessThanOrEqual(2);
    await discovery.close();
    expect(closed).toBe(1);
    expect(changed).toBeUndefined();
  });
});

/** Resolve once no poll runs and the next regular one is scheduled (checked every 10 ms, for up to 10 s). */
async function waitUntilIdle(discovery: { readonly polling: { readonly inFlight: boolean; readonly nextAt: number | null } }): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (discovery.polling.inFlight || discovery.polling.nextAt === null) {
    if (Date.now() > deadline) throw new Error('the discovery did not become idle within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
