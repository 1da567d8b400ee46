/**
 * The fake Kubernetes API's objects, read over HTTPS as a client reads them, against the shape
 * of the real API: the example list of k8s-dns-facts §5.2 (EndpointSlice fields, labels, owner,
 * conditions as the controller computes them), the Service and Pod objects, the Status bodies,
 * and the JSON schemas of the Kubernetes API (kubernetes-models' validators).
 */
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1';
import { Pod, Service } from 'kubernetes-models/v1';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../../src/testing/index';
import { request, slicesPath } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi();
});
afterEach(async () => {
  await cluster.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('EndpointSliceList (k8s-dns-facts §5.2)', () => {
  it('has the example’s shape: one IPv4 slice, the controller’s labels and owner, one address per endpoint, conditions as podToEndpoint computes them', async () => {
    const web = cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    web.terminate('web-1'); // still passing readiness, terminating
    web.setReady('web-2', false); // started, not ready
    const { status, headers, body } = await request(api, slicesPath('web'));

    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    expect(body).toMatchObject({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: api.resourceVersion } });
    expect(body.items).toHaveLength(1);
    const [slice] = body.items;
    // List items carry no kind/apiVersion, as the API server sends them.
    expect(Object.keys(slice)).toEqual(['metadata', 'addressType', 'endpoints', 'ports']);
    expect(slice.metadata).toEqual({
      name: expect.stringMatching(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
      generateName: 'web-',
      namespace: 'default',
      uid: expect.stringMatching(UUID),
      resourceVersion: expect.stringMatching(/^\d+$/),
      generation: expect.any(Number),
      creationTimestamp: expect.stringMatching(TIMESTAMP),
      labels: {
        app: 'web',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': 'web',
        'service.kubernetes.io/headless': '',
      },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': expect.stringMatching(TIMESTAMP) },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: web.uid, controller: true, blockOwnerDeletion: true }],
    });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'peer', protocol: 'TCP', port: 7000 }]);
    expect(slice.endpoints).toEqual(
      web.pods.map((pod, index) => ({
        addresses: [pod.addresses[0]],
        conditions: [
          { ready: true, serving: true, terminating: false },
          { ready: false, serving: true, terminating: true },
          { ready: false, serving: false, terminating: false },
        ][index],
        hostname: pod.name,
        targetRef: { kind: 'Pod', namespace: 'default', name: pod.name, uid: pod.uid },
        nodeName: `node-${index}`,
        zone: ['zone-a', 'zone-b', 'zone-c'][index],
      })),
    );
    expect(() => new EndpointSlice({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...slice }).validate()).not.toThrow();
  });

  it('publishNotReadyAddresses: every endpoint is ready, terminating or not, as the docs promise', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 2, publishNotReadyAddresses: true });
    web.setReady('web-0', false);
    web.terminate('web-1');
    const { body } = await request(api, slicesPath('web'));
    expect(body.items[0].endpoints.map((endpoint: { conditions: unknown }) => endpoint.conditions)).toEqual([
      { ready: true, serving: false, terminating: false },
      { ready: true, serving: true, terminating: true },
    ]);
  });

  it('a Service without pods has one placeholder slice: no endpoints, no ports (null, as they come back from storage)', async () => {
    cluster.defineService({ name: 'empty', ports: [{ name: 'peer', port: 7000 }] });
    const { body } = await request(api, slicesPath('empty'));
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ addressType: 'IPv4', endpoints: null, ports: null });
    expect(body.items[0].metadata.annotations).toBeUndefined();
  });

  it('an unnamed port is name "" in the slice, and Deployment-style pods have no hostname', async () => {
    cluster.defineService({ name: 'peers', ports: [{ port: 8080 }], replicas: 1, hostnames: false });
    const { body } = await request(api, slicesPath('peers'));
    expect(body.items[0].ports).toEqual([{ name: '', protocol: 'TCP', port: 8080 }]);
    expect(body.items[0].endpoints[0]).not.toHaveProperty('hostname');
  });

  it('without a selector: every slice of the namespace; across namespaces at /apis/discovery.k8s.io/v1/endpointslices', async () => {
    cluster.defineService({ name: 'a', replicas: 1 });
    cluster.defineService({ name: 'b', replicas: 1 });
    cluster.defineService({ name: 'c', namespace: 'other', replicas: 1 });
    const namespace = await request(api, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices');
    expect(namespace.body.items.map((item: { metadata: { labels: Record<string, string> } }) => item.metadata.labels['kubernetes.io/service-name']).sort()).toEqual(['a', 'b']);
    const all = await request(api, '/apis/discovery.k8s.io/v1/endpointslices');
    expect(all.body.items).toHaveLength(3);
    const other = await request(api, slicesPath('c', 'other'));
    expect(other.body.items).toHaveLength(1);
  });

  it('label selectors as the API parses them: =, ==, !=, in, notin, exists, !exists; a bad one is 400', async () => {
    cluster.defineService({ name: 'a', replicas: 1 });
    cluster.defineService({ name: 'b', replicas: 1 });
    const names = async (selector: string): Promise<string[]> => {
      const { body } = await request(api, `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent(selector)}`);
      return body.items.map((item: { metadata: { labels: Record<string, string> } }) => item.metadata.labels['kubernetes.io/service-name']).sort();
    };
    expect(await names('kubernetes.io/service-name==a')).toEqual(['a']);
    expect(await names('kubernetes.io/service-name!=a')).toEqual(['b']);
    expect(await names('kubernetes.io/service-name in (a, b),app=b')).toEqual(['b']);
    expect(await names('kubernetes.io/service-name notin (a)')).toEqual(['b']);
    expect(await names('service.kubernetes.io/headless')).toEqual(['a', 'b']);
    expect(await names('!service.kubernetes.io/headless')).toEqual([]);
    const bad = await request(api, `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent('a b c')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('limit and continue: pages of one snapshot, with remainingItemCount', async () => {
    cluster.defineService({ name: 'big', replicas: 5 });
    const first = await request(api, '/api/v1/namespaces/default/pods?limit=2');
    expect(first.body.items.map((pod: { metadata: { name: string } }) => pod.metadata.name)).toEqual(['big-0', 'big-1']);
    expect(first.body.metadata).toMatchObject({ remainingItemCount: 3, continue: expect.any(String) });
    cluster.defineService({ name: 'big', replicas: 6 }); // changes after the first page do not show
    const second = await request(api, `/api/v1/namespaces/default/pods?limit=10&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(second.body.items.map((pod: { metadata: { name: string } }) => pod.metadata.name)).toEqual(['big-2', 'big-3', 'big-4']);
    expect(second.body.metadata).toEqual({ resourceVersion: first.body.metadata.resourceVersion });
  });
});

describe('Services and Pods', () => {
  it('GET a headless Service: clusterIP None, named ports, selector, publishNotReadyAddresses, ipFamilies', async () => {
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], publishNotReadyAddresses: true, ipFamilies: ['IPv4', 'IPv6'] });
    const { status, body } = await request(api, '/api/v1/namespaces/default/services/mysql');
    expect(status).toBe(200);
    expect(body).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'mysql', namespace: 'default', uid: mysql.uid, resourceVersion: expect.any(String), creationTimestamp: expect.stringMatching(TIMESTAMP), labels: { app: 'mysql' } },
      spec: {
        ports: [{ name: 'mysql', protocol: 'TCP', port: 3306, targetPort: 3306 }],
        selector: { app: 'mysql' },
        clusterIP: 'None',
        clusterIPs: ['None'],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        publishNotReadyAddresses: true,
        ipFamilies: ['IPv4', 'IPv6'],
        ipFamilyPolicy: 'PreferDualStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
    expect(() => new Service(body).validate()).not.toThrow();
  });

  it('a missing Service is a 404 Status, worded as the API server words it', async () => {
    const { status, body } = await request(api, '/api/v1/namespaces/default/services/nope');
    expect(status).toBe(404);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'services "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'services' },
      code: 404,
    });
  });

  it('pods: list with a labelSelector, and by name, with the StatefulSet’s labels, owner, node and readiness', async () => {
    const db = cluster.defineService({ name: 'db', replicas: 2, selector: { 'app.kubernetes.io/name': 'db' } });
    cluster.defineService({ name: 'other', replicas: 1 });
    db.setReady('db-1', false);
    db.terminate('db-0');
    const list = await request(api, `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name=db')}`);
    expect(list.body).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(list.body.items.map((pod: { metadata: { name: string } }) => pod.metadata.name)).toEqual(['db-0', 'db-1']);
    const { body } = await request(api, '/api/v1/namespaces/default/pods/db-1');
    expect(body.metadata).toMatchObject({
      name: 'db-1',
      generateName: 'db-',
      uid: db.pods[1]?.uid,
      labels: { 'app.kubernetes.io/name': 'db', 'apps.kubernetes.io/pod-index': '1', 'statefulset.kubernetes.io/pod-name': 'db-1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }],
    });
    expect(body.spec).toMatchObject({ nodeName: 'node-1', hostname: 'db-1', subdomain: 'db' });
    expect(body.status).toMatchObject({ phase: 'Running', podIP: db.pods[1]?.addresses[0], podIPs: [{ ip: db.pods[1]?.addresses[0] }] });
    expect(body.status.conditions.find((condition: { type: string }) => condition.type === 'Ready')).toMatchObject({ status: 'False' });
    const terminating = list.body.items[0];
    expect(terminating.metadata).toMatchObject({ deletionTimestamp: expect.stringMatching(TIMESTAMP), deletionGracePeriodSeconds: 30 });
    expect(() => new Pod({ kind: 'Pod', apiVersion: 'v1', ...terminating }).validate()).not.toThrow();
  });

  it('unknown paths are 404, other methods 405, /version answers, and a cluster has one API', async () => {
    expect((await request(api, '/api/v1/namespaces/default/configmaps')).body).toMatchObject({ reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
    expect((await request(api, '/api/v1/namespaces/default/pods', { method: 'DELETE' })).body).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    expect((await request(api, '/version')).body).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    await expect(cluster.startKubernetesApi()).rejects.toThrow(/already started/);
    expect(cluster.kubernetesApi).toBe(api);
  });
});
