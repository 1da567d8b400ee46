/**
 * The Kubernetes API checks of diagnose() against the fake cluster's API (HTTPS on loopback), on
 * a healthy Service: every check passes, found through KUBECONFIG or a pod's service account;
 * the endpoint counts (ready / not ready / terminating); what the checks wait for while a request
 * is in flight; and, without credentials, four skips with the reason (a failure only when the
 * API was asked for).
 */
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, type DiagnosisProgress } from '../../src/diagnose';
import { InvalidOptionError } from '../../src/errors';
import { apiEnvironment, clusterWithApi, diagnoseWithKubeconfig } from './api-helpers';
import { API_CHECKS, fakeCluster, findingOf, podEnvironment, run, statuses, text } from './helpers';

const SLICES_PATH = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dmysql';

describe('the API checks on a healthy Service', () => {
  it('pass, found through KUBECONFIG: the Service is headless with its port, 3 pods of the StatefulSet, 3 ready endpoints DNS lists', async () => {
    const { cluster, api, mysql } = await clusterWithApi();

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    expect(diagnosis.findings.map((finding) => finding.check)).toEqual(CHECK_IDS);
    expect(statuses(diagnosis)).toEqual(Object.fromEntries(CHECK_IDS.map((check) => [check, 'pass'])));
    expect(diagnosis.ok).toBe(true);
    const service = text(findingOf(diagnosis, 'api-service'));
    expect(service).toContain('GET /api/v1/namespaces/default/services/mysql (credentials: the user "fake-cluster-user" of context "fake-cluster" in the kubeconfig');
    expect(service).toContain('type ClusterIP, clusterIP None: headless (DNS lists its pods)');
    expect(service).toContain('selector: app=mysql');
    expect(service).toContain('ports: mysql 3306/TCP');
    const pods = findingOf(diagnosis, 'api-pods');
    expect(pods.title).toBe('Pods selected by the Service (app=mysql)');
    expect(pods.evidence).toContain('GET /api/v1/namespaces/default/pods?labelSelector=app%3Dmysql → 3 pods');
    expect(pods.evidence).toContain('3 of 3 are pods of the StatefulSet mysql (named mysql-<n>)');
    const slices = findingOf(diagnosis, 'api-endpointslices');
    expect(slices.evidence[0]).toMatch(new RegExp(`^GET ${SLICES_PATH.replace(/[?.]/g, '\\$&')} → 1 slice: mysql-\\w+ \\(IPv4, 3 endpoints\\)$`));
    expect(slices.evidence).toContain('3 endpoints: 3 ready, 0 not ready, 0 terminating');
    expect(slices.evidence).toContain(`  mysql-0 ${mysql?.pods[0]?.addresses[0]}: ready (node-0, zone-a)`);
    expect(slices.evidence).toContain('port "mysql": 3306/TCP');
    const agreement = findingOf(diagnosis, 'api-vs-dns');
    expect(agreement.evidence).toEqual([
      'EndpointSlices: 3 ready endpoints (mysql-0, mysql-1, mysql-2)',
      'DNS: mysql.default.svc.cluster.local. → 3 addresses; SRV _mysql._tcp.mysql.default.svc.cluster.local. → 3 targets',
      'both list mysql-0, mysql-1, mysql-2',
    ]);
  });

  it('pass from inside a pod, with the service account’s token and CA and KUBERNETES_SERVICE_HOST', async () => {
    const { cluster, api } = await clusterWithApi();
    const pod = await api.writeInClusterFiles();
    const environment = apiEnvironment({ ...pod.env }, { tokenPath: pod.tokenPath, caPath: pod.caPath });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment });

    expect(API_CHECKS.map((check) => findingOf(diagnosis, check).status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(text(findingOf(diagnosis, 'api-service'))).toContain(`(credentials: the service-account token ${pod.tokenPath}) → found`);
  });

  it('counts ready, not ready and terminating endpoints, warns with the command that lists them, and DNS still agrees', async () => {
    const { cluster, api, mysql } = await clusterWithApi({ replicas: 4 });
    mysql?.setReady('mysql-2', false).terminate('mysql-3');

    const diagnosis = await diagnoseWithKubeconfig(cluster, api);

    const slices = findingOf(diagnosis, 'api-endpointslices');
    expect(slices.status).toBe('warn');
    expect(slices.evidence).toContain('4 endpoints: 2 ready, 1 not ready, 1 terminating');
    expect(slices.evidence.join('\n')).toMatch(/mysql-2 [\d.]+: not ready/);
    expect(slices.evidence.join('\n')).toMatch(/mysql-3 [\d.]+: terminating/);
    expect(slices.fix.join('\n')).toContain('mysql-2 is not ready: DNS leaves it out');
    expect(slices.fix.join('\n')).toContain(`kubectl get pod mysql-2 -n default -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`);
    expect(slices.fix.join('\n')).toContain('mysql-3 is terminating');
    expect(slices.fix).toContain('kubectl get endpointslices -n default -l kubernetes.io/service-name=mysql -o wide');
    expect(findingOf(diagnosis, 'api-vs-dns')).toMatchObject({ status: 'pass', evidence: expect.arrayContaining(['both list mysql-0, mysql-1']) });
    expect(text(findingOf(diagnosis, 'api-pods'))).toMatch(/mysql-3: Running, terminating/);
  });

  it('says, while a request is in flight, that the check waits for GET <path>', async () => {
    const { cluster, api } = await clusterWithApi();
    const progress: DiagnosisProgress[] = [];

    await diagnoseWithKubeconfig(cluster, api, {}, { onProgress: (report) => progress.push(report) });

    const waits = progress.filter((report) => report.check.startsWith('api-') && report.waitingFor.length > 0);
    expect(waits).toEqual([
      { check: 'api-service', waitingFor: ['GET /api/v1/namespaces/default/services/mysql'] },
      { check: 'api-pods', waitingFor: ['GET /api/v1/namespaces/default/pods?labelSelector=app%3Dmysql'] },
      { check: 'api-endpointslices', waitingFor: [`GET ${SLICES_PATH}`] },
    ]);
    expect(progress.filter((report) => report.check === 'api-vs-dns')).toEqual([{ check: 'api-vs-dns', waitingFor: [] }]);
  });
});

describe('without Kubernetes credentials', () => {
  it('skips the four API checks with the reason, and the diagnosis is still ok', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: podEnvironment() });

    const reason = 'skipped: no Kubernetes credentials: no kubernetes.kubeconfig option, no KUBECONFIG, no KUBERNETES_SERVICE_HOST and no ~/.kube/config';
    for (const check of API_CHECKS) expect(findingOf(diagnosis, check), check).toMatchObject({ status: 'skip', evidence: [reason], fix: [] });
    expect(diagnosis.ok).toBe(true);
  });

  it('fails api-service, once, when the kubernetes source asked for the API, and skips the rest with one reason', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql', sources: ['kubernetes', 'srv'] }, { environment: podEnvironment() });

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('fail');
    expect(service.evidence).toEqual(['no Kubernetes credentials: no kubernetes.kubeconfig option, no KUBECONFIG, no KUBERNETES_SERVICE_HOST and no ~/.kube/config']);
    expect(service.fix.join('\n')).toContain('--kubeconfig');
    for (const check of API_CHECKS.slice(1)) {
      expect(findingOf(diagnosis, check), check).toMatchObject({ status: 'skip', evidence: ['skipped: no usable Kubernetes credentials (see api-service)'] });
    }
    expect(diagnosis.ok).toBe(false);
  });

  it('warns in api-service with ERR_K8S_CREDENTIALS when KUBECONFIG names a file that is not there; the rest skip', async () => {
    const { cluster } = await clusterWithApi();

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: apiEnvironment({ KUBECONFIG: '/nonexistent/kubeconfig' }) });

    const service = findingOf(diagnosis, 'api-service');
    expect(service.status).toBe('warn');
    expect(service.evidence[0]).toBe('GET /api/v1/namespaces/default/services/mysql → no answer (ERR_K8S_CREDENTIALS)');
    expect(service.evidence[1]).toContain('/nonexistent/kubeconfig');
    expect(service.fix[0]).toContain('--kubeconfig');
    for (const check of API_CHECKS.slice(1)) expect(findingOf(diagnosis, check).evidence, check).toEqual(['skipped: the Kubernetes API cannot be read (see api-service)']);
  });

  it('reads the kubernetes option without the source among sources, and rejects an invalid one before any query', async () => {
    const { cluster, api } = await clusterWithApi();
    const kubeconfig = await api.writeKubeconfig();

    const diagnosis = await run(cluster.nameserver, { port: 'mysql', kubernetes: { kubeconfig } }, { environment: apiEnvironment({}) });
    expect(API_CHECKS.map((check) => findingOf(diagnosis, check).status)).toEqual(['pass', 'pass', 'pass', 'pass']);

    let queries = 0;
    cluster.onQuery(() => (queries += 1));
    const invalid = run(cluster.nameserver, { port: 'mysql', kubernetes: { kubeconfig: '' } }, { environment: podEnvironment() });
    await expect(invalid).rejects.toThrow(InvalidOptionError);
    await expect(invalid).rejects.toMatchObject({ option: 'kubernetes.kubeconfig' });
    expect(queries).toBe(0);
  });
});
