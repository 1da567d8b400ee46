/**
 * Failure story: the seed loses its volume. Three pods form cluster c-1; kv-0 is re-created with
 * an empty volume (no data, no latch) and a new address while kv-1 and kv-2 keep running. It asks
 * them, finds c-1, and rejoins it by cloning, instead of initializing a second cluster; its new
 * latch names c-1; the split checks of every pod find one cluster. Real DNS (the fake cluster)
 * and real HTTP on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('the seed loses its volume', () => {
  it('rejoins the cluster its peers report, cloning from one of them, and writes a latch for it', async () => {
    const [kv0, kv1, kv2] = await Promise.all(['kv-0', 'kv-1', 'kv-2'].map((name) => pods.start(name)));
    await Promise.all([kv0, kv1, kv2].map((pod) => pods.bootstrap(pod!, 'c-1')));

    await kv0!.stop();
    await pods.wipe('kv-0');
    svc.restart('kv-0');
    const again = await pods.start('kv-0');
    expect(await again.latch.read()).toBeNull();
    const decision = await pods.bootstrap(again, 'c-2', { local: null });
    // Two more report requests from the new kv-0: a split check of it has ended.
    const checked = Promise.all([kv1!.askedBy(again.address, 2), kv2!.askedBy(again.address, 2)]);
    expect(decision).toMatchObject({ action: 'join', clusterId: 'c-1', target: { name: 'kv-1' }, cloneFrom: { name: 'kv-1' } });
    expect(decision.reason).toContain('instead of forming a second one');
    expect(decision.latched).toBeNull();
    expect((await again.latch.read())?.clusterId).toBe('c-1');

    // Its split checks (started by bootstrap) and its peers' find a single cluster.
    await checked;
    for (const pod of [again, kv1!, kv2!]) expect(pod.splits).toEqual([]);
    expect(await pods.ready(again)).toEqual({ status: 200, body: 'ready: member of cluster c-1\n' });
  });
});
