/**
 * The fake cluster, cross-checked with Node's own resolver (c-ares) so it cannot drift into
 * answering only what our client expects. Runs on Node 20 and 24 in CI: Node 24's c-ares
 * rejects compressed SRV targets, which our encoder must never produce.
 */
import { Resolver } from 'node:dns/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';

let cluster: FakeCluster;

beforeEach(async () => {
  cluster = await createFakeCluster();
});
afterEach(async () => {
  await cluster.close();
});

function nodeResolver(fake: FakeCluster = cluster): Resolver {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([fake.nameserver]);
  return resolver;
}

describe('node:dns sees what CoreDNS would serve', () => {
  it('service A records, per-pod names, SRV with weights and targets, PTR', async () => {
    const svc = cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    const resolver = nodeResolver();
    const addresses = svc.pods.map((pod) => pod.addresses[0]);

    expect((await resolver.resolve4('web.default.svc.cluster.local')).sort()).toEqual([...addresses].sort());
    expect(await resolver.resolve4('web-1.web.default.svc.cluster.local')).toEqual([svc.pods[1]?.addresses[0]]);
    const srv = await resolver.resolveSrv('_peer._tcp.web.default.svc.cluster.local');
    expect(srv.map((record) => [record.name, record.port, record.weight, record.priority])).toEqual(
      [0, 1, 2].map((i) => [`web-${i}.web.default.svc.cluster.local`, 7000, 33, 0]),
    );
    expect(await resolver.reverse(addresses[1] as string)).toEqual(['web-1.web.default.svc.cluster.local']);
  });

  it('TTLs are the configured TTL', async () => {
    const fake = await createFakeCluster({ ttl: 30 });
    try {
      fake.defineService({ name: 'web', replicas: 1 });
      const [record] = await nodeResolver(fake).resolve4('web.default.svc.cluster.local', { ttl: true });
      expect(record?.ttl).toBe(30);
    } finally {
      await fake.close();
    }
  });

  it('NXDOMAIN without ready pods, NODATA for a missing type, NXDOMAIN for an unnamed port SRV', async () => {
    const svc = cluster.defineService({ name: 'web', ports: [{ port: 8080 }], replicas: 1 });
    const resolver = nodeResolver();
    await expect(resolver.resolve6('web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    svc.setReady('web-0', false);
    await expect(resolver.resolve4('web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve4('nope.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('publishNotReadyAddresses keeps not-ready pods in DNS', async () => {
    const svc = cluster.defineService({ name: 'web', replicas: 2, publishNotReadyAddresses: true });
    svc.setReady('web-1', false);
    expect(await nodeResolver().resolve4('web.default.svc.cluster.local')).toHaveLength(2);
  });

  it.each([
    ['servfail', 'ESERVFAIL'],
    ['refused', 'EREFUSED'],
  ] as const)('an outage (%s) is seen as %s', async (mode, code) => {
    cluster.defineService({ name: 'web', replicas: 1 });
    cluster.outage(mode);
    await expect(nodeResolver().resolve4('web.default.svc.cluster.local')).rejects.toMatchObject({ code });
    cluster.outage(null);
    expect(await nodeResolver().resolve4('web.default.svc.cluster.local')).toHaveLength(1);
  });

  it('a 250-pod answer is truncated over UDP and c-ares gets all of it over TCP', async () => {
    cluster.defineService({ name: 'big', ports: [{ name: 'peer', port: 7000 }], replicas: 250 });
    const resolver = nodeResolver();
    expect(await resolver.resolve4('big.default.svc.cluster.local')).toHaveLength(250);
    expect(await resolver.resolveSrv('_peer._tcp.big.default.svc.cluster.local')).toHaveLength(250);
    expect(cluster.stats.truncated).toBe(2);
    expect(cluster.stats.tcpQueries).toBe(2);
  });

  it('serves IPv6 pods over ::1, with AAAA and ip6.arpa PTR', async () => {
    const fake = await createFakeCluster({ host: '::1' });
    try {
      const svc = fake.defineService({ name: 'web', replicas: 2, ipFamilies: ['IPv6'] });
      const resolver = nodeResolver(fake);
      expect((await resolver.resolve6('web.default.svc.cluster.local')).sort()).toEqual(svc.pods.map((pod) => pod.addresses[0]).sort());
      expect(await resolver.reverse(svc.pods[0]?.addresses[0] as string)).toEqual(['web-0.web.default.svc.cluster.local']);
    } finally {
      await fake.close();
    }
  });

  it('names hostname-less endpoints by their dashed IP, like CoreDNS', async () => {
    const svc = cluster.defineService({ name: 'peers', ports: [{ name: 'peer', port: 7000 }], replicas: 2, hostnames: false });
    const srv = await nodeResolver().resolveSrv('_peer._tcp.peers.default.svc.cluster.local');
    const dashed = svc.pods.map((pod) => `${pod.addresses[0]?.replaceAll('.', '-')}.peers.default.svc.cluster.local`);
    expect(srv.map((record) => record.name).sort()).toEqual(dashed.sort());
  });

  it('answers REFUSED outside the cluster zone (it never forwards)', async () => {
    await expect(nodeResolver().resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
  });
});

describe('controls', () => {
  it('scale, restart, delete and deleteService change what DNS returns', async () => {
    const svc = cluster.defineService({ name: 'web', ordinalStart: 5, replicas: 2 });
    const resolver = nodeResolver();
    expect(svc.pods.map((pod) => pod.name)).toEqual(['web-5', 'web-6']);
    const before = svc.pods[0]?.addresses[0];
    svc.restart('web-5');
    expect(svc.pods[0]?.addresses[0]).not.toBe(before);
    expect(await resolver.resolve4('web-5.web.default.svc.cluster.local')).toEqual([svc.pods[0]?.addresses[0]]);
    svc.deletePod('web-6');
    await expect(resolver.resolve4('web-6.web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    svc.scale(3);
    expect(svc.pods.map((pod) => pod.name)).toEqual(['web-5', 'web-6', 'web-7']);
    cluster.deleteService('web');
    await expect(resolver.resolve4('web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(() => svc.restart('web-42')).toThrow(RangeError);
  });

  it('drop outage: no reply at all', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    cluster.outage('drop');
    const resolver = new Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([cluster.nameserver]);
    await expect(resolver.resolve4('web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });

  it('reports queries to onQuery listeners until unsubscribed', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    const seen: string[] = [];
    const stop = cluster.onQuery((query) => seen.push(`${query.transport}:${query.type}:${query.name}`));
    await nodeResolver().resolve4('web.default.svc.cluster.local');
    stop();
    await nodeResolver().resolve4('web.default.svc.cluster.local');
    expect(seen).toEqual(['udp:A:web.default.svc.cluster.local']);
  });

  it('close() releases its sockets and is idempotent', async () => {
    const settle = async (): Promise<number> => {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      return process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap' || kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length;
    };
    const baseline = await settle();
    const fake = await createFakeCluster();
    fake.defineService({ name: 'web', replicas: 300 });
    await nodeResolver(fake).resolve4('web.default.svc.cluster.local');
    expect(await settle()).toBeGreaterThan(baseline);
    await Promise.all([fake.close(), fake.close()]);
    expect(await settle()).toBe(baseline);
  });

  it('is AsyncDisposable: Symbol.asyncDispose closes it (what `await using` calls)', async () => {
    const fake = await createFakeCluster();
    fake.defineService({ name: 'web', replicas: 1 });
    await nodeResolver(fake).resolve4('web.default.svc.cluster.local');
    await fake[Symbol.asyncDispose]();
    await expect(nodeResolver(fake).resolve4('web.default.svc.cluster.local')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ETIMEOUT|ETIMEDOUT/) });
  });
});
