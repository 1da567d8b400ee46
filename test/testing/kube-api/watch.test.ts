/**
 * Watches of the fake Kubernetes API over HTTPS: the events each cluster change produces, resume
 * from a resourceVersion, bookmarks, the clean end after timeoutSeconds, 410 Gone both ways
 * (ERROR event and HTTP status), and selectors seen through a watch.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../../src/testing/index';
import { openWatch, request, slicesPath, type OpenWatch, type WatchEvent } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
const watches: OpenWatch[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ bookmarkIntervalMs: 0 });
});
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.close();
  await cluster.close();
});

async function watchSlices(service: string, query = ''): Promise<OpenWatch> {
  const { body } = await request(api, slicesPath(service));
  const watch = await openWatch(api, slicesPath(service, 'default', `&watch=true&resourceVersion=${body.metadata.resourceVersion}${query}`));
  watches.push(watch);
  return watch;
}

type Endpoint = { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; targetRef: { name: string; uid: string } };
const endpointsOf = (event: WatchEvent): Endpoint[] => (event.object.endpoints ?? []) as Endpoint[];
const names = (event: WatchEvent): string[] => endpointsOf(event).map((endpoint) => endpoint.targetRef.name);

describe('watch events of EndpointSlices', () => {
  it('a chunked stream of newline-delimited JSON events, each object with its kind, and a rising resourceVersion', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    const watch = await watchSlices('web');
    expect(watch.status).toBe(200);
    expect(watch.headers['transfer-encoding']).toBe('chunked');
    const before = Number(api.resourceVersion);
    web.scale(2);
    const event = await watch.next();
    expect(event.type).toBe('MODIFIED');
    expect(event.object).toMatchObject({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' });
    expect(Number(event.object.metadata.resourceVersion)).toBeGreaterThan(before);
    expect(names(event)).toEqual(['web-0', 'web-1']);
  });

  it('scale, setReady, restart, terminate, deletePod: one MODIFIED each, with the endpoints as they now are', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    const watch = await watchSlices('web');
    const oldUid = web.pods[1]?.uid;

    web.scale(3);
    expect(names(await watch.next())).toEqual(['web-0', 'web-1', 'web-2']);

    web.setReady('web-2', false);
    expect(endpointsOf(await watch.next())[2]?.conditions).toEqual({ ready: false, serving: false, terminating: false });

    web.restart('web-1');
    const restarted = endpointsOf(await watch.next())[1] as Endpoint;
    expect(restarted.targetRef.uid).not.toBe(oldUid);
    expect(restarted.targetRef.uid).toBe(web.pods[1]?.uid);
    expect(restarted.addresses).toEqual([web.pods[1]?.addresses[0]]);

    web.terminate('web-0');
    expect(endpointsOf(await watch.next())[0]?.conditions).toEqual({ ready: false, serving: true, terminating: true });

    web.deletePod('web-0');
    expect(names(await watch.next())).toEqual(['web-1', 'web-2']);

    web.scale(0);
    const emptied = await watch.next();
    expect(emptied.type).toBe('MODIFIED'); // the last slice becomes the placeholder
    expect(emptied.object.endpoints).toBeNull();
  });

  it('setIpFamilies dual-stack: an IPv6 slice is ADDED, the IPv4 one unchanged; back to IPv4: the IPv6 slice is DELETED', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    const watch = await watchSlices('web');
    web.setIpFamilies(['IPv4', 'IPv6']);
    const added = await watch.next();
    expect(added.type).toBe('ADDED');
    expect(added.object.addressType).toBe('IPv6');
    expect(endpointsOf(added).map((endpoint) => endpoint.addresses)).toEqual(web.pods.map((pod) => [pod.addresses[1]]));
    web.setIpFamilies(['IPv4']);
    const deleted = await watch.next();
    expect(deleted).toMatchObject({ type: 'DELETED', object: { metadata: { name: added.object.metadata.name } } });
    expect(Number(deleted.object.metadata.resourceVersion)).toBeGreaterThan(Number(added.object.metadata.resourceVersion));
  });

  it('deleteService: the slice is DELETED; defining it again: a new slice is ADDED, owned by the new Service', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    const watch = await watchSlices('web');
    cluster.deleteService('web');
    expect((await watch.next()).type).toBe('DELETED');
    const again = cluster.defineService({ name: 'web', replicas: 1 });
    const added = await watch.next();
    expect(added.type).toBe('ADDED');
    expect(added.object.metadata.ownerReferences[0].uid).toBe(again.uid);
  });

  it('a watch of pods sees restart as DELETED then ADDED (a new UID), and terminate as MODIFIED with a deletionTimestamp', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    const { body } = await request(api, '/api/v1/namespaces/default/pods');
    const watch = await openWatch(api, `/api/v1/namespaces/default/pods?watch=1&resourceVersion=${body.metadata.resourceVersion}`);
    watches.push(watch);
    web.restart('web-1');
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'web-1' } } });
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web-1', uid: web.pods[1]?.uid } } });
    web.terminate('web-0');
    const terminated = await watch.next();
    expect(terminated).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'web-0', deletionGracePeriodSeconds: 30 } } });
    expect(terminated.object.metadata.deletionTimestamp).toEqual(expect.any(String));
  });

  it('a watch of one Service by name (watch=true on the object’s path)', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    cluster.defineService({ name: 'other', replicas: 1 });
    const watch = await openWatch(api, `/api/v1/namespaces/default/services/web?watch=true&resourceVersion=${api.resourceVersion}`);
    watches.push(watch);
    cluster.deleteService('other');
    web.setIpFamilies(['IPv4', 'IPv6']);
    expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { kind: 'Service', metadata: { name: 'web' }, spec: { ipFamilies: ['IPv4', 'IPv6'] } } });
  });
});

describe('resourceVersion, bookmarks, timeouts, 410', () => {
  it('resumes from a resourceVersion: a new watch gets every change after it, and nothing before', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    const first = await watchSlices('web');
    web.scale(2);
    const seen = await first.next();
    first.close();
    web.scale(3); // while nobody watches
    web.scale(4);
    const resumed = await openWatch(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${seen.object.metadata.resourceVersion}`));
    watches.push(resumed);
    expect(names(await resumed.next())).toEqual(['web-0', 'web-1', 'web-2']);
    expect(names(await resumed.next())).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
  });

  it('from resourceVersion 0 (or none): every current object as ADDED first', async () => {
    cluster.defineService({ name: 'web', replicas: 1, ipFamilies: ['IPv4', 'IPv6'] });
    const watch = await openWatch(api, slicesPath('web', 'default', '&watch=true&resourceVersion=0'));
    watches.push(watch);
    const events = [await watch.next(), await watch.next()];
    expect(events.map((event) => [event.type, event.object.addressType]).sort()).toEqual([
      ['ADDED', 'IPv4'],
      ['ADDED', 'IPv6'],
    ]);
  });

  it('bookmarks only when asked for: the type’s zero value with just the resourceVersion', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    const plain = await watchSlices('web');
    const asked = await watchSlices('web', '&allowWatchBookmarks=true');
    expect(api.sendBookmarks()).toBe(1);
    const bookmark = await asked.next();
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: api.resourceVersion, creationTimestamp: null }, addressType: '', endpoints: null, ports: null },
    });
    cluster.defineService({ name: 'web', replicas: 2 }); // a change, so the plain watch has something to say
    expect((await plain.next()).type).not.toBe('BOOKMARK');
  });

  it('bookmarks every bookmarkIntervalMs', async () => {
    const other = await createFakeCluster();
    try {
      const otherApi = await other.startKubernetesApi({ bookmarkIntervalMs: 50 });
      const watch = await openWatch(otherApi, '/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true');
      watches.push(watch);
      expect((await watch.next()).type).toBe('BOOKMARK');
      expect((await watch.next()).type).toBe('BOOKMARK');
    } finally {
      await other.close();
    }
  });

  it('timeoutSeconds: the server ends the stream cleanly (the last chunk), as kube-apiserver does', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    const started = Date.now();
    const watch = await watchSlices('web', '&timeoutSeconds=1');
    expect(await watch.ended).toEqual({ kind: 'end' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(watch.partial()).toBe('');
  });

  it('endWatches() ends every open watch cleanly', async () => {
    const watch = await watchSlices('web');
    expect(api.endWatches()).toBe(1);
    expect(await watch.ended).toEqual({ kind: 'end' });
  });

  it('410 as an ERROR event (the default): a Status with code 410, reason Expired, and the stream ends', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    const old = api.resourceVersion;
    web.scale(2);
    api.compact();
    const watch = await openWatch(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${old}`));
    watches.push(watch);
    expect(watch.status).toBe(200);
    expect(await watch.next()).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${old} (${api.resourceVersion})`, reason: 'Expired', code: 410 },
    });
    expect(await watch.ended).toEqual({ kind: 'end' });
  });

  it('410 as the HTTP status (expiredWatches: "status")', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    const old = api.resourceVersion;
    web.scale(2);
    api.compact();
    api.expiredWatches = 'status';
    const { status, body } = await request(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${old}`));
    expect(status).toBe(410);
    expect(body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  });

  it('history is bounded: past historyLimit changes, an old resourceVersion is expired too', async () => {
    const other = await createFakeCluster();
    try {
      const small = await other.startKubernetesApi({ historyLimit: 3 });
      const web = other.defineService({ name: 'web', replicas: 1 });
      const old = small.resourceVersion;
      for (let replicas = 2; replicas < 6; replicas++) web.scale(replicas);
      const { body } = await request(small, slicesPath('web', 'default', `&watch=true&resourceVersion=${old}`));
      expect(body).toMatchObject({ type: 'ERROR', object: { code: 410 } });
    } finally {
      await other.close();
    }
  });

  it('expireWatches(): an open watch gets ERROR 410 mid-stream and ends', async () => {
    const watch = await watchSlices('web');
    expect(api.expireWatches()).toBe(1);
    expect(await watch.next()).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    expect(await watch.ended).toEqual({ kind: 'end' });
  });

  it('a resourceVersion the server has not reached is a 504 Status; one that is not a number is a 400', async () => {
    const ahead = await request(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${Number(api.resourceVersion) + 100}`));
    expect(ahead.body).toMatchObject({ kind: 'Status', reason: 'Timeout', code: 504 });
    const junk = await request(api, slicesPath('web', 'default', '&watch=true&resourceVersion=abc'));
    expect(junk.body).toMatchObject({ kind: 'Status', code: 400 });
  });

  it('a slice that stops matching the selector is DELETED for that watch; one that starts matching is ADDED', async () => {
    cluster.defineService({ name: 'web', replicas: 1 });
    const watch = await openWatch(api, `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${api.resourceVersion}&labelSelector=${encodeURIComponent('color=blue')}`);
    watches.push(watch);
    const pod = (await request(api, '/api/v1/namespaces/default/pods/web-0')).body;
    api.putObject('pods', { ...pod, kind: undefined, apiVersion: undefined, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, color: 'blue' } } });
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web-0' } } });
    api.putObject('pods', { ...pod, kind: undefined, apiVersion: undefined, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, color: 'red' } } });
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'web-0', labels: { color: 'red' } } } });
  });
});
