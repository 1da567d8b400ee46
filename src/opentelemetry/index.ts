/**
 * OpenTelemetry metrics of a discovery: `registerDiscoveryMetrics(discovery)` reports its
 * `stats()` through `@opentelemetry/api` (an optional peer dependency: install it to use this
 * subpath; the main entry never loads it).
 *
 * @module headless-discovery/opentelemetry
 */
export { registerDiscoveryMetrics, METER_NAME } from './register';
export type { DiscoveryMetrics, DiscoveryMetricsOptions, MeteredDiscovery } from './register';
export { METRICS } from './instruments';
export type { InstrumentKind, MetricDefinition, MetricKey } from './instruments';
export { NAMESPACE_ATTRIBUTE, SERVICE_ATTRIBUTE } from './discovery-attributes';
export { DURATION_BUCKETS_S, HISTOGRAMS } from './durations';
export type { HistogramDefinition, HistogramKey } from './durations';
