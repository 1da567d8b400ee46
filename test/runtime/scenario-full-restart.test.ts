/**
 * Failure story: a full restart. Three pods form cluster c-1 and write their formed latches; then
 * every pod goes down and comes back with a new address, the seed first and alone (as
 * `OrderedReady` brings them back). The seed finds no peer to ask: without its latch, an app whose
 * data cannot tell (or looks empty) would initialize a second cluster; with it, the seed resumes
 * c-1 and the others rejoin it. Real DNS (the fake cluster) and real HTTP on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideBootstrap } from '../../src/index';
import { createFakeCluster, type FakeCluster, type FakeService } from '../../src/testing/index';
import { freePort, ScenarioPods } from './scenario-pods';

let cluster: FakeCluster;
let svc: FakeService;
let pods: ScenarioPods;

beforeEach(async () => {
  cluster = await createFakeCluster({ podNetwork: 'loopback' });
  const port = await freePort();
  svc = cluster.defineService({ name: 'kv', ports: [{ name: 'peer', port }], replicas: 3 });
  pods = new ScenarioPods(cluster, svc, port);
});

afterEach(async () => {
  await pods.close();
  await cluster.close();
});

describe('a full restart', () => {
  it('the seed comes back alone and resumes its cluster from its latch; the others rejoin it; nobody initializes', async () => {
    const first = await Promise.all(['kv-0', 'kv-1', 'kv-2'].map((name) => pods.start(name)));
    const decisions = await Promise.all(first.map((pod) => pods.bootstrap(pod, 'c-1')));
    expect(decisions.map((decision) => decision.action)).toEqual(['initialize', 'join', 'join']);
    for (const pod of first) expect((await pod.latch.read())?.clusterId).toBe('c-1');

    // Everyone goes down.
    await Promise.all(first.map((pod) => pod.stop()));
    for (const name of ['kv-1', 'kv-2']) svc.setReady(name, false);

    // The seed comes back first, on a new address, and nobody else is in DNS.
    svc.restart('kv-0');
    const seed = await pods.start('kv-0');
    const resumed = await pods.bootstrap(seed, 'c-2');
    expect(resumed.latched?.clusterId).toBe('c-1');
    expect(resumed).toMatchObject({ action: 'join', clusterId: 'c-1', target: null });
    expect(resumed.reason).toContain('resume it from its own data');
    // What the same pod decides without its latch, its data looking empty: a second cluster.
    expect(decideBootstrap(seed.discovery.membership, { podName: 'kv-0', reports: new Map(), local: null }).action).toBe('initialize');
    expect(await pods.ready(seed)).toEqual({ status: 200, body: 'ready: member of cluster c-1\n' });

    // Then the others, one at a time, each on a new address.
    for (const name of ['kv-1', 'kv-2']) {
      svc.restart(name);
      const pod = await pods.start(name);
      const decision = await pods.bootstrap(pod, 'c-2');
      expect(decision).toMatchObject({ action: 'join', clusterId: 'c-1', target: { name: 'kv-0' } });
      expect(pod.state.clusterId).toBe('c-1');
    }
  });
});
