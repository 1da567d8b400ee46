/**
 * Pure: one `discovery.stats()` snapshot as the points of every metric of {@link METRICS}, with
 * their attributes. No OpenTelemetry here, so the mapping is tested without a meter.
 *
 * @module
 */
import type { DiscoveryStats } from '../observability/stats';
import type { MetricKey } from './instruments';

/** One point to report: the metric, its value, and its own attributes (the discovery's are added by the caller). */
export interface MetricPoint {
  readonly metric: MetricKey;
  readonly value: number;
  readonly attributes: Readonly<Record<string, string>>;
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Every point of one snapshot, in the order of {@link METRICS}. */
export function metricPoints(stats: DiscoveryStats): MetricPoint[] {
  const points: MetricPoint[] = [];
  const add = (metric: MetricKey, value: number, attributes: Readonly<Record<string, string>> = NO_ATTRIBUTES): void => {
    points.push({ metric, value, attributes });
  };
  add('polls', stats.polls.ok, { outcome: 'ok' });
  add('polls', stats.polls.failed, { outcome: 'failed' });
  add('pollTime', stats.pollDurationMs.sumMs / 1000);
  add('pollRetries', stats.retries);
  for (const [outcome, value] of Object.entries(stats.lookups.byOutcome)) add('lookups', value, { outcome });
  for (const [rcode, value] of Object.entries(stats.lookups.byRcode)) add('lookupRcodes', value, { rcode });
  add('lookupTime', stats.lookupLatencyMs.sumMs / 1000);
  add('messages', stats.messages.udp, { 'network.transport': 'udp' });
  add('messages', stats.messages.tcp, { 'network.transport': 'tcp' });
  add('truncations', stats.truncations);
  add('stale', stats.staleness.stale ? 1 : 0);
  add('staleness', stats.staleness.ageMs / 1000);
  // Readiness splits the peers in two; missing and draining peers are among them, so they are metrics of their own.
  add('members', stats.members.ready, { state: 'ready' });
  add('members', stats.members.notReady, { state: 'not_ready' });
  add('missingMembers', stats.members.missing);
  add('drainingMembers', stats.members.draining);
  add('readinessProbes', stats.probes.readiness.passed, { outcome: 'passed' });
  add('readinessProbes', stats.probes.readiness.failed, { outcome: 'failed' });
  add('bootstrapReports', stats.probes.bootstrap.answered, { outcome: 'answered' });
  add('bootstrapReports', stats.probes.bootstrap.failed, { outcome: 'failed' });
  return points;
}
