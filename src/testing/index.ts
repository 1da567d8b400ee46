/**
 * Test helpers: a fake Kubernetes cluster on loopback — its DNS, and a Kubernetes API serving
 * the same state — for this library's tests, its demo, and your own tests.
 *
 * @module headless-discovery/testing
 */
export { createFakeCluster, FakeCluster, FakeService } from './fake-cluster';
export type {
  FakeClusterOptions,
  FakeClusterStats,
  FakePod,
  FakePort,
  FakeServiceDefinition,
  IncomingQuery,
  OutageMode,
  PodNetwork,
} from './fake-cluster';
export { FakeKubernetesApi } from './kube-api/fake-kubernetes-api';
export type { FakeKubernetesApiOptions, KubeApiOutage, KubeApiStats } from './kube-api/fake-kubernetes-api';
export type { ForbidRule } from './kube-api/access';
export type { InClusterCredentials } from './kube-api/credentials';
export type { KubeMetadata, KubeObject } from './kube-api/cluster-state';
export type { ExpiredWatchMode, KubeApiRequest } from './kube-api/request-handler';
export type { KubeResource } from './kube-api/resources';
export type { KubeVerb } from './kube-api/status';
export type { ServiceRef } from './kube-api/bad-input';
export { endpointSliceWithoutAddresses, foreignEndpointSlice, MALFORMED_WATCH_LINE, wrongKindObject } from './kube-api/bad-input';
export { FAKE_KUBERNETES_CA, FAKE_KUBERNETES_SERVER_CERT, FAKE_KUBERNETES_SERVER_KEY } from './kube-api/test-certificates';
