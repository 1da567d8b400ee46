/**
 * Failure story: a draining pod is never chosen. kv-0, kv-1 and kv-2 form cluster c-1; kv-2 gets
 * SIGTERM and calls drain(): it reports `draining`, its readiness turns 503, it emits no `join`,
 * it cannot bootstrap and it stops its split checks. The StatefulSet scales up: kv-3 clones from
 * kv-1 rather than its draining neighbour kv-2. Then the seed drains too: kv-4 waits with the
 * `seed` policy, and joins kv-1 with `any-ready`. Real DNS (the fake cluster) and real HTTP on
 * loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootstrapDecision } from '../../src/index';
import { createFakeCluster, type FakeCluster, type FakeService } from '../../src/testing/index';
import { nextEvent } from '../helpers/events';
import { freePort, httpProbe, ScenarioPods, type ScenarioPod } from './scenario-pods';

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

describe('a draining pod', () => {
  it('is never chosen as join target or clone source, and stops taking part itself', async () => {
    const formed = await Promise.all(['kv-0', 'kv-1', 'kv-2'].map((name) => pods.start(name)));
    await Promise.all(formed.map((pod) => pods.bootstrap(pod, 'c-1')));
    const [kv0, kv1, kv2] = formed as [ScenarioPod, ScenarioPod, ScenarioPod];

    // SIGTERM on kv-2.
    const joins: string[] = [];
    kv2.discovery.on('join', (peer) => joins.push(peer.name));
    await kv2.discovery.drain();
    expect(kv2.discovery.draining).toBe(true);
    expect(kv2.report()).toEqual({ clusterId: 'c-1', draining: true });
    expect(await pods.ready(kv2)).toEqual({ status: 503, body: 'not ready: this pod is draining (drain() was called): it is leaving the cluster\n' });
    await expect(kv2.discovery.bootstrap({})).rejects.toMatchObject({ code: 'ERR_DRAINING' });
    expect(() => kv2.discovery.watchSplits({ probe: async () => null })).toThrow(expect.objectContaining({ code: 'ERR_DRAINING' }));

    // Scale up: kv-3 would clone from kv-2, its N-1; kv-2 is draining, so kv-1.
    const seen = nextEvent(kv2.discovery, 'change', (membership) => membership.peers.some((peer) => peer.name === 'kv-3'));
    const kv1Asked = kv1.askedBy(kv0.address, 2);
    svc.scale(4);
    const kv3 = await pods.start('kv-3');
    const joined = await pods.bootstrap(kv3, 'c-2');
    expect(joined).toMatchObject({ action: 'join', clusterId: 'c-1', target: { name: 'kv-0' }, cloneFrom: { name: 'kv-1' }, replicateFrom: { name: 'kv-0' } });
    expect(joined.reason).toContain('kv-2 is draining: never chosen');

    // The draining pod still follows the membership, but emits no join, and asks nobody anymore.
    await seen;
    await kv1Asked;
    expect(joins).toEqual([]);
    let askedByDraining = 0;
    void kv1.askedBy(kv2.address).then(() => (askedByDraining += 1));
    await kv1.askedBy(kv0.address, 2);
    expect(askedByDraining).toBe(0);

    // The seed drains too: with the seed policy kv-4 waits for it; with any-ready it joins kv-1.
    await kv0.discovery.drain();
    svc.scale(5);
    const kv4 = await pods.start('kv-4');
    const controller = new AbortController();
    const waits: BootstrapDecision[] = [];
    const waiting = kv4.discovery.bootstrap({
      probe: httpProbe(kv4.address),
      stableForMs: 200,
      signal: controller.signal,
      onWait: (decision) => {
        waits.push(decision);
        controller.abort(new Error('seen enough'));
      },
    });
    await expect(waiting).rejects.toThrow('seen enough');
    expect(waits[0]?.reason).toContain('kv-0 (kv-0.kv.default.svc.cluster.local) is draining');
    const anyReady = await pods.bootstrap(kv4, 'c-2', { joinPolicy: 'any-ready' });
    expect(anyReady).toMatchObject({ action: 'join', clusterId: 'c-1', target: { name: 'kv-1' }, cloneFrom: { name: 'kv-3' }, replicateFrom: { name: 'kv-1' } });
    expect(anyReady.reason).toContain('kv-0, kv-2 are draining: never chosen');
  });
});
