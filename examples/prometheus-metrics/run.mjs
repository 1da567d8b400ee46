// A discovery's metrics on a Prometheus /metrics endpoint: OpenTelemetry instruments
// (headless-discovery/opentelemetry) bridged into a prom-client registry, served over HTTP on
// loopback, against a fake cluster. It scales the StatefulSet and cuts the DNS off once, scraping
// after each step and printing the discovery's series. It ends by itself; with --serve it keeps
// serving (and polling every second) until Ctrl-C.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { createDiscovery } from 'headless-discovery';
import { registerDiscoveryMetrics } from 'headless-discovery/opentelemetry';
import { createFakeCluster } from 'headless-discovery/testing';
import { PromClientReader } from './prom-client-reader.mjs';

const { values: args } = parseArgs({ options: { serve: { type: 'boolean', default: false }, port: { type: 'string', default: '0' } } });
const started = Date.now();
const say = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${text}`);
const step = (text) => console.log(`\n[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ── ${text}`);

// The app's registry: its own metrics would be registered here too.
const registry = new Registry();
const reader = new PromClientReader(registry);
const meterProvider = new MeterProvider({ readers: [reader] });

const cluster = await createFakeCluster();
const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
const discovery = createDiscovery({
  service: 'mysql',
  namespace: 'default',
  clusterDomain: cluster.clusterDomain,
  port: 'mysql',
  podName: 'mysql-1',
  nameservers: [cluster.nameserver],
  intervalMs: 1000,
  minIntervalMs: 100,
  dnsTimeoutMs: 500,
  dnsAttempts: 1,
});
discovery.on('error', (error) => say(`error event: ${error.code}`));
registerDiscoveryMetrics(discovery, { meterProvider });

const server = createServer((request, response) => {
  if (request.url !== '/metrics') {
    response.writeHead(404).end('try /metrics\n');
    return;
  }
  reader
    .sync()
    .then(() => registry.metrics())
    .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text))
    .catch((error) => response.writeHead(500).end(`${error}\n`));
});
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/metrics`;

/** Scrape our own endpoint, as Prometheus would, and print the series named. */
async function scrape(...names) {
  const text = await (await fetch(url)).text();
  for (const line of text.split('\n')) {
    if (names.some((name) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))) say(`  ${line.replace(/headless_discovery_service="mysql",k8s_namespace_name="default",?/, '…')}`);
  }
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await discovery.close();
  await new Promise((resolve) => server.close(resolve));
  await meterProvider.shutdown();
  await cluster.close();
}

try {
  say(`fake cluster DNS on ${cluster.nameserver}; metrics on ${url}`);

  step('start: 3 pods');
  await discovery.start();
  await scrape('headless_discovery_polls_total', 'headless_discovery_members', 'headless_discovery_dns_messages_total');

  step('scale to 4');
  mysql.scale(4);
  await discovery.refresh();
  await scrape('headless_discovery_members');

  step('DNS answers SERVFAIL: the poll fails, the membership is kept, stale');
  cluster.outage('servfail');
  await discovery.refresh();
  await scrape('headless_discovery_polls_total', 'headless_discovery_poll_retries_total', 'headless_discovery_stale', 'headless_discovery_dns_lookup_rcodes_total');

  step('DNS back');
  cluster.outage(null);
  await discovery.refresh();
  await scrape('headless_discovery_stale', 'headless_discovery_staleness_seconds');

  if (args.serve) {
    step(`serving ${url} (Ctrl-C to stop)`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  step('done');
} catch (error) {
  console.error(error.stack ?? String(error));
  process.exitCode = 1;
} finally {
  await stop();
}
