/**
 * The OpenTelemetry subpath end to end: a real discovery against the fake cluster DNS (real
 * sockets on loopback), its metrics collected by the OpenTelemetry SDK's reader, and checked
 * against what happened: polls, a failed poll, members after scale and setReady, staleness.
 * Polls are driven with `refresh()` (the interval is long), so nothing polls between a step and
 * the collection that follows it.
 */
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it, vi } from 'vitest';
import type { Discovery } from '../../src/index';
import { DURATION_BUCKETS_S, HISTOGRAMS, METER_NAME, METRICS, NAMESPACE_ATTRIBUTE, registerDiscoveryMetrics, SERVICE_ATTRIBUTE } from '../../src/opentelemetry/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { createMeterProvider } from './reader';

const harness = useDiscoveryHarness({
  base: { podName: 'mysql-1', intervalMs: 60_000, minIntervalMs: 100, dnsTimeoutMs: 1000, dnsAttempts: 1, sources: ['srv'], retries: 0 },
  quiet: true,
});
const OF_MYSQL = { [SERVICE_ATTRIBUTE]: 'mysql', [NAMESPACE_ATTRIBUTE]: 'default' };

function started(replicas = 3): { discovery: Discovery; service: ReturnType<typeof harness.cluster.defineService> } {
  const service = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
  return { discovery: harness.discovery(), service };
}

describe('registerDiscoveryMetrics', () => {
  it('reports every metric with its name, unit and kind, on the headless-discovery meter, each point naming the Service and namespace', async () => {
    const { discovery } = started();
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start();

    const collected = await reader.metrics();

    expect(collected.names.sort()).toEqual(Object.values(METRICS).map((metric) => metric.name).sort());
    for (const definition of Object.values(METRICS)) {
      const metric = collected.metric(definition.name);
      expect(metric.scope).toBe(METER_NAME);
      expect(metric.descriptor.unit, definition.name).toBe(definition.unit);
      expect(metric.descriptor.description).toBe(definition.description);
      if (definition.kind === 'gauge') {
        expect(metric.dataPointType, definition.name).toBe(DataPointType.GAUGE);
      } else {
        expect(metric.dataPointType, definition.name).toBe(DataPointType.SUM);
        expect('isMonotonic' in metric && metric.isMonotonic, definition.name).toBe(definition.kind === 'counter');
      }
      const points = collected.points(definition.name);
      expect(points.length, definition.name).toBeGreaterThan(0);
      for (const point of points) {
        expect(point.attributes).toMatchObject(OF_MYSQL);
        expect(Object.keys(point.attributes).sort()).toEqual([...Object.keys(OF_MYSQL), ...definition.attributes].sort());
      }
    }
  });

  it('counts polls, lookups and DNS messages as they happen, the same as stats() and the DNS server', async () => {
    const { discovery } = started();
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start();
    await discovery.refresh();
    await discovery.refresh();

    const collected = await reader.metrics();
    const stats = discovery.stats();

    expect(collected.value('headless_discovery.polls', { outcome: 'ok' })).toBe(3);
    expect(collected.value('headless_discovery.polls', { outcome: 'failed' })).toBe(0);
    const udp = collected.value('headless_discovery.dns.messages', { 'network.transport': 'udp' });
    const tcp = collected.value('headless_discovery.dns.messages', { 'network.transport': 'tcp' });
    expect(udp + tcp).toBe(harness.cluster.stats.udpQueries + harness.cluster.stats.tcpQueries);
    expect(udp).toBeGreaterThanOrEqual(3); // one SRV question per poll at least, over UDP at 3 pods
    const lookups = collected.points('headless_discovery.dns.lookups').reduce((sum, point) => sum + point.value, 0);
    expect(lookups).toBe(Object.values(stats.lookups.byOutcome).reduce((sum, value) => sum + value, 0));
    expect(lookups).toBeGreaterThanOrEqual(3);
    expect(collected.value('headless_discovery.dns.lookup.rcodes', { rcode: 'NOERROR' })).toBe(stats.lookups.byRcode['NOERROR']);
    expect(collected.value('headless_discovery.poll.time')).toBeCloseTo(stats.pollDurationMs.sumMs / 1000, 9);
    expect(collected.value('headless_discovery.poll.time')).toBeGreaterThan(0);
    expect(collected.value('headless_discovery.dns.lookup.time')).toBeCloseTo(stats.lookupLatencyMs.sumMs / 1000, 9);
    expect(collected.value('headless_discovery.dns.truncations')).toBe(0);
    expect(collected.value('headless_discovery.stale')).toBe(0);
  });

  it('counts a failed poll, reports the membership stale and for how long, and fresh again after the next good poll', async () => {
    const { discovery } = started();
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start();

    harness.cluster.outage('servfail');
    await discovery.refresh();
    const failed = await reader.metrics();
    const stats = discovery.stats();

    expect(discovery.membership.stale).toBe(true);
    expect(failed.value('headless_discovery.polls', { outcome: 'ok' })).toBe(1);
    expect(failed.value('headless_discovery.polls', { outcome: 'failed' })).toBe(1);
    expect(failed.value('headless_discovery.stale')).toBe(1);
    expect(failed.value('headless_discovery.dns.lookup.rcodes', { rcode: 'SERVFAIL' })).toBeGreaterThanOrEqual(1);
    expect(failed.value('headless_discovery.dns.lookups', { outcome: 'servfail' })).toBeGreaterThanOrEqual(1);
    // Read a moment before stats(): as old or younger, never older, and never negative.
    const staleness = failed.value('headless_discovery.staleness');
    expect(staleness).toBeGreaterThanOrEqual(0);
    expect(staleness).toBeLessThanOrEqual(stats.staleness.ageMs / 1000);

    harness.cluster.outage(null);
    await discovery.refresh();
    const fresh = await reader.metrics();
    expect(fresh.value('headless_discovery.stale')).toBe(0);
    expect(fresh.value('headless_discovery.polls', { outcome: 'ok' })).toBe(2);
    expect(fresh.value('headless_discovery.polls', { outcome: 'failed' })).toBe(1);
  });

  it('reports members by readiness, and those missing, as the StatefulSet scales and a pod stops being ready', async () => {
    const { discovery, service } = started(3);
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start();
    const members = async (): Promise<Record<string, number>> => {
      const collected = await reader.metrics();
      const byState = Object.fromEntries(collected.points('headless_discovery.members').map((point) => [point.attributes['state'], point.value]));
      return { ...byState, missing: collected.value('headless_discovery.members.missing'), draining: collected.value('headless_discovery.members.draining') };
    };
    expect(await members()).toEqual({ ready: 3, not_ready: 0, missing: 0, draining: 0 });

    service.scale(4);
    await discovery.refresh();
    expect(await members()).toEqual({ ready: 4, not_ready: 0, missing: 0, draining: 0 });

    // Not ready: out of DNS (no publishNotReadyAddresses). Kept as last seen, missing, for one poll; gone after two (leaveAfterPolls).
    service.setReady('mysql-3', false);
    await discovery.refresh();
    expect(await members()).toEqual({ ready: 4, not_ready: 0, missing: 1, draining: 0 });
    await discovery.refresh();
    expect(await members()).toEqual({ ready: 3, not_ready: 0, missing: 0, draining: 0 });
    expect(discovery.membership.peers.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
  });

  it('reports peers a readiness probe fails as not ready, and counts the probes by outcome', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const discovery = harness.discovery({ readiness: { check: async (peer) => peer.ordinal !== 2, periodMs: 60_000, failureThreshold: 1 } });
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start(); // after the first probe of every peer

    const collected = await reader.metrics();

    expect(discovery.membership.ready.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1']);
    expect(collected.value('headless_discovery.members', { state: 'ready' })).toBe(2);
    expect(collected.value('headless_discovery.members', { state: 'not_ready' })).toBe(1);
    const { readiness } = discovery.stats().probes;
    expect(readiness.failed).toBeGreaterThanOrEqual(1);
    expect(readiness.passed).toBeGreaterThanOrEqual(2);
    expect(collected.value('headless_discovery.readiness.probes', { outcome: 'failed' })).toBe(readiness.failed);
    expect(collected.value('headless_discovery.readiness.probes', { outcome: 'passed' })).toBe(readiness.passed);
  });

  it('adds the attributes given, over the defaults of the same key, and keeps two discoveries apart', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    harness.cluster.defineService({ name: 'cache', ports: [{ name: 'mysql', port: 6379 }], replicas: 2 });
    const mysql = harness.discovery();
    const cache = harness.discovery({ service: 'cache', podName: 'cache-0' });
    const { provider, reader } = createMeterProvider();
    registerDiscoveryMetrics(mysql, { meterProvider: provider, attributes: { 'k8s.pod.name': 'mysql-1' } });
    registerDiscoveryMetrics(cache, { meterProvider: provider, attributes: { [NAMESPACE_ATTRIBUTE]: 'elsewhere' } });
    await mysql.start();
    await cache.start();
    await cache.refresh();

    const collected = await reader.metrics();

    expect(collected.value('headless_discovery.polls', { ...OF_MYSQL, outcome: 'ok', 'k8s.pod.name': 'mysql-1' })).toBe(1);
    expect(collected.value('headless_discovery.polls', { [SERVICE_ATTRIBUTE]: 'cache', [NAMESPACE_ATTRIBUTE]: 'elsewhere', outcome: 'ok' })).toBe(2);
    expect(collected.value('headless_discovery.members', { [SERVICE_ATTRIBUTE]: 'cache', state: 'ready' })).toBe(2);
    expect(collected.points('headless_discovery.polls', { [NAMESPACE_ATTRIBUTE]: 'default', [SERVICE_ATTRIBUTE]: 'cache' })).toEqual([]);
  });

  it('reads stats() once per collection, and never again once unregistered or once the discovery closed', async () => {
    const { discovery } = started();
    const stats = vi.spyOn(discovery, 'stats');
    const { provider, reader } = createMeterProvider();
    const registration = registerDiscoveryMetrics(discovery, { meterProvider: provider });
    await discovery.start();

    await reader.metrics();
    expect(stats).toHaveBeenCalledTimes(1);
    await reader.metrics();
    expect(stats).toHaveBeenCalledTimes(2);

    registration.unregister();
    registration.unregister(); // idempotent
    const before = (await reader.metrics()).value('headless_discovery.polls', { outcome: 'ok' });
    await discovery.refresh();
    // The SDK may go on exporting the last values it saw (cumulative temporality): frozen, never read again.
    const after = await reader.metrics();
    expect(stats).toHaveBeenCalledTimes(2);
    expect(after.points('headless_discovery.polls', { outcome: 'ok' }).map((point) => point.value)).toEqual([before]);
    expect(discovery.stats().polls.ok).toBe(2);

    // A second registration ends when the discovery closes.
    const { provider: second, reader: secondReader } = createMeterProvider();
    registerDiscoveryMetrics(discovery, { meterProvider: second });
    expect((await secondReader.metrics()).value('headless_discovery.polls', { outcome: 'ok' })).toBe(2);
    const calls = stats.mock.calls.length;
    await discovery.close();
    await secondReader.metrics();
    expect(stats).toHaveBeenCalledTimes(calls);
  });

  it('with histograms: true, records every poll and lookup of this discovery, by outcome, in the buckets of stats()', async () => {
    const { discovery } = started();
    harness.cluster.defineService({ name: 'other', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const other = harness.discovery({ service: 'other', podName: 'other-0' });
    const { provider, reader } = createMeterProvider();
    const registration = registerDiscoveryMetrics(discovery, { meterProvider: provider, histograms: true });
    await discovery.start();
    await other.start(); // publishes on the same channels: not recorded
    harness.cluster.outage('servfail');
    await discovery.refresh();
    harness.cluster.outage(null);

    const collected = await reader.metrics();
    const stats = discovery.stats();

    const polls = collected.metric(HISTOGRAMS.pollDuration.name);
    expect(polls.descriptor.unit).toBe('s');
    expect(polls.descriptor.description).toBe(HISTOGRAMS.pollDuration.description);
    const [ok] = collected.histograms(HISTOGRAMS.pollDuration.name, { ...OF_MYSQL, outcome: 'ok' });
    const [failed] = collected.histograms(HISTOGRAMS.pollDuration.name, { ...OF_MYSQL, outcome: 'failed' });
    expect(ok?.value.count).toBe(1);
    expect(failed?.value.count).toBe(1);
    expect(ok?.value.buckets.boundaries).toEqual(DURATION_BUCKETS_S);
    expect((ok?.value.sum ?? 0) + (failed?.value.sum ?? 0)).toBeCloseTo(stats.pollDurationMs.sumMs / 1000, 6);
    const lookups = collected.histograms(HISTOGRAMS.lookupDuration.name);
    expect(lookups.reduce((sum, point) => sum + point.value.count, 0)).toBe(stats.lookupLatencyMs.count);
    expect(lookups.reduce((sum, point) => sum + (point.value.sum ?? 0), 0)).toBeCloseTo(stats.lookupLatencyMs.sumMs / 1000, 6);
    expect(lookups.every((point) => point.attributes[SERVICE_ATTRIBUTE] === 'mysql')).toBe(true);
    expect(collected.histograms(HISTOGRAMS.lookupDuration.name, { outcome: 'servfail' }).length).toBe(1);

    registration.unregister();
    await discovery.refresh();
    const after = await reader.metrics();
    expect(after.histograms(HISTOGRAMS.pollDuration.name, { outcome: 'ok' })[0]?.value.count).toBe(1);
  });

  it('rejects what is not a discovery, a meter or a meter provider, with ERR_INVALID_OPTION naming it', () => {
    const { discovery } = started();
    const invalid = (call: () => unknown, option: string): void => {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
    };
    invalid(() => registerDiscoveryMetrics({} as Discovery), 'discovery');
    invalid(() => registerDiscoveryMetrics(discovery, { meter: {} as never }), 'meter');
    invalid(() => registerDiscoveryMetrics(discovery, { meterProvider: {} as never }), 'meterProvider');
    invalid(() => registerDiscoveryMetrics(discovery, { attributes: 'service=mysql' as never }), 'attributes');
    invalid(() => registerDiscoveryMetrics(discovery, { histograms: 'yes' as never }), 'histograms');
  });
});
