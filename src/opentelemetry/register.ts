/**
 * `registerDiscoveryMetrics()`: one discovery's `stats()` as OpenTelemetry asynchronous
 * instruments, read once per collection in a single batch callback. Nothing runs between
 * collections (unless the opt-in histograms listen), so polls pay nothing for being measured.
 *
 * @module
 */
import { metrics, ValueType, type Attributes, type BatchObservableResult, type Meter, type MeterProvider, type Observable } from '@opentelemetry/api';
import { InvalidOptionError } from '../errors';
import type { DiscoveryStats } from '../observability/stats';
import { discoveryAttributes, discoveryName } from './discovery-attributes';
import { recordDurations } from './durations';
import { METRICS, type MetricDefinition, type MetricKey } from './instruments';
import { metricPoints } from './observations';

/** The name of the meter created when no `meter` is given (the instrumentation scope). */
export const METER_NAME = 'headless-discovery';

// The package's version, baked in by the build (tsup.config.ts); absent when run from the sources.
declare const __VERSION__: string | undefined;
const METER_VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : undefined;

/** What {@link registerDiscoveryMetrics} reads: a discovery (`createDiscovery()`'s result). */
export interface MeteredDiscovery {
  /** The snapshot read at each collection. */
  stats(): DiscoveryStats;
  /** Its seed host names the Service and the namespace (the default attributes). */
  readonly membership: {
    /** The seed's predicted DNS name, `<pod>.<service>.<namespace>.svc.<zone>`. */
    readonly seedHost: string;
  };
  /** Aborts when the discovery closes: the metrics unregister then. */
  readonly signal: AbortSignal;
}

/** Options of {@link registerDiscoveryMetrics}. */
export interface DiscoveryMetricsOptions {
  /**
   * The meter to create the instruments on. Default: the meter named `headless-discovery` of
   * `meterProvider`.
   */
  readonly meter?: Meter;
  /**
   * Where to get the meter when no `meter` is given. Default: the global meter provider
   * (`metrics.getMeterProvider()` of `@opentelemetry/api`), which records nothing until an SDK
   * (`@opentelemetry/sdk-node`, or `metrics.setGlobalMeterProvider()`) sets one.
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Attributes added to every point, over the defaults `headless_discovery.service` and
   * `k8s.namespace.name` (a key given here replaces the default of that key). Use them to tell
   * two discoveries of the same Service apart, e.g. `{ 'headless_discovery.purpose': 'replication' }`.
   */
  readonly attributes?: Attributes;
  /**
   * Also record each poll's and each lookup's duration into synchronous histograms
   * (`headless_discovery.poll.duration`, `headless_discovery.dns.lookup.duration`, in seconds),
   * fed from the `headless-discovery:poll:end` and `headless-discovery:dns:lookup` diagnostics
   * channels. Default: `false`: a subscriber makes every poll and lookup build its channel
   * message, and the time counters already give the means. The channels name a discovery by
   * Service and namespace: two discoveries of one Service in a process share their histograms.
   */
  readonly histograms?: boolean;
}

/** The registration: the instruments keep existing on the meter; their callback does not. */
export interface DiscoveryMetrics extends Disposable {
  /**
   * Stop reading this discovery: its callback never runs again (an SDK with cumulative
   * temporality may go on exporting the last values it saw, frozen). Idempotent; done by itself
   * when the discovery closes.
   */
  unregister(): void;
  /** `using metrics = registerDiscoveryMetrics(…)` unregisters at the end of the scope. */
  [Symbol.dispose](): void;
}

type Instruments = Readonly<Record<MetricKey, Observable>>;

function createInstrument(meter: Meter, definition: MetricDefinition): Observable {
  const options = {
    description: definition.description,
    unit: definition.unit,
    valueType: definition.integer ? ValueType.INT : ValueType.DOUBLE,
  };
  switch (definition.kind) {
    case 'counter':
      return meter.createObservableCounter(definition.name, options);
    case 'upDownCounter':
      return meter.createObservableUpDownCounter(definition.name, options);
    case 'gauge':
      return meter.createObservableGauge(definition.name, options);
  }
}

function checkOptions(discovery: MeteredDiscovery, options: DiscoveryMetricsOptions): void {
  if (typeof discovery?.stats !== 'function' || !(discovery.signal instanceof AbortSignal)) {
    throw new InvalidOptionError('discovery', 'expected a discovery made by createDiscovery() (with stats() and signal).');
  }
  if (options.meter !== undefined && typeof options.meter?.addBatchObservableCallback !== 'function') {
    throw new InvalidOptionError('meter', 'expected an OpenTelemetry Meter (@opentelemetry/api 1.3 or later: addBatchObservableCallback).');
  }
  if (options.meterProvider !== undefined && typeof options.meterProvider?.getMeter !== 'function') {
    throw new InvalidOptionError('meterProvider', 'expected an OpenTelemetry MeterProvider (with getMeter()).');
  }
  if (options.histograms !== undefined && typeof options.histograms !== 'boolean') {
    throw new InvalidOptionError('histograms', 'expected true or false.');
  }
  if (options.attributes !== undefined && (typeof options.attributes !== 'object' || options.attributes === null || Array.isArray(options.attributes))) {
    throw new InvalidOptionError('attributes', 'expected an object of attribute names to values, e.g. { "k8s.pod.name": "mysql-1" }.');
  }
}

/**
 * Report a discovery's {@link DiscoveryStats} as OpenTelemetry metrics: observable counters
 * (polls, lookups, messages, probes, time spent), an up-down counter (members by state) and
 * gauges (staleness), all read from one `stats()` call per collection. See the metrics table in
 * the observability guide for each name, unit and attribute.
 *
 * Durations are reported as time spent (`headless_discovery.poll.time`,
 * `headless_discovery.dns.lookup.time`, in seconds) next to their counts, which give the mean:
 * OpenTelemetry has no asynchronous histogram, and replaying `stats()`' buckets into a
 * synchronous one would invent individual values. With `histograms: true`, real duration
 * histograms are recorded as well, from the diagnostics channels.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { createDiscovery } from 'headless-discovery';
 * import { registerDiscoveryMetrics } from 'headless-discovery/opentelemetry';
 *
 * const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
 * registerDiscoveryMetrics(discovery, { meterProvider: metrics.getMeterProvider() });
 * await discovery.start();
 * ```
 *
 * @throws InvalidOptionError (`ERR_INVALID_OPTION`) for something that is not a discovery, a meter or a meter provider.
 */
export function registerDiscoveryMetrics(discovery: MeteredDiscovery, options: DiscoveryMetricsOptions = {}): DiscoveryMetrics {
  checkOptions(discovery, options);
  const meter = options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(METER_NAME, METER_VERSION);
  const instruments = Object.fromEntries(
    (Object.keys(METRICS) as MetricKey[]).map((key) => [key, createInstrument(meter, METRICS[key])]),
  ) as Instruments;
  const name = discoveryName(discovery.membership.seedHost);
  const base: Attributes = { ...discoveryAttributes(name), ...options.attributes };
  const observables = Object.values(instruments);
  const callback = (result: BatchObservableResult): void => {
    for (const point of metricPoints(discovery.stats())) {
      result.observe(instruments[point.metric], point.value, { ...base, ...point.attributes });
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  const stopDurations = options.histograms === true && name !== null ? recordDurations(meter, name, base) : () => undefined;

  let registered = true;
  const unregister = (): void => {
    if (!registered) return;
    registered = false;
    discovery.signal.removeEventListener('abort', unregister);
    meter.removeBatchObservableCallback(callback, observables);
    stopDurations();
  };
  if (discovery.signal.aborted) unregister();
  else discovery.signal.addEventListener('abort', unregister, { once: true });
  return { unregister, [Symbol.dispose]: unregister };
}
