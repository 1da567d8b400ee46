/**
 * Failure story: two clusters formed by hand, then detected. kv-0 and kv-1 are in cluster c-1,
 * kv-2 and kv-3 in c-2 (an operator bootstrapped them apart), and everything looks healthy from
 * Kubernetes. Their split checks ask each other over HTTP: every pod emits `split` naming the same
 * winner (c-1, with the seed) and loser (c-2); the losing pods' readiness turns 503 with the reason
 * in the body; once kv-2 and kv-3 rejoin c-1, every pod emits `healed` and is ready. Real DNS (the
 * fake cluster) and real HTTP on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { nextEvent } from '../helpers/events';
import { freePort, httpProbe, ScenarioPods, type ScenarioPod } from './scenario-pods';

let cluster: FakeCluster;
let pods: ScenarioPods;

beforeEach(async () => {
  cluster = await createFakeCluster({ podNetwork: 'loopback' });
  const port = await freePort();
  const svc = cluster.defineService({ name: 'kv', ports: [{ name: 'peer', port }], replicas: 4 });
  pods = new ScenarioPods(cluster, svc, port);
});

afterEach(async () => {
  await pods.close();
  await cluster.close();
});

describe('two clusters formed by hand', () => {
  it('every pod names the same loser, the losing side is not ready, and it heals once they rejoin', async () => {
    const all: ScenarioPod[] = [];
    for (const [name, clusterId] of [['kv-0', 'c-1'], ['kv-1', 'c-1'], ['kv-2', 'c-2'], ['kv-3', 'c-2']] as const) all.push(await pods.start(name, { clusterId }));
    const detected = all.map((pod) => nextEvent(pod.discovery, 'split'));
    // No bootstrap here: the app opts in to split checks itself.
    for (const pod of all) pod.discovery.watchSplits({ probe: httpProbe(pod.address), report: pod.report, intervalMs: 100, jitter: 0 });

    const splits = (await Promise.all(detected)).map(([split]) => split);
    for (const split of splits) {
      expect(split.winner).toEqual({ clusterId: 'c-1', members: ['kv-0', 'kv-1'] });
      expect(split.losers).toEqual([{ clusterId: 'c-2', members: ['kv-2', 'kv-3'] }]);
      expect(split).toEqual(splits[0]);
    }
    expect(splits[0]?.reason).toContain('c-1 wins because it has the seed kv-0');

    const [kv0, , kv2, kv3] = all as [ScenarioPod, ScenarioPod, ScenarioPod, ScenarioPod];
    expect(await pods.ready(kv2)).toEqual({ status: 503, body: 'not ready: on the losing side of a split: its cluster c-2 (kv-2, kv-3) loses to c-1 (kv-0, kv-1)\n' });
    expect(await pods.ready(kv0)).toEqual({ status: 200, body: 'ready: member of cluster c-1; a split is detected, and c-2 loses\n' });

    // It keeps reporting while it lasts.
    const again = await nextEvent(kv0.discovery, 'split');
    expect(again[1]).toEqual(again[0]);

    // The losing side steps down and rejoins c-1 (its app would wipe and clone).
    const healed = all.map((pod) => nextEvent(pod.discovery, 'healed'));
    kv2.state.clusterId = 'c-1';
    kv3.state.clusterId = 'c-1';
    for (const [previous] of await Promise.all(healed)) expect(previous.losers[0]?.clusterId).toBe('c-2');
    for (const pod of all) {
      expect(pod.discovery.split).toBeNull();
      expect(await pods.ready(pod)).toEqual({ status: 200, body: 'ready: member of cluster c-1\n' });
    }
  });
});
