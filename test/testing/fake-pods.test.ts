/**
 * What the fake cluster's pods gained for the Kubernetes API, and what DNS makes of it: a UID
 * per incarnation, a node and a zone, and termination (gone from DNS unless the Service
 * publishes not-ready addresses, as CoreDNS drops endpoints that are not ready).
 */
import { Resolver } from 'node:dns/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';

let cluster: FakeCluster;
let resolver: Resolver;

beforeEach(async () => {
  cluster = await createFakeCluster();
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([cluster.nameserver]);
});
afterEach(async () => {
  await cluster.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('pods of the fake cluster', () => {
  it('a UID per incarnation: new on restart and on re-creation by scale, kept by setReady and setIpFamilies', () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    const [first, second] = web.pods.map((pod) => pod.uid);
    expect(first).toMatch(UUID);
    expect(new Set([first, second]).size).toBe(2);
    web.setReady('web-0', false).setIpFamilies(['IPv4', 'IPv6']);
    expect(web.pods[0]?.uid).toBe(first);
    web.restart('web-0');
    expect(web.pods[0]?.uid).not.toBe(first);
    web.scale(1).scale(2);
    expect(web.pods[1]?.uid).not.toBe(second);
  });

  it('node and zone follow the ordinal: node-<n % 3>, zone-a/b/c', () => {
    const web = cluster.defineService({ name: 'web', replicas: 4, ordinalStart: 1 });
    expect(web.pods.map((pod) => [pod.name, pod.nodeName, pod.zone])).toEqual([
      ['web-1', 'node-1', 'zone-b'],
      ['web-2', 'node-2', 'zone-c'],
      ['web-3', 'node-0', 'zone-a'],
      ['web-4', 'node-1', 'zone-b'],
    ]);
  });

  it('terminate: the pod stays, with a deletionTimestamp, until deletePod; restart gives a pod that is not terminating', () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    web.terminate('web-1');
    expect(web.pods[1]).toMatchObject({ name: 'web-1', terminating: true, deletionTimestamp: expect.stringMatching(/Z$/) });
    web.restart('web-1');
    expect(web.pods[1]).toMatchObject({ terminating: false, deletionTimestamp: null });
    web.terminate('web-1').deletePod('web-1');
    expect(web.pods.map((pod) => pod.name)).toEqual(['web-0']);
    expect(() => web.terminate('web-9')).toThrow(/no pod "web-9"/);
  });

  it('in DNS a terminating pod disappears, unless the Service publishes not-ready addresses', async () => {
    const web = cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 2 });
    const published = cluster.defineService({ name: 'pub', ports: [{ name: 'peer', port: 7000 }], replicas: 2, publishNotReadyAddresses: true });
    web.terminate('web-1');
    published.terminate('pub-1');
    expect((await resolver.resolveSrv('_peer._tcp.web.default.svc.cluster.local')).map((record) => record.name)).toEqual(['web-0.web.default.svc.cluster.local']);
    await expect(resolver.resolve4('web-1.web.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(await resolver.resolve4('pub.default.svc.cluster.local')).toHaveLength(2);
  });

  it('a selector of its own, which the pods carry', () => {
    const web = cluster.defineService({ name: 'web', replicas: 1, selector: { 'app.kubernetes.io/name': 'web' } });
    expect(web.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(cluster.defineService({ name: 'db', statefulSet: 'mysql' }).selector).toEqual({ app: 'mysql' });
  });
});
