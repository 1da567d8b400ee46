/**
 * Readiness end to end: a Service that publishes not-ready addresses, pods on loopback addresses
 * (127.244.x.y) and real TCP listeners standing in for the pods, opened and closed as the test
 * goes. Only loopback traffic.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Discovery, DiscoveryOptions } from '../../src/index';
import type { FakeService } from '../../src/testing/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';

const harness = useDiscoveryHarness({
  cluster: { podNetwork: 'loopback' },
  base: { podName: 'mysql-0', intervalMs: 60_000, readiness: { tcp: true, periodMs: 100, timeoutMs: 500, failureThreshold: 2 } },
  quiet: true,
});
const listeners = new Map<string, Server>();

afterEach(async () => {
  await Promise.all([...listeners.keys()].map((address) => stopPod(address)));
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Serve TCP on a pod's address; counts connections. */
async function startPod(address: string, port: number, connections: string[] = []): Promise<void> {
  const server = createServer((socket) => {
    connections.push(address);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  listeners.set(address, server);
}

async function stopPod(address: string): Promise<void> {
  const server = listeners.get(address);
  listeners.delete(address);
  await new Promise((resolve) => server?.close(resolve));
}

async function setup(overrides: Partial<DiscoveryOptions> = {}): Promise<{ svc: FakeService; port: number; discovery: Discovery; address: (name: string) => string }> {
  const port = await freePort();
  const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port }], replicas: 3, publishNotReadyAddresses: true });
  const address = (name: string): string => svc.pods.find((pod) => pod.name === name)?.addresses[0] ?? '';
  const discovery = harness.discovery(overrides);
  return { svc, port, discovery, address };
}

describe('readiness probes gate membership', () => {
  it('only ready peers join; a pod that starts listening joins, one that stops leaves', async () => {
    const { port, discovery, address } = await setup();
    await startPod(address('mysql-0'), port);
    await startPod(address('mysql-1'), port);
    const log: string[] = [];
    for (const event of ['join', 'leave', 'ready', 'unready'] as const) discovery.on(event, (peer) => void log.push(`${event}:${peer.name}`));
    discovery.on('update', (peer) => void log.push(`update:${peer.name}`));

    const first = await discovery.start();
    expect(first.peers.map((peer) => [peer.name, peer.ready])).toEqual([['mysql-0', true], ['mysql-1', true], ['mysql-2', false]]);
    expect(first.ready.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1']);
    expect(first.seed?.name).toBe('mysql-0');
    // Peers start not ready, as in Kubernetes: the first successful probe makes them ready (and members).
    expect(log.sort()).toEqual(['join:mysql-0', 'join:mysql-1', 'ready:mysql-0', 'ready:mysql-1']);
    log.length = 0;

    const joined = nextEvent(discovery, 'join');
    await startPod(address('mysql-2'), port);
    expect((await joined)[0].name).toBe('mysql-2');

    const left = nextEvent(discovery, 'leave');
    await stopPod(address('mysql-1'));
    expect((await left)[0].name).toBe('mysql-1');
    expect(discovery.membership.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    expect(discovery.membership.ready.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-2']);
    expect(log).toEqual(['join:mysql-2', 'ready:mysql-2', 'leave:mysql-1', 'unready:mysql-1']);
  });

  it('with includeNotReady every peer is a member and readiness changes are updates', async () => {
    const { port, discovery, address } = await setup({ includeNotReady: true });
    await startPod(address('mysql-0'), port);
    const log: string[] = [];
    discovery.on('join', (peer) => log.push(`join:${peer.name}`));
    discovery.on('update', (peer, previous) => log.push(`update:${peer.name}:${String(previous.ready)}→${String(peer.ready)}`));
    await discovery.start();
    expect(log).toEqual(['join:mysql-0', 'join:mysql-1', 'join:mysql-2', 'update:mysql-0:false→true']);
    const updated = nextEvent(discovery, 'update');
    await startPod(address('mysql-1'), port);
    await updated;
    expect(log.slice(4)).toEqual(['update:mysql-1:false→true']);
  });

  it('a custom check decides, and close() stops every probe', async () => {
    const asked: string[] = [];
    const { discovery } = await setup({
      readiness: { check: async (peer) => { asked.push(peer.name); return peer.ordinal !== 2; }, periodMs: 100 },
    });
    const membership = await discovery.start();
    expect(membership.ready.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1']);
    await discovery.close();
    const count = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(asked.length).toBe(count);
  });
});
