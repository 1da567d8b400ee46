// An OpenTelemetry MetricReader that writes what it collects into a prom-client registry, for an
// app whose /metrics is already prom-client's: the discovery's OpenTelemetry metrics appear next
// to the app's own, in the same scrape. It collects when asked (`sync()`, once per scrape), so
// the values are as fresh as the scrape and nothing runs in between.
//
// Names follow OpenTelemetry's Prometheus compatibility rules: dots become underscores, a unit
// `s` adds `_seconds`, count annotations (`{poll}`) and `1` add nothing, counters end in `_total`;
// attribute keys become label names the same way. Counters (monotonic sums) become prom-client
// Counters; up-down counters and gauges become Gauges.
import { AggregationTemporality, DataPointType, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge } from 'prom-client';

const sanitize = (name) => name.replace(/[^a-zA-Z0-9_:]/g, '_');

/** The Prometheus name of an OpenTelemetry metric. */
export function prometheusName(descriptor, isCounter) {
  let name = sanitize(descriptor.name);
  if (descriptor.unit === 's' && !name.endsWith('_seconds')) name += '_seconds';
  if (isCounter && !name.endsWith('_total')) name += '_total';
  return name;
}

const labelsOf = (attributes) => Object.fromEntries(Object.entries(attributes).map(([key, value]) => [sanitize(key), String(value)]));

export class PromClientReader extends MetricReader {
  #registry;
  #metrics = new Map();
  #pending = Promise.resolve();

  constructor(registry) {
    // Cumulative, the temporality Prometheus expects: a counter is the total since the start.
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    this.#registry = registry;
  }

  /** Collect now and write the values into the registry; scrapes that overlap share one run at a time. */
  sync() {
    this.#pending = this.#pending.then(() => this.#sync());
    return this.#pending;
  }

  async #sync() {
    const { resourceMetrics, errors } = await this.collect();
    for (const error of errors) console.error(`metrics: a callback failed: ${error}`);
    for (const { metrics } of resourceMetrics.scopeMetrics) {
      for (const metric of metrics) this.#write(metric);
    }
  }

  #write(metric) {
    const { descriptor, dataPointType, dataPoints } = metric;
    // Histograms (the opt-in `histograms: true`) are left out: this run does not ask for them.
    if (dataPointType !== DataPointType.SUM && dataPointType !== DataPointType.GAUGE) return;
    const isCounter = dataPointType === DataPointType.SUM && metric.isMonotonic;
    const name = prometheusName(descriptor, isCounter);
    let target = this.#metrics.get(name);
    if (!target) {
      const labelNames = [...new Set(dataPoints.flatMap((point) => Object.keys(labelsOf(point.attributes))))];
      const Type = isCounter ? Counter : Gauge;
      target = new Type({ name, help: descriptor.description || descriptor.name, labelNames, registers: [this.#registry] });
      this.#metrics.set(name, target);
    }
    // The points are the whole state (cumulative), so the prom-client metric is rewritten from them.
    target.reset();
    for (const point of dataPoints) {
      if (isCounter) target.inc(labelsOf(point.attributes), point.value);
      else target.set(labelsOf(point.attributes), point.value);
    }
  }

  async onForceFlush() {}
  async onShutdown() {}
}
