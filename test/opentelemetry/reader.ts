/**
 * Reading metrics back in tests: an OpenTelemetry SDK meter provider with a reader that
 * collects on demand (no export interval, no timer), and lookups of a metric's points.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';

/** A metric reader that collects only when asked, in memory. */
export class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}

  /** Collect now: every metric of every meter, with the errors of their callbacks. */
  async metrics(): Promise<Collected> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'a metric callback failed');
    return new Collected(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => ({ scope: scope.scope.name, metric }))));
  }
}

/** A meter provider reading into a fresh {@link CollectingReader}. */
export function createMeterProvider(): { provider: MeterProvider; reader: CollectingReader } {
  const reader = new CollectingReader();
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

/** One collection's metrics, by name. */
export class Collected {
  readonly #metrics: readonly { scope: string; metric: MetricData }[];

  constructor(metrics: readonly { scope: string; metric: MetricData }[]) {
    this.#metrics = metrics;
  }

  /** Every metric name collected. */
  get names(): string[] {
    return this.#metrics.map(({ metric }) => metric.descriptor.name);
  }

  /** The metric named `name`; throws when it was not collected. */
  metric(name: string): MetricData & { scope: string } {
    const found = this.#metrics.find(({ metric }) => metric.descriptor.name === name);
    if (!found) throw new Error(`no metric ${name} (collected: ${this.names.join(', ')})`);
    return Object.assign(found.metric, { scope: found.scope });
  }

  /** The points of `name` whose attributes include `attributes`. */
  points(name: string, attributes: Attributes = {}): DataPoint<number>[] {
    const metric = this.#metrics.find(({ metric: candidate }) => candidate.descriptor.name === name)?.metric;
    if (!metric) return [];
    if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
      throw new Error(`${name} is a histogram`);
    }
    return (metric.dataPoints as DataPoint<number>[]).filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value));
  }

  /** The one value of `name` with `attributes`; throws when there is not exactly one point. */
  value(name: string, attributes: Attributes = {}): number {
    const points = this.points(name, attributes);
    if (points.length !== 1) throw new Error(`${name} ${JSON.stringify(attributes)}: ${points.length} points`);
    return (points[0] as DataPoint<number>).value;
  }

  /** The histogram points of `name` whose attributes include `attributes`. */
  histograms(name: string, attributes: Attributes = {}): DataPoint<Histogram>[] {
    const metric = this.#metrics.find(({ metric: candidate }) => candidate.descriptor.name === name)?.metric;
    if (!metric) return [];
    if (metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`);
    return metric.dataPoints.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value));
  }
}
