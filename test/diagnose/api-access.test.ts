/**
 * The API checks when the API refuses or cannot be reached, against the fake cluster's API:
 * 401 (the credentials), 403 on each resource read (the message names the missing rule, whose it
 * is, and the manifest or kubectl commands that grant it), a refused connection and a server
 * that never answers (reported once within the request timeout, the other checks skip with one
 * reason), and an abort while a request is in flight. A failed read is a failure when the API
 * was asked for (the `kubernetes` option or source), else a warning; a 403 on the doctor's own
 * reads (services, pods) is a warning either way.
 */
import { describe, expect, it } from 'vitest';
import type { KubeApiRequest } from '../../src/testing';
import { clusterWithApi, diagnoseWithKubeconfig } from './api-helpers';
import { findingOf, statuses, text } from './helpers';

const API_DOWN = 'skipped: the Kubernetes API cannot be read (see api-service)';

describe('the API refuses', () => {
  it('401: api-service says what to refresh, after one retry with the credentials read again; the rest skip; a failure only when asked for', async () => {
    const { cluster, api } = await clusterWithApi();
    const requests: KubeApiRequest[] = [];
    api.onRequest((request) => requests.push(request));
    const kubeconfig = await api.writeKubeconfig();
    api.acceptTokens(['a-token-the-kubeconfig-does-not-have']);

    const diagnosis = await diagnoseWithKubeconfig(cluster, api, {}, {}, kubeconfig);

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('warn');
    expect(diagnosis.ok).toBe(true);
    expect(service.evidence[0]).toBe('GET /api/v1/namespaces/default/services/mysql → 401 Unauthorized (ERR_K8S_UNAUTHORIZED)');
    expect(service.evidence[1]).toContain('refused the credentials (401 Unauthorized) to get services');
    expect(service.fix).toContain('kubectl auth whoami');
    for (const check of ['api-pods', 'api-endpointslices', 'api-vs-dns'] as const) expect(findingOf(diagnosis, check), check).toMatchObject({ status: 'skip', evidence: [API_DOWN] });
    expect(requests.map((request) => `${request.verb} ${request.resource}`)).toEqual(['get services', 'get services']);

    const asked = await diagnoseWithKubeconfig(cluster, api, { sources: ['kubernetes', 'srv'] }, {}, kubeconfig);
    expect(findingOf(asked, 'api-service')).toMatchObject({ status: 'fail', evidence: expect.arrayContaining([service.evidence[0]]) });
    expect(asked.ok).toBe(false);
  });

  it('403 on the Service: warns (even when the API was asked for), naming the rule, the service account, the doctor’s manifest and the kubectl commands; the slices are still read', async () => {
    const { cluster, api } = await clusterWithApi();
    api.forbid({ resource: 'services' });

    const diagnosis = await diagnoseWithKubeconfig(cluster, api, { sources: ['kubernetes', 'srv'] });

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('warn');
    expect(diagnosis.ok).toBe(true);
    expect(service.evidence[0]).toBe('GET /api/v1/namespaces/default/services/mysql → 403 Forbidden (ERR_K8S_FORBIDDEN)');
    expect(service.evidence[1]).toContain(
      'service account default/mysql lacks the RBAC rule verb "get" on resource "services" in the core API group ("") in namespace "default"',
    );
    expect(service.evidence[1]).toContain('k8s/doctor-reader.yaml');
    expect(service.fix).toEqual([
      "grant the doctor's reads (get and list on services and pods; discovery itself needs neither): the Role and RoleBinding of k8s/doctor-reader.yaml, or:",
      'kubectl create role headless-discovery-doctor -n default --verb=get,list --resource=services,pods',
      'kubectl create rolebinding headless-discovery-doctor -n default --role=headless-discovery-doctor --serviceaccount=default:mysql',
      'kubectl auth can-i get services -n default --as=system:serviceaccount:default:mysql',
    ]);
    expect(statuses(diagnosis)).toMatchObject({ 'api-pods': 'skip', 'api-endpointslices': 'pass', 'api-vs-dns': 'pass' });
    expect(findingOf(diagnosis, 'api-pods').evidence).toEqual(['skipped: the Service could not be read (see api-service)']);
  });

  it('403 on the pods: api-pods warns naming "list" on "pods"; the other checks pass', async () => {
    const { cluster, api } = await clusterWithApi();
    api.forbid({ resource: 'pods', verbs: ['list'] });

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const pods = findingOf(diagnosis, 'api-pods');
    expect(pods.status).toBe('warn');
    expect(pods.evidence[1]).toContain('lacks the RBAC rule verb "list" on resource "pods" in the core API group ("")');
    expect(pods.fix.at(-1)).toBe('kubectl auth can-i list pods -n default --as=system:serviceaccount:default:mysql');
    expect(statuses(diagnosis)).toMatchObject({ 'api-service': 'pass', 'api-endpointslices': 'pass', 'api-vs-dns': 'pass' });
  });

  it('403 on the EndpointSlices: names the source’s rule and k8s/endpointslice-reader.yaml, fails when the source needs it; api-vs-dns skips', async () => {
    const { cluster, api } = await clusterWithApi();
    api.forbid({ resource: 'endpointslices' });

    expect(findingOf(await diagnoseWithKubeconfig(cluster, api), 'api-endpointslices').status).toBe('warn');
    const diagnosis = await diagnoseWithKubeconfig(cluster, api, { sources: ['kubernetes', 'srv'] });

    const slices = findingOf(diagnosis, 'api-endpointslices');
    expect(slices.status).toBe('fail');
    expect(slices.evidence[1]).toContain('lacks the RBAC rule verb "list" on resource "endpointslices" in API group "discovery.k8s.io" in namespace "default"');
    expect(slices.fix[0]).toContain('k8s/endpointslice-reader.yaml');
    expect(slices.fix).toContain('kubectl create role headless-discovery -n default --verb=get,list,watch --resource=endpointslices.discovery.k8s.io');
    expect(findingOf(diagnosis, 'api-vs-dns')).toMatchObject({ status: 'skip', evidence: ['skipped: the EndpointSlices could not be read (see api-endpointslices)'] });
  });
});

describe('the API fails', () => {
  it('503: each read warns with ERR_K8S_API and the status, says nothing of a retry (the doctor reads once), and what depends on it skips', async () => {
    const { cluster, api } = await clusterWithApi();
    await api.outage('unavailable');

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    expect(statuses(diagnosis)).toMatchObject({ 'api-service': 'warn', 'api-pods': 'skip', 'api-endpointslices': 'warn', 'api-vs-dns': 'skip' });
    const service = findingOf(diagnosis, 'api-service');
    expect(service.evidence[0]).toMatch(/^GET \/api\/v1\/namespaces\/default\/services\/mysql → 503 .*\(ERR_K8S_API\)$/);
    expect(service.evidence[1]).toContain('answered 503');
    expect(service.evidence[1]).toContain('to get services in namespace "default". The API server is overloaded or failing.');
    expect(service.evidence[1]).not.toContain('retried');
    expect(service.fix).toEqual(["what does the API answer? kubectl get --raw '/api/v1/namespaces/default/services/mysql'"]);
    expect(findingOf(diagnosis, 'api-endpointslices').evidence[1]).toContain('to list endpointslices');
  });
});

describe('the API cannot be reached', () => {
  it('a refused connection fails api-service at once (the kubernetes option asked for the API), naming the server; the other checks skip with one reason', async () => {
    const { cluster, api } = await clusterWithApi();
    const kubeconfig = await api.writeKubeconfig();
    await api.outage('refuse');

    const diagnosis = await diagnoseWithKubeconfig(cluster, api, { kubernetes: { kubeconfig } });

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('fail');
    expect(service.evidence[0]).toBe('GET /api/v1/namespaces/default/services/mysql → no answer (ERR_K8S_UNREACHABLE)');
    expect(service.evidence[1]).toContain(`Could not reach the Kubernetes API at ${api.url} to get services`);
    expect(text(service)).toContain('kubectl cluster-info');
    for (const check of ['api-pods', 'api-endpointslices', 'api-vs-dns'] as const) expect(findingOf(diagnosis, check), check).toMatchObject({ status: 'skip', evidence: [API_DOWN] });
    expect(statuses(diagnosis)).toMatchObject({ 'service-name': 'pass', srv: 'pass' });
  });

  it('a server that never answers is reported by api-service after the request timeout (10 s), once: a warning, when not asked for', async () => {
    const { cluster, api } = await clusterWithApi();
    let requests = 0;
    api.onRequest(() => (requests += 1));
    await api.outage('hang');
    const started = performance.now();

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const elapsed = performance.now() - started;
    const service = findingOf(diagnosis, 'api-service');
    expect(service).toMatchObject({ status: 'warn', evidence: expect.arrayContaining(['GET /api/v1/namespaces/default/services/mysql → no answer (ERR_K8S_UNREACHABLE)']) });
    expect(service.evidence[1]).toContain('no answer within 10000 ms');
    for (const check of ['api-pods', 'api-endpointslices', 'api-vs-dns'] as const) expect(findingOf(diagnosis, check).evidence, check).toEqual([API_DOWN]);
    expect(elapsed).toBeGreaterThanOrEqual(9_900);
    expect(elapsed).toBeLessThan(25_000);
    expect(requests).toBeLessThanOrEqual(1);
  });

  it('an abort while a request is in flight rejects with the signal’s reason', async () => {
    const { cluster, api } = await clusterWithApi();
    await api.outage('hang');
    const controller = new AbortController();

    const diagnosing = diagnoseWithKubeconfig(cluster, api, {}, {
      signal: controller.signal,
      onProgress: (report) => {
        if (report.check === 'api-service' && report.waitingFor.length > 0) controller.abort(new Error('stop the doctor'));
      },
    });

    await expect(diagnosing).rejects.toThrow('stop the doctor');
  });
});
