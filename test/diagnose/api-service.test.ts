/**
 * The API checks on a broken Service, against the fake cluster's API: the Service missing, not
 * headless, without the named port or without a selector; a selector that picks no pods, or pods
 * that are not the StatefulSet's; no EndpointSlices. Each is a finding with the fix, the checks
 * that depend on it skip with one reason, and nothing is thrown.
 */
import { describe, expect, it } from 'vitest';
import type { FakeKubernetesApi, KubeObject } from '../../src/testing';
import { request } from '../testing/kube-api/https-client';
import { clusterWithApi, diagnoseWithKubeconfig, listSlices } from './api-helpers';
import { findingOf, statuses, text } from './helpers';

/** Replace the Service `mysql` in the API with `change(spec)`, as an edit of its manifest would. */
async function editService(api: FakeKubernetesApi, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const reply = await request(api, '/api/v1/namespaces/default/services/mysql');
  expect(reply.status).toBe(200);
  const service = reply.body as KubeObject;
  api.putObject('services', { ...service, spec: change({ ...(service['spec'] as Record<string, unknown>) }) });
}

describe('api-service', () => {
  it('fails when the Service does not exist, listing the namespace’s Services; api-pods skips, the slices are none', async () => {
    const { cluster, api } = await clusterWithApi({ define: false });
    cluster.defineService({ name: 'web', ports: [{ name: 'http', port: 80 }], replicas: 1 });

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('fail');
    expect(service.evidence[0]).toMatch(/^GET \/api\/v1\/namespaces\/default\/services\/mysql \(credentials: .*\) → 404 Not Found$/);
    expect(service.evidence).toContain('no Service "mysql" in namespace "default"');
    expect(service.fix).toContain('which Services are there? kubectl get svc -n default');
    expect(findingOf(diagnosis, 'api-pods')).toMatchObject({ status: 'skip', evidence: ['skipped: the Service does not exist (see api-service)'] });
    const slices = findingOf(diagnosis, 'api-endpointslices');
    expect(slices.status).toBe('fail');
    expect(slices.fix[0]).toBe('the Service does not exist (see api-service)');
    expect(findingOf(diagnosis, 'api-vs-dns')).toMatchObject({ status: 'pass', evidence: expect.arrayContaining(['neither lists a peer']) });
  });

  it('fails a Service that is not headless (a ClusterIP): DNS gives one virtual IP, not the pods', async () => {
    const { cluster, api } = await clusterWithApi();
    await editService(api, (spec) => ({ ...spec, clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'] }));

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-service');

    expect(finding.status).toBe('fail');
    expect(finding.evidence).toContain('type ClusterIP, clusterIP 10.96.12.34: not headless, so DNS gives the Service one virtual IP, not its pods (and no per-pod names)');
    expect(finding.fix[0]).toContain('spec.clusterIP: None');
    expect(finding.fix).toContain('kubectl get svc mysql -n default -o yaml');
  });

  it('fails when the named port is not the Service’s, naming the ports it has; or has another protocol', async () => {
    const { cluster, api } = await clusterWithApi();

    const named = findingOf(await diagnoseWithKubeconfig(cluster, api, { port: 'db' }), 'api-service');
    expect(named.title).toBe('Service default/mysql in the Kubernetes API: headless, with port "db"');
    expect(named.status).toBe('fail');
    expect(named.evidence).toContain('ports: mysql 3306/TCP');
    expect(named.evidence).toContain('no port named "db": no SRV record for it (only named ports have them)');
    expect(named.fix).toContain("kubectl get svc mysql -n default -o jsonpath='{.spec.ports[*].name}'");

    const protocol = findingOf(await diagnoseWithKubeconfig(cluster, api, { protocol: 'udp' }), 'api-service');
    expect(protocol.status).toBe('fail');
    expect(protocol.evidence).toContain('port "mysql" is TCP, not UDP: no SRV record _mysql._udp');
    expect(protocol.fix[0]).toBe('pass its protocol (--protocol tcp)');
  });

  it('warns on a Service without a selector (no slices from the controller), and api-pods skips', async () => {
    const { cluster, api } = await clusterWithApi();
    await editService(api, ({ selector: _selector, ...spec }) => spec);

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('warn');
    expect(service.evidence.join('\n')).toContain('no selector: the EndpointSlice controller writes this Service no slices');
    expect(findingOf(diagnosis, 'api-pods')).toMatchObject({ status: 'skip', evidence: ['skipped: the Service has no selector (see api-service)'] });
  });
});

describe('api-pods', () => {
  it('fails when the selector matches no pod, with the commands that compare the labels', async () => {
    const { cluster, api } = await clusterWithApi();
    await editService(api, (spec) => ({ ...spec, selector: { app: 'mysqld' } }));

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-pods');

    expect(finding.title).toBe('Pods selected by the Service (app=mysqld)');
    expect(finding.status).toBe('fail');
    expect(finding.evidence).toEqual([
      'GET /api/v1/namespaces/default/pods?labelSelector=app%3Dmysqld → 0 pods',
      'no pod in namespace "default" has the labels app=mysqld: the Service has no endpoints, and DNS no records',
    ]);
    expect(text(finding)).toContain('kubectl get pods -n default -l app=mysqld --show-labels');
    expect(text(finding)).toContain('kubectl get pods -n default --show-labels');
    expect(text(finding)).toContain("kubectl get statefulset mysql -n default -o jsonpath='{.spec.template.metadata.labels}'");
  });

  it('warns when no selected pod is the StatefulSet’s, pointing at the statefulSet option', async () => {
    const { cluster, api } = await clusterWithApi({ define: false });
    cluster.defineService({ name: 'mysql', statefulSet: 'db', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-pods');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('0 of 2 are pods of the StatefulSet mysql (named mysql-<n>)');
    expect(finding.evidence.join('\n')).toContain('not mysql-<n>: db-0, db-1: endpoints of the Service all the same (peers without an ordinal, never members)');
    expect(finding.fix[0]).toContain('set the statefulSet option to its name');
  });

  it('warns when the selector also picks another StatefulSet’s pods, asking for a narrower selector', async () => {
    const { cluster, api } = await clusterWithApi({ define: false });
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, selector: { app: 'db' } });
    cluster.defineService({ name: 'backup', ports: [{ name: 'mysql', port: 3306 }], replicas: 1, selector: { app: 'db' } });

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-pods');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('2 of 3 are pods of the StatefulSet mysql (named mysql-<n>)');
    expect(finding.evidence.join('\n')).toContain('not mysql-<n>: backup-0');
    expect(finding.fix[0]).toBe("narrow the Service's selector to the StatefulSet's pods (a label only they carry): kubectl get pods -n default -l app=db --show-labels");
  });
});

describe('api-pods and the pods’ subdomain', () => {
  it('warns when a StatefulSet pod’s subdomain is another Service: no per-pod name under this one', async () => {
    const { cluster, api } = await clusterWithApi();
    const reply = await request(api, '/api/v1/namespaces/default/pods/mysql-1');
    expect(reply.status).toBe(200);
    const pod = reply.body as KubeObject;
    api.putObject('pods', { ...pod, spec: { ...(pod['spec'] as Record<string, unknown>), subdomain: 'mysql-headless' } });

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-pods');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('mysql-1: subdomain "mysql-headless", so no per-pod name under mysql (a StatefulSet sets it to its serviceName)');
    expect(finding.fix).toEqual([
      `the StatefulSet's serviceName must be "mysql" for its pods to get per-pod names under it: kubectl get statefulset mysql -n default -o jsonpath='{.spec.serviceName} {.spec.replicas} {.spec.ordinals.start}'`,
    ]);
  });
});

describe('api-endpointslices', () => {
  it('fails when the Service has no EndpointSlice, and api-vs-dns fails: DNS lists peers no slice has', async () => {
    const { cluster, api } = await clusterWithApi();
    for (const slice of await listSlices(api)) api.deleteObject('endpointslices', 'default', slice.metadata?.name ?? '');

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    expect(statuses(diagnosis)).toMatchObject({ 'api-service': 'pass', 'api-pods': 'pass', 'api-endpointslices': 'fail', 'api-vs-dns': 'fail' });
    const slices = findingOf(diagnosis, 'api-endpointslices');
    expect(slices.evidence).toContain('no EndpointSlice is labelled kubernetes.io/service-name=mysql in namespace "default"');
    expect(slices.fix[0]).toContain('the EndpointSlice controller (kube-controller-manager) writes them for every Service with a selector');
    expect(slices.fix).toContain('kubectl get endpointslices -n default -l kubernetes.io/service-name=mysql -o wide');
    expect(text(findingOf(diagnosis, 'api-vs-dns'))).toContain('in DNS, in no EndpointSlice: 6 records');
  });
});
