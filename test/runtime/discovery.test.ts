/**
 * The runtime end to end: real DNS over UDP and TCP on loopback, against the fake cluster.
 * Polls are driven with `refresh()` (the interval is long) unless the loop itself is tested.
 */
import { describe, expect, it } from 'vitest';
import { createDiscovery, discover, type Discovery } from '../../src/index';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent, recordEvents } from '../helpers/events';

const harness = useDiscoveryHarness({
  base: { podName: 'mysql-1', intervalMs: 60_000, minIntervalMs: 100, dnsTimeoutMs: 300, dnsAttempts: 1, sources: ['srv'], retries: 0 },
});
const { options, track } = harness;

describe('a 3-pod StatefulSet over SRV', () => {
  it('finds every pod with its address and port, the seed, the seed host and self', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options()));

    const membership = await discovery.start();

    expect(membership.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    expect(membership.peers.map((peer) => peer.ordinal)).toEqual([0, 1, 2]);
    for (const peer of membership.peers) {
      const pod = svc.pods.find((candidate) => candidate.name === peer.name);
      expect(peer.addresses).toEqual(pod?.addresses);
      expect(peer.port).toBe(3306);
      expect(peer.host).toBe(`${peer.name}.mysql.default.svc.cluster.local`);
      expect(peer.sources).toEqual(['srv']);
    }
    expect(membership.seed?.name).toBe('mysql-0');
    expect(membership.seedHost).toBe('mysql-0.mysql.default.svc.cluster.local');
    expect(membership.self?.name).toBe('mysql-1');
    expect(membership.self?.self).toBe(true);
    expect(membership.stale).toBe(false);
    expect(membership.source).toBe('srv');
    expect(membership.epoch).toBe(1);
  });

  it('costs one DNS round trip per poll when the SRV answer carries the addresses', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    const before = harness.cluster.stats.udpQueries + harness.cluster.stats.tcpQueries;
    await discovery.refresh();
    expect(harness.cluster.stats.udpQueries + harness.cluster.stats.tcpQueries - before).toBe(1);
  });
});

describe('a 300-pod StatefulSet', () => {
  it('is discovered completely: the truncated UDP answer is retried over TCP', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 300 });
    const discovery = track(createDiscovery(options({ dnsTimeoutMs: 2000 })));

    const membership = await discovery.start();

    expect(membership.peers).toHaveLength(300);
    expect(membership.peers.map((peer) => peer.ordinal)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(membership.peers.every((peer) => peer.addresses.length === 1)).toBe(true);
    expect(harness.cluster.stats.truncated).toBeGreaterThan(0);
    expect(harness.cluster.stats.tcpQueries).toBeGreaterThan(0);
  });
});

describe('a 1000-pod StatefulSet', () => {
  it('is discovered completely even though the TCP answer has no room for every address', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1000 });
    const discovery = track(createDiscovery(options({ dnsTimeoutMs: 5000 })));
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);

    const membership = await discovery.start().finally(() => process.off('warning', onWarning));

    // Hundreds of follow-up lookups share the discovery's abort signal: no listener-leak warning.
    expect(warnings).toEqual([]);
    expect(membership.peers).toHaveLength(1000);
    expect(membership.peers.map((peer) => peer.addresses[0])).toEqual(svc.pods.map((pod) => pod.addresses[0]));
  });
});

describe('membership changes', () => {
  it('reports scale-up as joins and scale-down as leaves, with the seed event', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }] });
    const discovery = track(createDiscovery(options()));
    const log = recordEvents(discovery);

    await discovery.start();
    expect(discovery.membership.peers).toEqual([]);
    svc.scale(3);
    await discovery.refresh();
    svc.scale(1);
    const pending = await discovery.refresh();
    expect(pending.peers.map((peer) => [peer.name, peer.sources])).toEqual([['mysql-0', ['srv']], ['mysql-1', []], ['mysql-2', []]]);
    const after = await discovery.refresh();

    expect(log).toEqual(['join:mysql-0', 'join:mysql-1', 'join:mysql-2', 'seed:mysql-0', 'leave:mysql-1', 'leave:mysql-2']);
    expect(after.peers.map((peer) => peer.name)).toEqual(['mysql-0']);
    expect(after.epoch).toBe(2);
  });

  it('reports a pod restarted with a new IP as an update, not a leave and a join', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    const log = recordEvents(discovery);
    const updated = nextEvent(discovery, 'update');

    svc.restart('mysql-2');
    await discovery.refresh();

    const [peer, previous] = await updated;
    expect(log).toEqual(['update:mysql-2']);
    expect(peer.name).toBe('mysql-2');
    expect(peer.addresses).toEqual(svc.pods.find((pod) => pod.name === 'mysql-2')?.addresses);
    expect(previous.addresses).not.toEqual(peer.addresses);
  });

  it('emits change with the diff and feeds async iterators', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    const iterator = discovery[Symbol.asyncIterator]();
    const changed = nextEvent(discovery, 'change');

    svc.scale(2);
    await discovery.refresh();

    const [membership, diff] = await changed;
    expect(diff.joined.map((peer) => peer.name)).toEqual(['mysql-1']);
    expect(diff.left).toEqual([]);
    const item = await iterator.next();
    expect(item.done).toBe(false);
    expect(item.value?.membership).toBe(membership);
    await discovery.close();
    expect((await iterator.next()).done).toBe(true);
  });

  it('keeps polling on its own interval and notices a scale-up', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options({ intervalMs: 100 })));
    await discovery.start();
    const joined = nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-1');
    svc.scale(2);
    const [peer] = await joined;
    expect(peer.ordinal).toBe(1);
  });
});

describe('failures never look like an empty cluster', () => {
  it('NXDOMAIN (no ready pods) is a real, fresh observation of an empty set', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    svc.scale(0);
    const held = await discovery.refresh();
    expect(held.peers).toHaveLength(2);
    expect(held.stale).toBe(false);
    const membership = await discovery.refresh();
    expect(membership.peers).toEqual([]);
    expect(membership.stale).toBe(false);
  });

  it.each([
    ['servfail', 'ERR_DNS_SERVFAIL'],
    ['refused', 'ERR_DNS_REFUSED'],
    ['drop', 'ERR_DNS_TIMEOUT'],
  ] as const)('an outage (%s) keeps the peers, marks the membership stale and emits %s', async (mode, code) => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = track(createDiscovery(options()));
    const first = await discovery.start();
    const log = recordEvents(discovery);

    harness.cluster.outage(mode);
    const during = await discovery.refresh();

    expect(log).toEqual([`error:${code}`]);
    expect(during.peers).toBe(first.peers);
    expect(during.stale).toBe(true);
    expect(during.staleSince).toBeTypeOf('number');
    expect(during.epoch).toBe(first.epoch);

    harness.cluster.outage(null);
    const after = await discovery.refresh();
    expect(after.stale).toBe(false);
    expect(after.staleSince).toBeNull();
    expect(after.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    expect(log).toEqual([`error:${code}`]);
  });

  it('a first poll that fails resolves start() with an empty, stale membership and an error event', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    harness.cluster.outage('servfail');
    const discovery = track(createDiscovery(options()));
    const error = nextEvent(discovery, 'error');
    const membership = await discovery.start();
    expect(membership.stale).toBe(true);
    expect(membership.peers).toEqual([]);
    expect((await error)[0].code).toBe('ERR_DNS_SERVFAIL');
  });

  it('discover() rejects with the lookup error instead of returning an empty membership', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    harness.cluster.outage('servfail');
    await expect(discover(options())).rejects.toMatchObject({ code: 'ERR_DNS_SERVFAIL', queryType: 'SRV' });
  });
});

describe('addresses, families and zones', () => {
  it('names A/AAAA peers from their PTR records when the port is numeric', async () => {
    harness.cluster.defineService({ name: 'web', ports: [{ port: 8080 }], replicas: 3 });
    const membership = await discover(options({ service: 'web', port: 8080, podName: 'web-0', sources: ['address'] }));
    expect(membership.peers.map((peer) => peer.name)).toEqual(['web-0', 'web-1', 'web-2']);
    expect(membership.peers.every((peer) => peer.port === 8080 && peer.sources[0] === 'address')).toBe(true);
    expect(membership.seed?.name).toBe('web-0');
    expect(membership.self?.name).toBe('web-0');
  });

  it('keeps endpoints without a hostname as address-keyed peers without an ordinal', async () => {
    harness.cluster.defineService({ name: 'peers', ports: [{ name: 'peer', port: 7000 }], replicas: 2, hostnames: false });
    const membership = await discover(options({ service: 'peers', port: 'peer', podName: 'client' }));
    expect(membership.peers).toHaveLength(2);
    expect(membership.peers.every((peer) => peer.ordinal === null && peer.addresses.length === 1)).toBe(true);
    expect(membership.seed).toBeNull();
  });

  it('discovers IPv6 pods through a nameserver on ::1', async () => {
    const v6 = await createFakeCluster({ host: '::1' });
    try {
      const svc = v6.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, ipFamilies: ['IPv6'] });
      const membership = await discover(options({ nameservers: [v6.nameserver] }));
      expect(v6.nameserver.startsWith('[::1]:')).toBe(true);
      expect(membership.peers.map((peer) => peer.addresses)).toEqual(svc.pods.map((pod) => pod.addresses));
      expect(membership.peers.every((peer) => peer.addresses.every((address) => address.includes(':')))).toBe(true);
    } finally {
      await v6.close();
    }
  });

  it('makes a dual-stack pod one peer with two addresses', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, ipFamilies: ['IPv4', 'IPv6'] });
    const membership = await discover(options());
    expect(membership.peers).toHaveLength(2);
    expect(membership.peers.every((peer) => peer.addresses.length === 2)).toBe(true);
  });

  it('honours ordinalStart ≠ 0 and a cluster domain other than harness.cluster.local', async () => {
    const zone = await createFakeCluster({ clusterDomain: 'kube.example' });
    try {
      zone.defineService({ name: 'db', namespace: 'prod', ports: [{ name: 'pg', port: 5432 }], statefulSet: 'pg', ordinalStart: 10, replicas: 3 });
      const membership = await discover(
        options({
          service: 'db',
          namespace: 'prod',
          clusterDomain: 'kube.example',
          port: 'pg',
          statefulSet: 'pg',
          ordinalStart: 10,
          podName: 'pg-11',
          nameservers: [zone.nameserver],
        }),
      );
      expect(membership.peers.map((peer) => peer.ordinal)).toEqual([10, 11, 12]);
      expect(membership.seed?.name).toBe('pg-10');
      expect(membership.seedHost).toBe('pg-10.db.prod.svc.kube.example');
      expect(membership.self?.name).toBe('pg-11');
    } finally {
      await zone.close();
    }
  });
});

describe('lifecycle', () => {
  it('says where polling stands: in flight, when the last poll started and ended, when the next is due', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options({ intervalMs: 60_000 })));
    expect(discovery.polling).toEqual({ inFlight: false, lastStartedAt: null, lastEndedAt: null, nextAt: null });
    const started = Date.now();
    const polled = discovery.start();
    expect(discovery.polling).toMatchObject({ inFlight: true, lastEndedAt: null, nextAt: null });
    await polled;
    const after = discovery.polling;
    expect(after.inFlight).toBe(false);
    expect(after.lastStartedAt).toBeGreaterThanOrEqual(started - 1);
    expect(after.lastEndedAt).toBeGreaterThanOrEqual(after.lastStartedAt ?? Number.POSITIVE_INFINITY);
    expect(after.nextAt).toBeGreaterThan(after.lastEndedAt ?? Number.POSITIVE_INFINITY);
    await discovery.close();
    expect(discovery.polling.nextAt).toBeNull();
  });

  it('a listener that throws is reported and does not stop the loop', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options()));
    discovery.on('join', () => {
      throw new Error('listener bug');
    });
    const reported = nextEvent(discovery, 'error');
    await discovery.start();
    const [error] = await reported;
    expect(error.code).toBe('ERR_LISTENER');
    expect((error.cause as Error).message).toBe('listener bug');

    svc.scale(2);
    const later = await discovery.refresh();
    expect(later.peers).toHaveLength(2);
  });

  it('with no error listener, warns once through process warnings instead of staying silent', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    harness.cluster.outage('servfail');
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const discovery = track(createDiscovery(options()));
      await discovery.start();
      await discovery.refresh();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((warning) => warning.name === 'HeadlessDiscoveryWarning');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.message).toMatch(/SRV lookup .* answered SERVFAIL/);
  });

  it('refresh() before start() starts with a single poll', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options()));
    const membership = await discovery.refresh();
    expect(membership.peers).toHaveLength(1);
    expect(harness.cluster.stats.udpQueries).toBe(1);
    expect(await discovery.start()).toBe(membership);
  });

  it('coalesces concurrent refresh() calls into one follow-up poll', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options()));
    await discovery.start();
    const before = harness.cluster.stats.udpQueries;
    const first = discovery.refresh();
    const second = discovery.refresh();
    const third = discovery.refresh();
    expect(second).toBe(first);
    expect(third).toBe(first);
    await Promise.all([first, second, third]);
    expect(harness.cluster.stats.udpQueries - before).toBe(1);
  });

  it('a refresh() during a poll gets a follow-up poll, and polls never start closer together than minIntervalMs', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options({ minIntervalMs: 400 })));
    const starts: number[] = [];
    harness.cluster.onQuery(() => starts.push(performance.now()));
    const starting = discovery.start();
    const followUp = discovery.refresh();
    expect(followUp).not.toBe(starting);
    await Promise.all([starting, followUp]);
    await discovery.refresh();
    expect(starts).toHaveLength(3);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(395);
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(395);
  });

  it('start() is idempotent', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const discovery = track(createDiscovery(options()));
    expect(discovery.start()).toBe(discovery.start());
    await discovery.start();
  });

  it('close() leaves no socket or timer behind, is idempotent, and rejects later calls', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const baseline = await countHandles();
    const discovery = createDiscovery(options({ intervalMs: 100 }));
    await discovery.start();
    await discovery.refresh();
    const closing = discovery.close();
    expect(discovery.close()).toBe(closing);
    await closing;

    expect(discovery.signal.aborted).toBe(true);
    expect(await countHandles()).toEqual(baseline);
    await expect(discovery.refresh()).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
    await expect(discovery.start()).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
  });

  it('close() during a poll that is waiting on a silent server settles at once and leaves nothing behind', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    harness.cluster.outage('drop');
    const baseline = await countHandles();
    const discovery = createDiscovery(options({ dnsTimeoutMs: 30_000 }));
    const starting = discovery.start();
    await nextQuery(harness.cluster);
    await discovery.close();
    await expect(starting).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
    expect(await countHandles()).toEqual(baseline);
  });

  it('aborting the signal option closes the discovery', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const controller = new AbortController();
    const discovery = track(createDiscovery(options({ signal: controller.signal })));
    await discovery.start();
    controller.abort();
    await expect(discovery.refresh()).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
    expect(discovery.closed).toBe(true);
  });

  it('await using closes the discovery at the end of the scope', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    let escaped: Discovery | undefined;
    {
      await using discovery = createDiscovery(options());
      escaped = discovery;
      await discovery.start();
    }
    expect(escaped?.closed).toBe(true);
  });
});

/**
 * Sockets and timers the process holds (other kinds are unrelated to us), once sockets closed
 * just before (by an earlier test, say) have finished closing.
 */
/**
 * Sockets open in this process. (Timers are not counted: the library's are all unref()'d, which
 * hides them from this list, and the test runner's own come and go.)
 */
async function countHandles(): Promise<Record<string, number>> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'UDPWrap' || kind === 'TCPSocketWrap') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function nextQuery(fake: FakeCluster): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = fake.onQuery(() => {
      unsubscribe();
      resolve();
    });
  });
}
