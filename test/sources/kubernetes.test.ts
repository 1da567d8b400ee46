/**
 * The `kubernetes` source end to end: `createDiscovery({ sources: ['kubernetes', 'srv'] })`
 * against the fake cluster's Kubernetes API (HTTPS on loopback, its CA trusted through a
 * kubeconfig file or a pod's service-account files) and its DNS, both describing one cluster.
 * Every change is waited for as an event, with a generous deadline; nothing sleeps.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDiscovery, type Discovery, type DiscoveryError, type DiscoveryOptions, type MembershipDiff } from '../../src/index';
import {
  createFakeCluster,
  endpointSliceWithoutAddresses,
  foreignEndpointSlice,
  MALFORMED_WATCH_LINE,
  wrongKindObject,
  type FakeCluster,
  type FakeKubernetesApi,
  type FakeService,
  type KubeApiRequest,
} from '../../src/testing/index';
import { nextEvent } from '../helpers/events';
import { openSocketCount, settle } from '../helpers/sockets';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
let service: FakeService;
const open: Discovery[] = [];
const requests: KubeApiRequest[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  service = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  api = await cluster.startKubernetesApi({ serviceAccount: { namespace: 'default', name: 'mysql' } });
  requests.length = 0;
  api.onRequest((request) => requests.push(request));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((discovery) => discovery.close()));
  await cluster.close();
});

const slicesRequests = (): KubeApiRequest[] => requests.filter((request) => request.resource === 'endpointslices');

/** Resolve with the next request of the fake API for which `holds` is true. */
function nextRequest(holds: (request: KubeApiRequest) => boolean): Promise<KubeApiRequest> {
  return new Promise((resolve) => {
    const stop = api.onRequest((request) => {
      if (!holds(request)) return;
      stop();
      resolve(request);
    });
  });
}

async function options(overrides: { readonly [Key in keyof DiscoveryOptions]?: DiscoveryOptions[Key] | undefined } = {}): Promise<DiscoveryOptions> {
  return {
    service: 'mysql',
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    port: 'mysql',
    podName: 'client',
    nameservers: [cluster.nameserver],
    sources: ['kubernetes', 'srv'],
    kubernetes: { kubeconfig: await api.writeKubeconfig() },
    intervalMs: 300,
    environment: { env: {} },
    ...overrides,
  } as DiscoveryOptions;
}

/** A discovery closed after the test, whose errors are collected rather than warned about. */
function track(discovery: Discovery): Discovery & { errors: DiscoveryError[] } {
  open.push(discovery);
  const errors: DiscoveryError[] = [];
  discovery.on('error', (error) => errors.push(error));
  return Object.assign(discovery, { errors });
}

const names = (discovery: Discovery): string[] => discovery.membership.peers.map((peer) => peer.name);
const members = (discovery: Discovery): string[] => discovery.membership.ready.map((peer) => peer.name);

describe('the kubernetes source, against the fake Kubernetes API', () => {
  it('reads the Service from a kubeconfig file: every peer with its UID, node and port, seen by the API', async () => {
    const discovery = track(createDiscovery(await options()));
    const membership = await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    expect(membership.source).toBe('kubernetes');
    expect(membership.peers.map((peer) => [peer.name, peer.ordinal, peer.port, peer.ready, peer.draining, peer.sources])).toEqual([
      ['mysql-0', 0, 3306, true, false, ['kubernetes']],
      ['mysql-1', 1, 3306, true, false, ['kubernetes']],
      ['mysql-2', 2, 3306, true, false, ['kubernetes']],
    ]);
    const pods = service.pods;
    for (const peer of membership.peers) {
      const pod = pods.find((candidate) => candidate.name === peer.name);
      expect(peer.uid).toBe(pod?.uid);
      expect(peer.addresses).toEqual([...(pod?.addresses ?? [])].sort());
      expect(peer.host).toBe(`${peer.name}.mysql.default.svc.${cluster.clusterDomain}`);
      expect(peer.nodeName).toEqual(expect.any(String));
    }
    const [list, watch] = slicesRequests();
    expect(list?.verb).toBe('list');
    expect(watch?.verb).toBe('watch');
    expect(discovery.errors).toEqual([]);
  });

  it('follows a scale-up and a scale-down as they happen, one change per step', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    const joined = nextEvent(discovery, 'change', (membership) => membership.ready.length === 5);
    service.scale(5);
    const [, diff] = await joined;
    expect(diff.joined.map((peer) => peer.name)).toEqual(['mysql-3', 'mysql-4']);
    const left = nextEvent(discovery, 'change', (membership) => membership.peers.length === 2);
    service.scale(2);
    await left;
    expect(members(discovery)).toEqual(['mysql-0', 'mysql-1']);
  });

  it('reads readiness without a probe, and sees not-ready pods that DNS hides (no publishNotReadyAddresses)', async () => {
    service.setReady('mysql-2', false);
    const discovery = track(createDiscovery(await options()));
    const membership = await discovery.start();
    expect(membership.peers.map((peer) => [peer.name, peer.ready])).toEqual([
      ['mysql-0', true],
      ['mysql-1', true],
      ['mysql-2', false],
    ]);
    expect(members(discovery)).toEqual(['mysql-0', 'mysql-1']);
    const ready = nextEvent(discovery, 'ready', (peer) => peer.name === 'mysql-2');
    const joined = nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-2');
    service.setReady('mysql-2', true);
    await Promise.all([ready, joined]);
    const unready = nextEvent(discovery, 'unready', (peer) => peer.name === 'mysql-0');
    const leave = nextEvent(discovery, 'leave', (peer) => peer.name === 'mysql-0');
    service.setReady('mysql-0', false);
    await Promise.all([unready, leave]);
    expect(names(discovery)).toContain('mysql-0');
  });

  it('a terminating pod drains: a draining event, not ready, no longer a member (and then gone, no event)', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    const draining = nextEvent(discovery, 'draining', (peer) => peer.name === 'mysql-2');
    const left = nextEvent(discovery, 'leave', (peer) => peer.name === 'mysql-2');
    service.terminate('mysql-2');
    const [[peer]] = await Promise.all([draining, left]);
    expect(peer).toMatchObject({ name: 'mysql-2', draining: true, ready: false, sources: ['kubernetes'] });
    expect(names(discovery)).toContain('mysql-2');
    expect(members(discovery)).toEqual(['mysql-0', 'mysql-1']);
  });

  it('with includeNotReady, a draining pod stays a member until its endpoint is deleted, then leaves', async () => {
    const discovery = track(createDiscovery(await options({ includeNotReady: true })));
    await discovery.start();
    const drained = nextEvent(discovery, 'draining', (peer) => peer.name === 'mysql-2');
    service.terminate('mysql-2');
    await drained;
    expect(discovery.membership.peers.find((peer) => peer.name === 'mysql-2')).toMatchObject({ draining: true, ready: false });
    const left = nextEvent(discovery, 'leave', (peer) => peer.name === 'mysql-2');
    service.deletePod('mysql-2');
    const [gone] = await left;
    expect(gone.draining).toBe(true);
    expect(names(discovery)).toEqual(['mysql-0', 'mysql-1']);
  });

  it('a pod re-created under its name (new UID) is replaced, not updated', async () => {
    const discovery = track(createDiscovery(await options()));
    const before = (await discovery.start()).peers.find((peer) => peer.name === 'mysql-1');
    const updates: string[] = [];
    discovery.on('update', (peer) => updates.push(peer.name));
    const replaced = nextEvent(discovery, 'replace', (peer) => peer.name === 'mysql-1');
    service.restart('mysql-1');
    const [peer, previous] = await replaced;
    expect(previous.uid).toBe(before?.uid);
    expect(peer.uid).not.toBe(before?.uid);
    expect(peer.uid).toBe(service.pods.find((pod) => pod.name === 'mysql-1')?.uid);
    expect(updates).toEqual([]);
  });

  it('resumes a watch broken mid-stream from where it was, without listing again, and loses nothing', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    const lists = slicesRequests().filter((request) => request.verb === 'list').length;
    expect(await api.breakWatches()).toBeGreaterThan(0);
    service.scale(4);
    await nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-3');
    expect(slicesRequests().filter((request) => request.verb === 'list')).toHaveLength(lists);
    expect(discovery.membership.stale).toBe(false);
  });

  it('lists again after 410 Gone, and keeps following', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    api.compact();
    const relisted = nextRequest((request) => request.resource === 'endpointslices' && request.verb === 'list');
    const rewatched = nextRequest((request) => request.resource === 'endpointslices' && request.verb === 'watch');
    expect(api.expireWatches()).toBeGreaterThan(0);
    await Promise.all([relisted, rewatched]);
    expect(slicesRequests().filter((request) => request.verb === 'list')).toHaveLength(2);
    service.scale(4);
    await nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-3');
  });

  it('resumes a watch that ends normally from its last bookmark', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    cluster.defineService({ name: 'other', ports: [{ name: 'x', port: 1 }], replicas: 2 });
    const bookmarked = api.resourceVersion;
    expect(api.sendBookmarks()).toBeGreaterThan(0);
    const next = nextRequest((request) => request.resource === 'endpointslices' && request.verb === 'watch');
    api.endWatches();
    const resumed = await next;
    expect(resumed.query['resourceVersion']).toBe(bookmarked);
    expect(resumed.query['allowWatchBookmarks']).toBe('true');
  });

  it.each([
    ['401 (the token is no longer accepted)', 'ERR_K8S_UNAUTHORIZED'],
    ['403 (the RBAC rule is missing)', 'ERR_K8S_FORBIDDEN'],
  ])('a %s is a failed poll: stale, no leave, an error that says why', async (_, code) => {
    const discovery = track(createDiscovery(await options({ sources: ['kubernetes'] })));
    await discovery.start();
    const leaves: string[] = [];
    discovery.on('leave', (peer) => leaves.push(peer.name));
    const stale = nextEvent(discovery, 'stale');
    if (code === 'ERR_K8S_UNAUTHORIZED') api.acceptTokens([]);
    else api.forbid({ resource: 'endpointslices' });
    api.endWatches();
    await stale;
    expect(discovery.membership.stale).toBe(true);
    expect(names(discovery)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    expect(leaves).toEqual([]);
    const error = discovery.errors.find((candidate) => candidate.code === code);
    expect(error).toBeDefined();
    if (code === 'ERR_K8S_FORBIDDEN') {
      expect(error?.message).toContain('service account default/mysql');
      expect(error?.message).toMatch(/verb "(list|watch)" on resource "endpointslices" in API group "discovery.k8s.io" in namespace "default"/);
      expect(error?.message).toContain('k8s/endpointslice-reader.yaml');
    }
  });

  it('falls back to SRV while the API is down, each peer saying who saw it, and comes back', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    const fellBack = nextEvent(discovery, 'change', (membership) => membership.source === 'srv' && membership.ready.length === 4);
    await api.outage('refuse');
    service.scale(4);
    await fellBack;
    expect(discovery.membership.peers.map((peer) => peer.sources)).toEqual([['srv'], ['srv'], ['srv'], ['srv']]);
    expect(discovery.membership.stale).toBe(false);
    expect(discovery.errors.some((error) => error.code === 'ERR_K8S_UNREACHABLE')).toBe(true);
    const back = nextEvent(discovery, 'change', (membership) => membership.source === 'kubernetes');
    await api.outage(null);
    await back;
    expect(discovery.membership.peers.map((peer) => [peer.name, peer.sources])).toEqual([
      ['mysql-0', ['kubernetes']],
      ['mysql-1', ['kubernetes']],
      ['mysql-2', ['kubernetes']],
      ['mysql-3', ['kubernetes']],
    ]);
  });

  it('reports bad input once each (not JSON, another kind, another Service, no addresses) and ignores it: no peer lost', async () => {
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    const ref = { name: 'mysql', namespace: 'default' };
    const reported = new Promise<void>((resolve) => {
      discovery.on('error', () => {
        if (discovery.errors.filter((error) => error.code === 'ERR_K8S_BAD_OBJECT').length >= 4) resolve();
      });
    });
    for (let round = 0; round < 2; round++) {
      api.injectWatchLine(MALFORMED_WATCH_LINE, { resource: 'endpointslices' });
      api.injectWatchEvent('ADDED', wrongKindObject(ref), { resource: 'endpointslices' });
      api.injectWatchEvent('ADDED', foreignEndpointSlice(ref, 'other'), { resource: 'endpointslices' });
      api.injectWatchEvent('ADDED', endpointSliceWithoutAddresses(ref), { resource: 'endpointslices' });
    }
    await reported;
    service.scale(4);
    await nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-3');
    const bad = discovery.errors.filter((error) => error.code === 'ERR_K8S_BAD_OBJECT').map((error) => error.message);
    expect(bad).toHaveLength(4);
    expect(bad.join('\n')).toMatch(/not a JSON watch event/);
    expect(bad.join('\n')).toMatch(/kind "ConfigMap"/);
    expect(bad.join('\n')).toMatch(/controlled by the Service "other"/);
    expect(bad.join('\n')).toMatch(/mysql-99\) has no addresses/);
    expect(names(discovery)).toEqual(['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3']);
  });

  it('coalesces a burst: many slices changed at once are one change event', async () => {
    await cluster.close();
    cluster = await createFakeCluster();
    service = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    api = await cluster.startKubernetesApi({ maxEndpointsPerSlice: 2 });
    const discovery = track(createDiscovery(await options()));
    await discovery.start();
    await api.waitForWatches(1, { resource: 'endpointslices' });
    const changes: MembershipDiff[] = [];
    discovery.on('change', (_, diff) => changes.push(diff));
    const all = nextEvent(discovery, 'change', (membership) => membership.ready.length === 12);
    service.scale(12);
    await all;
    expect(changes).toHaveLength(1);
    expect(changes[0]?.joined).toHaveLength(10);
  });

  it('in a pod: reads the service-account token, and the rotated one when the old is revoked, without a failed poll', async () => {
    const files = await api.writeInClusterFiles();
    const discovery = track(
      createDiscovery(
        await options({
          sources: ['kubernetes'],
          kubernetes: undefined,
          environment: { env: { ...files.env }, tokenPath: files.tokenPath, caPath: files.caPath },
        }),
      ),
    );
    const stale: string[] = [];
    discovery.on('stale', () => stale.push('stale'));
    expect((await discovery.start()).peers).toHaveLength(3);
    await files.rotateToken({ revokePrevious: true });
    const refused = nextRequest((request) => request.resource === 'endpointslices' && !request.authenticated);
    api.endWatches();
    await refused;
    service.scale(4);
    await nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-3');
    expect(stale).toEqual([]);
    expect(slicesRequests().at(-1)?.authenticated).toBe(true);
  });

  it('close() leaves no socket, no watch and no timer of the library behind', async () => {
    const before = openSocketCount();
    // Every timer the library arms from here on (all unref()'d, so invisible to getActiveResourcesInfo).
    const armed: Array<{ timer: NodeJS.Timeout; stack: string }> = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = realSetTimeout(...args);
      const stack = new Error().stack ?? '';
      if (/[\\/]src[\\/](kubernetes|sources|runtime|dns)[\\/]/.test(stack)) armed.push({ timer, stack });
      return timer;
    }) as typeof setTimeout);
    try {
      const discovery = createDiscovery(await options());
      await discovery.start();
      await api.waitForWatches(1, { resource: 'endpointslices' });
      service.scale(4);
      await nextEvent(discovery, 'join', (peer) => peer.name === 'mysql-3');
      await discovery.close();
    } finally {
      spy.mockRestore();
    }
    await settle(10);
    expect(armed.length).toBeGreaterThan(0);
    const pending = armed.filter(({ timer }) => !(timer as unknown as { _destroyed: boolean })._destroyed).map(({ stack }) => stack.split('\n').slice(2, 4).join(' '));
    expect(pending).toEqual([]);
    expect(api.stats.openWatches).toBe(0);
    expect(openSocketCount()).toBe(before);
  });
});
