/**
 * `api-vs-dns` against the fake cluster, whose DNS and API describe one cluster until a test
 * makes them differ by rewriting the API's EndpointSlices (as a CoreDNS that stopped following
 * the API would see it): a pod in DNS the slices do not have, a ready pod of the slices DNS does
 * not list, and a nameserver that serves another cluster. Each difference names the peer, and
 * the kubectl and dig commands that show both sides.
 */
import { describe, expect, it } from 'vitest';
import type { FakeKubernetesApi, KubeObject } from '../../src/testing';
import { clusterWithApi, diagnoseWithKubeconfig, endpointsOf, listSlices, type ListedEndpoint } from './api-helpers';
import { fakeCluster, findingOf, statuses } from './helpers';

/** Rewrite every slice of `mysql` with `change(endpoints)`. */
async function editSlices(api: FakeKubernetesApi, change: (endpoints: ListedEndpoint[]) => ListedEndpoint[]): Promise<void> {
  const slices = await listSlices(api);
  expect(slices.length).toBeGreaterThan(0);
  for (const slice of slices) api.putObject('endpointslices', { ...slice, endpoints: change(endpointsOf(slice)) } as KubeObject);
}

const KUBECTL = 'what the API says: kubectl get endpointslices -n default -l kubernetes.io/service-name=mysql -o wide';

describe('api-vs-dns', () => {
  it('passes for pods without hostnames (SRV targets named by their dashed addresses) and with a numeric port (addresses only)', async () => {
    const { cluster, api } = await clusterWithApi({ define: false });
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, hostnames: false });

    const dashed = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-vs-dns');
    expect(dashed).toMatchObject({ status: 'pass', evidence: expect.arrayContaining(['both list mysql-0, mysql-1']) });
    expect(dashed.evidence[1]).toContain('→ 2 targets');

    const numeric = findingOf(await diagnoseWithKubeconfig(cluster, api, { port: 3306 }), 'api-vs-dns');
    expect(numeric.status).toBe('pass');
    expect(numeric.evidence[1]).toBe('DNS: mysql.default.svc.cluster.local. → 2 addresses');
  });

  it('warns when DNS lists a pod the slices do not have, with the kubectl and dig commands that show it', async () => {
    const { cluster, api, mysql } = await clusterWithApi();
    await editSlices(api, (endpoints) => endpoints.filter((endpoint) => endpoint.hostname !== 'mysql-2'));
    const address = mysql?.pods[2]?.addresses[0] as string;

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const finding = findingOf(diagnosis, 'api-vs-dns');
    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('EndpointSlices: 2 ready endpoints (mysql-0, mysql-1)');
    expect(finding.evidence).toContain('in DNS, in no EndpointSlice: 2 records');
    expect(finding.evidence).toContain(`  ${address} (A record)`);
    expect(finding.evidence).toContain('  mysql-2.mysql.default.svc.cluster.local. (SRV target)');
    expect(finding.fix[0]).toContain('DNS answers are cached for their TTL (5 s here');
    expect(finding.fix).toContain(KUBECTL);
    expect(finding.fix).toContain(`what DNS says: dig @${cluster.host} -p ${cluster.port} mysql.default.svc.cluster.local. A`);
    expect(finding.fix).toContain(`and the per-pod names: dig @${cluster.host} -p ${cluster.port} _mysql._tcp.mysql.default.svc.cluster.local. SRV`);
    expect(finding.fix.join('\n')).toContain("this cluster's DNS");
    expect(statuses(diagnosis)).toMatchObject({ 'api-endpointslices': 'pass', srv: 'pass' });
  });

  it('warns when a pod the slices call ready is not in DNS, naming the records it lacks', async () => {
    const { cluster, api, mysql } = await clusterWithApi();
    mysql?.setReady('mysql-2', false);
    await editSlices(api, (endpoints) => endpoints.map((endpoint) => ({ ...endpoint, conditions: { ready: true, serving: true, terminating: false } })));
    const address = mysql?.pods[2]?.addresses[0] as string;

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-vs-dns');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('EndpointSlices: 3 ready endpoints (mysql-0, mysql-1, mysql-2)');
    expect(finding.evidence).toContain('DNS: mysql.default.svc.cluster.local. → 2 addresses; SRV _mysql._tcp.mysql.default.svc.cluster.local. → 2 targets');
    expect(finding.evidence).toContain('in the EndpointSlices (ready), not in DNS: 1 peer');
    expect(finding.evidence).toContain(`  mysql-2 (${address}): no A record ${address}, no SRV target mysql-2.mysql.default.svc.cluster.local.`);
    expect(finding.fix).toContain(KUBECTL);
    expect(finding.fix.join('\n')).not.toContain("this cluster's DNS");
  });

  it('warns when DNS still lists a pod the slices say is terminating', async () => {
    const { cluster, api, mysql } = await clusterWithApi();
    await editSlices(api, (endpoints) =>
      endpoints.map((endpoint) => (endpoint.hostname === 'mysql-0' ? { ...endpoint, conditions: { ready: false, serving: true, terminating: true } } : endpoint)),
    );

    const finding = findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-vs-dns');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('in DNS, though the EndpointSlices say not ready: 1 peer');
    expect(finding.evidence).toContain(`  mysql-0 (${mysql?.pods[0]?.addresses[0]}): terminating`);
  });

  it('fails when DNS and the slices have no peer in common: the nameserver serves another cluster', async () => {
    const { api } = await clusterWithApi();
    // Pods of the same names, with other addresses (127.244.0.0/16): another cluster's DNS.
    const other = await fakeCluster({ podNetwork: 'loopback' });
    other.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });

    const diagnosis = await diagnoseWithKubeconfig(other, api);

    const finding = findingOf(diagnosis, 'api-vs-dns');
    expect(finding.status).toBe('fail');
    expect(finding.evidence).toContain('in the EndpointSlices (ready), not in DNS: 3 peers');
    expect(finding.fix.join('\n')).toContain(`is ${other.host} this cluster's DNS (the kube-dns ClusterIP)?`);
    expect(finding.evidence).toContain('in DNS, in no EndpointSlice: 3 records');
    expect(diagnosis.ok).toBe(false);
  });
});
