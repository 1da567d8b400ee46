/**
 * The opt-in duration histograms (`histograms: true`): synchronous OpenTelemetry histograms fed
 * from the `poll:end` and `dns:lookup` diagnostics channels, one exact value per poll and per
 * lookup. Opt-in because a subscriber makes every poll and lookup build its channel message
 * (the asynchronous instruments read `stats()` and cost nothing between collections).
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Attributes, Meter } from '@opentelemetry/api';
import type { DiscoveryName } from './discovery-attributes';
import { LOOKUP_CHANNEL as LOOKUP, POLL_END_CHANNEL as POLL_END } from '../observability/channels';
import { LATENCY_BOUNDS_MS } from '../observability/histogram';
import type { LookupMessage, PollEndMessage } from '../observability/messages';

/** One duration histogram: its OpenTelemetry name, unit, description and attribute keys. */
export interface HistogramDefinition {
  /** The instrument name, e.g. `headless_discovery.poll.duration`. */
  readonly name: string;
  /** Always `s`: OpenTelemetry's unit for durations. */
  readonly unit: 's';
  /** What one observation is. */
  readonly description: string;
  /** The attribute keys of its points besides the discovery's own. */
  readonly attributes: readonly string[];
  /** The diagnostics channel it is fed from. */
  readonly channel: string;
}

/** The key of every histogram of {@link HISTOGRAMS}. */
export type HistogramKey = 'pollDuration' | 'lookupDuration';

/** The histograms recorded with `histograms: true`, by key. */
export const HISTOGRAMS: Readonly<Record<HistogramKey, HistogramDefinition>> = {
  pollDuration: {
    name: 'headless_discovery.poll.duration',
    unit: 's',
    description: 'Duration of each poll, every source and retry included, by outcome (ok, failed).',
    attributes: ['outcome'],
    channel: POLL_END,
  },
  lookupDuration: {
    name: 'headless_discovery.dns.lookup.duration',
    unit: 's',
    description: 'Duration of each DNS lookup, every server and attempt included, by outcome (answer, nodata, nxdomain, servfail, timeout…).',
    attributes: ['outcome'],
    channel: LOOKUP,
  },
};

/** The buckets advised to the SDK: those of `stats()`, in seconds (a view of yours may override them). */
export const DURATION_BUCKETS_S: readonly number[] = Object.freeze(LATENCY_BOUNDS_MS.map((ms) => ms / 1000));

/**
 * Create the histograms on `meter` and record the messages about `subject` into them until the
 * returned function is called. The channels name a discovery by Service and namespace only: two
 * discoveries of one Service in a process record into each other's histograms.
 */
export function recordDurations(meter: Meter, subject: DiscoveryName, base: Attributes): () => void {
  const options = (definition: HistogramDefinition) => ({
    description: definition.description,
    unit: definition.unit,
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
  });
  const polls = meter.createHistogram(HISTOGRAMS.pollDuration.name, options(HISTOGRAMS.pollDuration));
  const lookups = meter.createHistogram(HISTOGRAMS.lookupDuration.name, options(HISTOGRAMS.lookupDuration));
  const ours = (message: { service?: string; namespace?: string }): boolean =>
    message.service === subject.service && message.namespace === subject.namespace;
  const onPoll = (message: unknown): void => {
    const poll = message as PollEndMessage;
    if (ours(poll)) polls.record(poll.durationMs / 1000, { ...base, outcome: poll.outcome });
  };
  const onLookup = (message: unknown): void => {
    const lookup = message as LookupMessage;
    if (ours(lookup)) lookups.record(lookup.durationMs / 1000, { ...base, outcome: lookup.outcome });
  };
  subscribe(POLL_END, onPoll);
  subscribe(LOOKUP, onLookup);
  return () => {
    unsubscribe(POLL_END, onPoll);
    unsubscribe(LOOKUP, onLookup);
  };
}
