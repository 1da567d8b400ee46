/**
 * The set-up the runtime tests share: a fresh fake cluster DNS on loopback for every test,
 * discovery options pointed at it, and every discovery a test made closed (then the cluster)
 * after it.
 */
import { afterEach, beforeEach } from 'vitest';
import { createDiscovery, type Discovery, type DiscoveryOptions } from '../../src/index';
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from '../../src/testing/index';

/** How a test file wants its discoveries. */
export interface HarnessSettings {
  /** Options every discovery of the file starts from (over the harness's own: service `mysql`, port `mysql`, the cluster's DNS). */
  readonly base?: Partial<DiscoveryOptions>;
  /** Options of the fake cluster each test gets. */
  readonly cluster?: FakeClusterOptions;
  /** Swallow the `error` events of every tracked discovery (tests that expect DNS failures). */
  readonly quiet?: boolean;
}

/** What a test uses: the running test's cluster, and options and discoveries tied to it. */
export interface DiscoveryHarness {
  /** The fake cluster of the running test. */
  readonly cluster: FakeCluster;
  /** The file's options, pointed at this test's cluster, with `overrides` on top. */
  options(overrides?: Partial<DiscoveryOptions>): DiscoveryOptions;
  /** Close `discovery` after the test. */
  track(discovery: Discovery): Discovery;
  /** `createDiscovery(options(overrides))`, tracked. */
  discovery(overrides?: Partial<DiscoveryOptions>): Discovery;
}

/** Register the per-test set-up and tear-down in the calling test file, and return its handle. */
export function useDiscoveryHarness(settings: HarnessSettings = {}): DiscoveryHarness {
  let cluster: FakeCluster | undefined;
  const open: Discovery[] = [];

  beforeEach(async () => {
    cluster = await createFakeCluster(settings.cluster);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((discovery) => discovery.close()));
    await cluster?.close();
    cluster = undefined;
  });

  const current = (): FakeCluster => {
    if (!cluster) throw new Error('the harness cluster exists only while a test runs');
    return cluster;
  };
  const harness: DiscoveryHarness = {
    get cluster() {
      return current();
    },
    options: (overrides = {}) => ({
      service: 'mysql',
      namespace: 'default',
      clusterDomain: current().clusterDomain,
      port: 'mysql',
      nameservers: [current().nameserver],
      ...settings.base,
      ...overrides,
    }),
    track: (discovery) => {
      open.push(discovery);
      if (settings.quiet) discovery.on('error', () => undefined);
      return discovery;
    },
    discovery: (overrides) => harness.track(createDiscovery(harness.options(overrides))),
  };
  return harness;
}
