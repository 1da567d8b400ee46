// The code the smoke test (scripts/smoke-tarball.mjs) runs in each consumer of the tarball: a
// real discovery against the fake cluster DNS from both module systems, the same with the
// OpenTelemetry subpath read back through the SDK, and the TypeScript that must type-check.

// The same scenario for both module systems: a real discovery against the fake cluster DNS.
export const scenario = (load) => `
${load}
const assert = (condition, message) => { if (!condition) { console.error('FAIL: ' + message); process.exit(1); } };
(async () => {
  const cluster = await createFakeCluster();
  try {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const options = { service: 'mysql', namespace: 'default', clusterDomain: 'cluster.local', port: 'mysql',
      nameservers: [cluster.nameserver], podName: 'mysql-1', intervalMs: 200 };
    const once = await discover(options);
    assert(once.peers.map((p) => p.name).join() === 'mysql-0,mysql-1,mysql-2', 'discover() found the 3 pods');
    assert(once.seed && once.seed.name === 'mysql-0', 'seed is mysql-0');
    assert(once.self && once.self.name === 'mysql-1', 'self is mysql-1');

    const discovery = createDiscovery(options);
    const joined = new Promise((resolve) => discovery.on('join', (peer) => peer.name === 'mysql-3' && resolve(peer)));
    await discovery.start();
    svc.scale(4);
    const peer = await joined;
    assert(peer.port === 3306, 'the new peer has the SRV port');
    await discovery.close();

    try {
      createDiscovery({ service: 'Not A Label' });
      assert(false, 'invalid options must throw');
    } catch (error) {
      assert(error.code === 'ERR_INVALID_OPTION', 'invalid options throw ERR_INVALID_OPTION');
    }
  } finally {
    await cluster.close();
  }
  console.log('ok: ' + process.argv[1].split(/[\\\\/]/).pop() + ' on node ' + process.version);
})().catch((error) => { console.error(error); process.exit(1); });
`;

export const scenarios = {
  'esm.mjs': "import { createDiscovery, discover } from 'headless-discovery';\nimport { createFakeCluster } from 'headless-discovery/testing';",
  'cjs.cjs': "const { createDiscovery, discover } = require('headless-discovery');\nconst { createFakeCluster } = require('headless-discovery/testing');",
};

// With @opentelemetry/api: a discovery's metrics read back through the SDK, from both module systems.
export const otelScenario = (load, version) => `
${load}
const assert = (condition, message) => { if (!condition) { console.error('FAIL: ' + message); process.exit(1); } };
class Reader extends MetricReader { async onShutdown() {} async onForceFlush() {} }
(async () => {
  const cluster = await createFakeCluster();
  try {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = createDiscovery({ service: 'mysql', namespace: 'default', clusterDomain: 'cluster.local', port: 'mysql',
      nameservers: [cluster.nameserver], podName: 'mysql-1', intervalMs: 60000 });
    const reader = new Reader();
    // SDK 1.x took its readers one by one; 2.x takes them as an option.
    const provider = typeof MeterProvider.prototype.addMetricReader === 'function' ? new MeterProvider() : new MeterProvider({ readers: [reader] });
    if (typeof provider.addMetricReader === 'function') provider.addMetricReader(reader);
    const metrics = registerDiscoveryMetrics(discovery, { meterProvider: provider, histograms: true });
    let thrown;
    try { registerDiscoveryMetrics({}); } catch (error) { thrown = error; }
    assert(thrown instanceof InvalidOptionError, 'the subpath throws the InvalidOptionError of the main entry');
    await discovery.start();
    const { resourceMetrics, errors } = await reader.collect();
    assert(errors.length === 0, 'no callback error');
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const names = all.map((metric) => metric.descriptor.name);
    for (const { name } of [...Object.values(METRICS), ...Object.values(HISTOGRAMS)]) assert(names.includes(name), name + ' collected (got ' + names.join() + ')');
    const polls = all.find((metric) => metric.descriptor.name === HISTOGRAMS.pollDuration.name);
    assert(polls.dataPoints.length === 1 && polls.dataPoints[0].value.count === 1, 'one poll in the poll duration histogram');
    assert(resourceMetrics.scopeMetrics.every((scope) => scope.scope.name === 'headless-discovery' && scope.scope.version === '${version}'), 'the meter is headless-discovery ${version}');
    const members = all.find((metric) => metric.descriptor.name === 'headless_discovery.members');
    assert(members && members.dataPoints.some((point) => point.attributes['headless_discovery.service'] === 'mysql'), 'members of mysql reported');
    metrics.unregister();
    await discovery.close();
    await provider.shutdown();
  } finally {
    await cluster.close();
  }
  console.log('ok: ' + process.argv[1].split(/[\\\\/]/).pop() + ' on node ' + process.version);
})().catch((error) => { console.error(error); process.exit(1); });
`;

export const otelScenarios = {
  'otel-esm.mjs':
    "import { createDiscovery, InvalidOptionError } from 'headless-discovery';\nimport { HISTOGRAMS, METRICS, registerDiscoveryMetrics } from 'headless-discovery/opentelemetry';\n" +
    "import { createFakeCluster } from 'headless-discovery/testing';\nimport { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';",
  'otel-cjs.cjs':
    "const { createDiscovery, InvalidOptionError } = require('headless-discovery');\nconst { HISTOGRAMS, METRICS, registerDiscoveryMetrics } = require('headless-discovery/opentelemetry');\n" +
    "const { createFakeCluster } = require('headless-discovery/testing');\nconst { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');",
};

// The published types must resolve for TypeScript consumers of either module system.
export const typed = `
const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
discovery.on('join', (peer: Peer) => peer.ordinal);
discovery.on('update', (peer, previous) => previous.addresses.concat(peer.addresses));
const membership: Promise<Membership> = discovery.start();
const code: string = new InvalidOptionError('service', 'x').code;
const fake: Promise<FakeCluster> = createFakeCluster();
void membership; void code; void fake;
`;
export const imports =
  "import { createDiscovery, InvalidOptionError, type Membership, type Peer } from 'headless-discovery';\n" +
  "import { createFakeCluster, type FakeCluster } from 'headless-discovery/testing';\n";
export const otelTyped = `
const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
const registration: DiscoveryMetrics = registerDiscoveryMetrics(discovery, { meterProvider: metrics.getMeterProvider(), attributes: { pod: 'mysql-1' } });
const options: DiscoveryMetricsOptions = { meter: metrics.getMeter('app'), histograms: true };
const unit: string = METRICS.staleness.unit;
registration.unregister();
void options; void unit;
`;
export const otelImports =
  "import { metrics } from '@opentelemetry/api';\n" +
  "import { createDiscovery } from 'headless-discovery';\n" +
  "import { METRICS, registerDiscoveryMetrics, type DiscoveryMetrics, type DiscoveryMetricsOptions } from 'headless-discovery/opentelemetry';\n";
