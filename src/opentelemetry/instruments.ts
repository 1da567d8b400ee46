/**
 * The metrics this subpath reports: one table of names, kinds, units and meanings, which the
 * registration reads and the documentation repeats. Names follow OpenTelemetry's naming
 * conventions (a `headless_discovery.` namespace, dot-separated, singular units in UCUM, counts
 * in curly-brace annotations such as `{poll}`); durations are in seconds.
 *
 * @module
 */

/** What kind of OpenTelemetry asynchronous instrument a metric is. */
export type InstrumentKind = 'counter' | 'upDownCounter' | 'gauge';

/** One metric: its OpenTelemetry name, instrument kind, unit, description and attribute keys. */
export interface MetricDefinition {
  /** The instrument name, e.g. `headless_discovery.polls`. */
  readonly name: string;
  /** `counter` (only increases), `upDownCounter` (a count that also decreases) or `gauge` (a value read now). */
  readonly kind: InstrumentKind;
  /** The UCUM unit: `s`, `1`, or a count annotation such as `{poll}`. */
  readonly unit: string;
  /** What one unit of the metric is, for the backend's help text. */
  readonly description: string;
  /** The attribute keys of its points besides the discovery's own (service, namespace, `attributes`). */
  readonly attributes: readonly string[];
  /** True for values that are whole numbers (counts), false for seconds. */
  readonly integer: boolean;
}

/** The key of every metric of {@link METRICS}. */
export type MetricKey =
  | 'polls'
  | 'pollTime'
  | 'pollRetries'
  | 'lookups'
  | 'lookupRcodes'
  | 'lookupTime'
  | 'messages'
  | 'truncations'
  | 'stale'
  | 'staleness'
  | 'members'
  | 'missingMembers'
  | 'drainingMembers'
  | 'readinessProbes'
  | 'bootstrapReports';

const count = (name: string, unit: string, description: string, attributes: readonly string[] = []): MetricDefinition => ({
  name,
  kind: 'counter',
  unit,
  description,
  attributes,
  integer: true,
});

/**
 * Every metric reported by {@link registerDiscoveryMetrics}, by key. Counters are cumulative
 * since the discovery was created; gauges are read at each collection.
 */
export const METRICS: Readonly<Record<MetricKey, MetricDefinition>> = {
  polls: count('headless_discovery.polls', '{poll}', 'Polls that ended, by outcome: ok (a source answered) or failed (every source failed).', ['outcome']),
  pollTime: {
    name: 'headless_discovery.poll.time',
    kind: 'counter',
    unit: 's',
    description: 'Time spent polling, every source and retry included; divided by headless_discovery.polls, the mean poll duration.',
    attributes: [],
    integer: false,
  },
  pollRetries: count('headless_discovery.poll.retries', '{retry}', 'Polls of a source tried again after a failure (the retry option).'),
  lookups: count('headless_discovery.dns.lookups', '{lookup}', 'DNS lookups (every server and attempt of one question), by outcome.', ['outcome']),
  lookupRcodes: count('headless_discovery.dns.lookup.rcodes', '{lookup}', 'DNS lookups that ended with a response, by its RCODE name (NOERROR, NXDOMAIN, SERVFAIL, REFUSED…).', ['rcode']),
  lookupTime: {
    name: 'headless_discovery.dns.lookup.time',
    kind: 'counter',
    unit: 's',
    description: 'Time spent in DNS lookups; divided by headless_discovery.dns.lookups, the mean lookup duration.',
    attributes: [],
    integer: false,
  },
  messages: count('headless_discovery.dns.messages', '{message}', 'DNS messages sent to nameservers, by transport (udp, tcp).', ['network.transport']),
  truncations: count('headless_discovery.dns.truncations', '{response}', 'UDP answers that came back truncated (TC bit), each then asked again over TCP.'),
  stale: {
    name: 'headless_discovery.stale',
    kind: 'gauge',
    unit: '1',
    description: '1 while the membership is stale (the last poll failed: the peers are the last known ones), else 0.',
    attributes: [],
    integer: true,
  },
  staleness: {
    name: 'headless_discovery.staleness',
    kind: 'gauge',
    unit: 's',
    description: 'Age of the membership: seconds since a poll last succeeded (0 before the first success).',
    attributes: [],
    integer: false,
  },
  members: {
    name: 'headless_discovery.members',
    kind: 'upDownCounter',
    unit: '{member}',
    description: 'Peers of the current membership, by readiness: ready or not_ready (together, every peer).',
    attributes: ['state'],
    integer: true,
  },
  missingMembers: {
    name: 'headless_discovery.members.missing',
    kind: 'upDownCounter',
    unit: '{member}',
    description: 'Peers of the current membership absent from the last poll, kept until they have been missing long enough to leave.',
    attributes: [],
    integer: true,
  },
  drainingMembers: {
    name: 'headless_discovery.members.draining',
    kind: 'upDownCounter',
    unit: '{member}',
    description: 'Peers of the current membership that are draining (terminating, or announced as leaving).',
    attributes: [],
    integer: true,
  },
  readinessProbes: count('headless_discovery.readiness.probes', '{probe}', 'Readiness probes of peers, by outcome: passed or failed.', ['outcome']),
  bootstrapReports: count('headless_discovery.bootstrap.reports', '{report}', 'Bootstrap reports asked of peers, by outcome: answered or failed.', ['outcome']),
};
