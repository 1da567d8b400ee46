/**
 * The independent check: the official client, @kubernetes/client-node (a devDependency pinned
 * at 1.4.0), loads the fake API's kubeconfig and in-cluster files, trusts its CA, and lists and
 * watches its EndpointSlices through `makeInformer` — relisting on 410 both ways, as it does
 * against a real cluster. If our objects, streams or errors were shaped wrong, it would not.
 */
import { CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer, type V1EndpointSlice } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi, type FakeService } from '../../../src/testing/index';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
let web: FakeService;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ maxEndpointsPerSlice: 2 });
  web = cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await cluster.close();
});

async function kubeconfig(): Promise<KubeConfig> {
  const config = new KubeConfig();
  config.loadFromFile(await api.writeKubeconfig());
  return config;
}

/** Informer callbacks as a queue a test awaits, with a deadline. */
function recorder() {
  const events: { verb: string; slice: V1EndpointSlice | undefined; error: unknown }[] = [];
  const waiters = new Set<() => void>();
  const record = (verb: string) => (value?: unknown) => {
    events.push({ verb, slice: verb === 'error' || verb === 'connect' ? undefined : (value as V1EndpointSlice), error: verb === 'error' ? value : undefined });
    for (const wake of waiters) wake();
  };
  let taken = 0;
  const next = async (verb: string, accept: (slice: V1EndpointSlice | undefined) => boolean = () => true, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (taken < events.length) {
        const event = events[taken++] as (typeof events)[number];
        if (event.verb === verb && accept(event.slice)) return event;
      }
      if (Date.now() > deadline) throw new Error(`no "${verb}" within ${timeoutMs} ms; saw ${events.map((event) => event.verb).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    }
  };
  return { events, record, next };
}

async function startInformer(config: KubeConfig) {
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const informer = makeInformer(
    config,
    '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    () => discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' }),
    'kubernetes.io/service-name=web',
  );
  const seen = recorder();
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, seen.record(verb));
  informer.on('error', seen.record('error'));
  await informer.start();
  stops.push(() => informer.stop());
  return { informer, seen };
}

const podsIn = (slices: readonly V1EndpointSlice[]): string[] =>
  slices.flatMap((slice) => (slice.endpoints ?? []).map((endpoint) => endpoint.targetRef?.name ?? '?')).sort();

function countLists(): { lists: number; watches: number } {
  const counts = { lists: 0, watches: 0 };
  stops.push(
    (() => {
      const stop = api.onRequest((request) => {
        if (request.resource !== 'endpointslices') return;
        if (request.verb === 'list') counts.lists++;
        if (request.verb === 'watch') counts.watches++;
      });
      return async () => void stop();
    })(),
  );
  return counts;
}

describe('@kubernetes/client-node against the fake API', () => {
  it('loads the kubeconfig and lists: typed slices, dates parsed, conditions read', async () => {
    web.setReady('web-1', false);
    const config = await kubeconfig();
    expect(config.getCurrentCluster()?.server).toBe(api.url);
    const list = await config.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    expect(list.metadata?.resourceVersion).toBe(api.resourceVersion);
    expect(list.items).toHaveLength(2);
    expect(podsIn(list.items)).toEqual(['web-0', 'web-1', 'web-2']);
    expect(list.items[0]?.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const notReady = list.items.flatMap((slice) => slice.endpoints ?? []).find((endpoint) => endpoint.targetRef?.name === 'web-1');
    expect(notReady?.conditions).toEqual({ ready: false, serving: false, terminating: false });
    const service = await config.makeApiClient(CoreV1Api).readNamespacedService({ name: 'web', namespace: 'default' });
    expect(service.spec?.clusterIP).toBe('None');
  });

  it('a 403 and a 404 come back as the client’s ApiException with the code and the Status body', async () => {
    const config = await kubeconfig();
    api.forbid({ resource: 'endpointslices', verbs: ['list'] });
    const forbidden = await config.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default' }).catch((error: { code: number; body: string }) => error);
    expect(forbidden).toMatchObject({ code: 403 });
    expect(JSON.parse((forbidden as { body: string }).body)).toMatchObject({ reason: 'Forbidden' });
    const missing = await config.makeApiClient(CoreV1Api).readNamespacedService({ name: 'nope', namespace: 'default' }).catch((error: { code: number }) => error);
    expect(missing).toMatchObject({ code: 404 });
  });

  it('makeInformer: the initial slices, then every change the cluster makes, through one watch', async () => {
    const { informer, seen } = await startInformer(await kubeconfig());
    await seen.next('add');
    await seen.next('add');
    expect(podsIn(informer.list('default'))).toEqual(['web-0', 'web-1', 'web-2']);

    web.scale(5);
    await seen.next('add', (slice) => podsIn(slice ? [slice] : []).includes('web-4'));
    await expect.poll(() => podsIn(informer.list('default'))).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);

    web.terminate('web-0');
    const update = await seen.next('update', (slice) => slice?.endpoints?.some((endpoint) => endpoint.conditions?.terminating === true) === true);
    expect(update.slice?.endpoints?.find((endpoint) => endpoint.targetRef?.name === 'web-0')?.conditions).toEqual({ ready: false, serving: true, terminating: true });

    web.setIpFamilies(['IPv4', 'IPv6']);
    await expect.poll(() => informer.list('default').filter((slice) => slice.addressType === 'IPv6').length).toBe(3);

    cluster.deleteService('web');
    await expect.poll(() => informer.list('default').length).toBe(0);
  });

  it('410 as an ERROR event mid-stream: the informer relists and carries on', async () => {
    const counts = countLists();
    const { informer, seen } = await startInformer(await kubeconfig());
    await api.waitForWatches(1);
    expect(counts.lists).toBe(1);
    api.expireWatches();
    await expect.poll(() => counts.lists).toBe(2);
    await api.waitForWatches(1);
    web.scale(4);
    await expect.poll(() => podsIn(informer.list('default'))).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
    expect(seen.events.filter((event) => event.verb === 'error')).toEqual([]);
  });

  it('410 as the HTTP status on the re-watch: the informer relists too', async () => {
    api.expiredWatches = 'status';
    const counts = countLists();
    const { informer, seen } = await startInformer(await kubeconfig());
    await api.waitForWatches(1);
    await api.breakWatches(); // the informer stops on the error, its resourceVersion kept…
    await seen.next('error');
    web.scale(1); // …while changes happen and the history is compacted past it
    api.compact();
    await informer.start(); // its watch from the old resourceVersion gets HTTP 410
    await expect.poll(() => counts.lists).toBe(2);
    await expect.poll(() => podsIn(informer.list('default'))).toEqual(['web-0']);
  });

  it('a watch that ends cleanly is resumed from the last resourceVersion, without a relist', async () => {
    const counts = countLists();
    const { informer } = await startInformer(await kubeconfig());
    await api.waitForWatches(1);
    api.endWatches();
    await expect.poll(() => counts.watches).toBe(2);
    web.restart('web-2');
    await expect.poll(() => informer.list('default').flatMap((slice) => slice.endpoints ?? []).find((endpoint) => endpoint.targetRef?.name === 'web-2')?.targetRef?.uid).toBe(web.pods[2]?.uid);
    expect(counts.lists).toBe(1);
  });

  it('a watch broken mid-stream is an error to the informer; started again, it relists and catches up', async () => {
    const { informer, seen } = await startInformer(await kubeconfig());
    await api.waitForWatches(1);
    await api.breakWatches();
    await seen.next('error');
    web.scale(2); // while the informer is stopped
    await informer.start();
    await expect.poll(() => podsIn(informer.list('default'))).toEqual(['web-0', 'web-1']);
  });

  it('loadFromCluster: the in-cluster files and KUBERNETES_SERVICE_HOST/PORT are enough to list', async () => {
    const files = await api.writeInClusterFiles();
    const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    try {
      process.env['KUBERNETES_SERVICE_HOST'] = files.env.KUBERNETES_SERVICE_HOST;
      process.env['KUBERNETES_SERVICE_PORT'] = files.env.KUBERNETES_SERVICE_PORT;
      const config = new KubeConfig();
      config.loadFromCluster(files.root);
      expect(config.getContextObject(config.getCurrentContext())?.namespace).toBe('default');
      const list = await config.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default' });
      expect(podsIn(list.items)).toEqual(['web-0', 'web-1', 'web-2']);
    } finally {
      for (const [key, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
