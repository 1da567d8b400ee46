/**
 * Test helpers: a fake Kubernetes cluster DNS on loopback, for this library's tests, its demo,
 * and your own tests.
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
