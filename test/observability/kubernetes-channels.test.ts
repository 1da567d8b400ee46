/**
 * The Kubernetes list/watch channels against the fake cluster's Kubernetes API (HTTPS on
 * loopback): the list and the watch that follows it, a watch that ends and is resumed, a watch
 * that expires (410) and the consistent list after it, and a failure while the API is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscovery, KUBERNETES_LIST_CHANNEL, KUBERNETES_WATCH_CHANNEL, type Discovery } from '../../src/index';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../src/testing/index';
import { channelLog, type ChannelLog } from './channel-log';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
let log: ChannelLog;
const open: Discovery[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  api = await cluster.startKubernetesApi({ serviceAccount: { namespace: 'default', name: 'mysql' } });
  log = channelLog([KUBERNETES_LIST_CHANNEL, KUBERNETES_WATCH_CHANNEL]);
});

afterEach(async () => {
  log.close();
  await Promise.all(open.splice(0).map((discovery) => discovery.close()));
  await cluster.close();
});

async function discovery(): Promise<Discovery> {
  const created = createDiscovery({
    service: 'mysql',
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    port: 'mysql',
    podName: 'client',
    nameservers: [cluster.nameserver],
    sources: ['kubernetes'],
    kubernetes: { kubeconfig: await api.writeKubeconfig() },
    intervalMs: 60_000,
    environment: { env: {} },
  });
  created.on('error', () => undefined);
  open.push(created);
  return created;
}

describe('the kubernetes channels', () => {
  it('tell the list, then the watch from its resourceVersion, and a watch that ends and is resumed', async () => {
    await (await discovery()).start();
    const list = await log.next(KUBERNETES_LIST_CHANNEL);
    expect(list).toMatchObject({ service: 'mysql', namespace: 'default', server: api.url, fromCache: true, outcome: 'ok', items: expect.any(Number), resourceVersion: expect.any(String) });
    expect(list['items']).toBeGreaterThan(0);
    const opened = await log.next(KUBERNETES_WATCH_CHANNEL, (message) => message['event'] === 'opened');
    expect(opened).toMatchObject({ service: 'mysql', namespace: 'default', server: api.url, resourceVersion: list['resourceVersion'], timeoutSeconds: expect.any(Number) });
    await api.waitForWatches(1, { resource: 'endpointslices' });
    api.sendBookmarks();
    api.endWatches();
    const ended = await log.next(KUBERNETES_WATCH_CHANNEL, (message) => message['event'] === 'ended');
    expect(ended).toMatchObject({ events: expect.any(Number), durationMs: expect.any(Number) });
    await log.next(KUBERNETES_WATCH_CHANNEL, (message) => message['event'] === 'opened' && message !== opened);
    expect(log.of(KUBERNETES_LIST_CHANNEL)).toHaveLength(1);
  });

  it('tell a watch that expired (410) and the consistent list after it', async () => {
    await (await discovery()).start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    await log.next(KUBERNETES_WATCH_CHANNEL, (message) => message['event'] === 'opened');
    api.expireWatches();
    await log.next(KUBERNETES_WATCH_CHANNEL, (message) => message['event'] === 'expired');
    const relisted = await log.next(KUBERNETES_LIST_CHANNEL, (message) => message['fromCache'] === false);
    expect(relisted).toMatchObject({ outcome: 'ok' });
  });

  it('tell a list that failed, with its error', async () => {
    await api.outage('unavailable');
    await (await discovery()).start();
    const failed = await log.next(KUBERNETES_LIST_CHANNEL);
    expect(failed).toMatchObject({ outcome: 'failed', error: expect.objectContaining({ code: expect.stringMatching(/^ERR_K8S_/) }) });
  });
});
