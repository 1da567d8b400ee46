/**
 * Shared pieces of the Kubernetes API checks' tests: a fake cluster with its DNS and its
 * Kubernetes API (HTTPS on loopback), an environment that finds the API's credentials as a
 * laptop (KUBECONFIG) or a pod (KUBERNETES_SERVICE_* and the service-account files) does, and
 * the API's objects read back over HTTPS to craft a situation from them.
 */
import { readFileSync } from 'node:fs';
import type { DiagnoseExtra, Diagnosis } from '../../src/diagnose';
import type { DiscoveryOptions, EnvironmentSources } from '../../src/config/options';
import type { FakeCluster, FakeKubernetesApi, FakeKubernetesApiOptions, FakeService, KubeObject } from '../../src/testing';
import { request, slicesPath } from '../testing/kube-api/https-client';
import { fakeCluster, podEnvironment, podResolvConf, run } from './helpers';

/** A real file, else `files`' entry (resolv.conf is a pod's, not this machine's). */
function reader(files: Record<string, string>): (path: string) => string | undefined {
  return (path) => {
    if (path in files) return files[path];
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** A pod-like environment with `env` added, reading real files (kubeconfig, token, CA) but a pod's resolv.conf. */
export function apiEnvironment(env: Record<string, string | undefined>, extra: Partial<EnvironmentSources> = {}): EnvironmentSources {
  return { ...podEnvironment(env), readFile: reader({ '/etc/resolv.conf': podResolvConf() }), ...extra };
}

/** A fake cluster with a Service `mysql` (named port `mysql`, 3 ready pods) and its Kubernetes API. */
export async function clusterWithApi(
  options: { readonly replicas?: number; readonly api?: FakeKubernetesApiOptions; readonly define?: boolean } = {},
): Promise<{ cluster: FakeCluster; api: FakeKubernetesApi; mysql: FakeService | undefined }> {
  const cluster = await fakeCluster();
  const mysql = options.define === false ? undefined : cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: options.replicas ?? 3 });
  const api = await cluster.startKubernetesApi({ serviceAccount: { namespace: 'default', name: 'mysql' }, ...options.api });
  return { cluster, api, mysql };
}

/** Diagnose `mysql` (port `mysql`, pod `mysql-1`), finding the API through KUBECONFIG (`kubeconfig`, else one written now). */
export async function diagnoseWithKubeconfig(
  cluster: FakeCluster,
  api: FakeKubernetesApi,
  options: Partial<DiscoveryOptions> = {},
  extra: Omit<DiagnoseExtra, 'environment'> = {},
  kubeconfig?: string,
): Promise<Diagnosis> {
  const environment = apiEnvironment({ KUBECONFIG: kubeconfig ?? (await api.writeKubeconfig()) });
  return run(cluster.nameserver, { port: 'mysql', ...options }, { ...extra, environment });
}

/** The API's EndpointSlices of `service`, as listed. */
export async function listSlices(api: FakeKubernetesApi, service = 'mysql'): Promise<KubeObject[]> {
  const reply = await request(api, slicesPath(service));
  if (reply.status !== 200) throw new Error(`listing the slices answered ${reply.status}`);
  return reply.body.items as KubeObject[];
}

/** An endpoint of a slice, as listed. */
export interface ListedEndpoint {
  readonly addresses: string[];
  readonly hostname?: string;
  readonly conditions: { ready: boolean; serving: boolean; terminating: boolean };
  readonly targetRef?: { name: string };
}

/** The endpoints of a listed slice. */
export function endpointsOf(slice: KubeObject): ListedEndpoint[] {
  return (slice['endpoints'] as ListedEndpoint[] | null) ?? [];
}
