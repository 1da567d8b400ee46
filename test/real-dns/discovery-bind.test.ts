/**
 * The discovery, through its public API, against a real BIND 9 serving the zones CoreDNS serves
 * (bind-cluster.mjs): the runtime scenarios of test/runtime/discovery.test.ts against a server
 * this project did not write. BIND differs from the fake cluster where it matters to a client:
 * no glue at all above 13 SRV records, glue cut to what fits 1232 bytes without TC, an empty
 * answer section when it truncates. Each change is published with `await bind.sync()`, then
 * polls are driven with refresh(); leaves need `leaveAfterPolls` polls, so they are awaited.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery, type Discovery, type DiscoveryOptions } from '../../src/index';
import { recordEvents } from '../helpers/events';
import { startBind, type BindCluster } from './bind-cluster.mjs';

let bind: BindCluster;
const open: Discovery[] = [];
beforeAll(async () => {
  bind = await startBind();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((discovery) => discovery.close()));
});
afterAll(() => bind?.close());

function discoveryOf(server: BindCluster, service: string, overrides: Partial<DiscoveryOptions> = {}): Discovery {
  const discovery = createDiscovery({
    service,
    namespace: 'default',
    clusterDomain: server.clusterDomain,
    port: 'peer',
    podName: `${service}-0`,
    nameservers: [server.nameserver],
    sources: ['srv'],
    intervalMs: 200,
    jitter: 0,
    minIntervalMs: 100,
    dnsTimeoutMs: 1000,
    dnsAttempts: 1,
    ...overrides,
  });
  open.push(discovery);
  return discovery;
}

/** refresh() until `done` holds (each poll may be one of several `leaveAfterPolls` needs), within a generous deadline. */
async function refreshUntil(discovery: Discovery, done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await discovery.refresh();
  }
}

describe('a StatefulSet over SRV, served by BIND', () => {
  it('finds 3 pods: names, ordinals, ports, addresses, the seed and self', async () => {
    const svc = bind.defineService({ name: 'three', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const membership = await discoveryOf(bind, 'three', { podName: 'three-1' }).start();

    expect(membership.stale).toBe(false);
    expect(membership.peers.map((peer) => peer.name)).toEqual(['three-0', 'three-1', 'three-2']);
    expect(membership.peers.map((peer) => peer.ordinal)).toEqual([0, 1, 2]);
    for (const [index, peer] of membership.peers.entries()) {
      expect(peer.addresses).toEqual(svc.pods[index]?.addresses);
      expect(peer.port).toBe(7000);
      expect(peer.host).toBe(svc.podHost(peer.name));
    }
    expect(membership.seed?.name).toBe('three-0');
    expect(membership.self?.name).toBe('three-1');
  });

  it('sees a scale 3 → 5 → 2 as joins, then leaves once they have been missing for leaveAfterPolls polls', async () => {
    const svc = bind.defineService({ name: 'scaling', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const discovery = discoveryOf(bind, 'scaling');
    await discovery.start();
    const log = recordEvents(discovery);

    svc.scale(5);
    await bind.sync();
    await refreshUntil(discovery, () => discovery.membership.peers.length === 5, 'the two new pods');
    expect(log).toEqual(['join:scaling-3', 'join:scaling-4']);

    svc.scale(2);
    await bind.sync();
    await refreshUntil(discovery, () => log.filter((line) => line.startsWith('leave:')).length === 3, 'three leaves');
    expect(log.slice(2)).toEqual(['leave:scaling-2', 'leave:scaling-3', 'leave:scaling-4']);
    expect(discovery.membership.peers.map((peer) => peer.name)).toEqual(['scaling-0', 'scaling-1']);
  });

  it('sees a pod restarted with a new IP as an update, not a leave and a join', async () => {
    const svc = bind.defineService({ name: 'restarting', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const discovery = discoveryOf(bind, 'restarting');
    await discovery.start();
    const log = recordEvents(discovery);

    svc.restart('restarting-1');
    await bind.sync();
    await refreshUntil(discovery, () => log.length > 0, 'an event');
    for (let poll = 0; poll < 3; poll++) await discovery.refresh();

    expect(log).toEqual(['update:restarting-1']);
    expect(discovery.membership.peers.find((peer) => peer.name === 'restarting-1')?.addresses).toEqual(svc.pods[1]?.addresses);
  });

  it('a pod that is not ready leaves DNS and the membership; with publishNotReadyAddresses it stays listed', async () => {
    const hidden = bind.defineService({ name: 'hidden', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    const listed = bind.defineService({ name: 'listed', ports: [{ name: 'peer', port: 7000 }], replicas: 3, publishNotReadyAddresses: true });
    await bind.sync();
    const [hiding, listing] = [discoveryOf(bind, 'hidden'), discoveryOf(bind, 'listed')];
    await Promise.all([hiding.start(), listing.start()]);
    const [hidingLog, listingLog] = [recordEvents(hiding), recordEvents(listing)];

    hidden.setReady('hidden-2', false);
    listed.setReady('listed-2', false);
    await bind.sync();
    await refreshUntil(hiding, () => hidingLog.includes('leave:hidden-2'), 'hidden-2 leaving');
    for (let poll = 0; poll < 3; poll++) await listing.refresh();

    expect(hidingLog).toEqual(['leave:hidden-2']);
    expect(listingLog).toEqual([]);
    expect(listing.membership.peers.map((peer) => peer.name)).toEqual(['listed-0', 'listed-1', 'listed-2']);
  });

  it('0 replicas (NXDOMAIN) is an empty membership, fresh, not a stale one', async () => {
    const svc = bind.defineService({ name: 'draining', ports: [{ name: 'peer', port: 7000 }], replicas: 2 });
    bind.defineService({ name: 'never', ports: [{ name: 'peer', port: 7000 }], replicas: 0 });
    await bind.sync();
    const discovery = discoveryOf(bind, 'draining');
    await discovery.start();
    const errors: string[] = [];
    discovery.on('error', (error) => errors.push(error.code));

    svc.scale(0);
    await bind.sync();
    await refreshUntil(discovery, () => discovery.membership.peers.length === 0, 'an empty membership');
    expect(discovery.membership.stale).toBe(false);

    const never = await discoveryOf(bind, 'never').start();
    expect(never.peers).toEqual([]);
    expect(never.stale).toBe(false);
    expect(errors).toEqual([]);
  });

  it('names A/AAAA peers from their PTR records with a numeric port (the address source)', async () => {
    const svc = bind.defineService({ name: 'numeric', ports: [{ port: 7000 }], replicas: 3 });
    await bind.sync();
    const membership = await discoveryOf(bind, 'numeric', { port: 7000, sources: ['address'] }).start();
    expect(membership.peers.map((peer) => [peer.name, peer.addresses])).toEqual(svc.pods.map((pod) => [pod.name, pod.addresses]));
  });
});

describe('large Services: BIND gives no glue above 13 SRV records', () => {
  const truth = (svc: ReturnType<BindCluster['defineService']>) => svc.pods.map((pod) => [pod.name, pod.addresses, 7000]);

  it('finds all 300 pods with their addresses and ports (TC over UDP, the SRV over TCP, each target looked up)', async () => {
    const svc = bind.defineService({ name: 'big', ports: [{ name: 'peer', port: 7000 }], replicas: 300 });
    await bind.sync();
    const membership = await discoveryOf(bind, 'big').start();
    expect(membership.stale).toBe(false);
    expect(membership.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual(truth(svc));
  });

  it('finds all 300 pods when the server sends no additional section at all (minimal-responses)', async () => {
    const minimal = await startBind({ minimalResponses: true });
    try {
      const svc = minimal.defineService({ name: 'big', ports: [{ name: 'peer', port: 7000 }], replicas: 300 });
      await minimal.sync();
      const membership = await discoveryOf(minimal, 'big').start();
      expect(membership.stale).toBe(false);
      expect(membership.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual(truth(svc));
    } finally {
      await minimal.close();
    }
  });

  it('gives 13 dual-stack pods both addresses, though BIND cut their AAAA glue to what fits 1232 bytes (without TC)', async () => {
    const svc = bind.defineService({ name: 'dual', ports: [{ name: 'peer', port: 7000 }], replicas: 13, ipFamilies: ['IPv4', 'IPv6'] });
    await bind.sync();
    const membership = await discoveryOf(bind, 'dual').start();
    expect(membership.peers.map((peer) => [peer.name, peer.addresses])).toEqual(svc.pods.map((pod) => [pod.name, pod.addresses]));
  });
});
