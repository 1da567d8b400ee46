/**
 * The options that shape behaviour rather than identity: sources and their fallbacks, leave
 * hysteresis, readiness, expected replicas, scheduling and retries. Validated once, with the
 * cross-checks between them (a source needs what it queries; intervals must be ordered).
 *
 * @module
 */
import { InvalidOptionError } from './errors';
import { STATIC_PEERS_ENV, EXPECTED_REPLICAS_ENV, type PodEnvironment } from './environment';
import type { PollTiming } from './interval';
import { DEFAULT_POLICY, type MembershipPolicy } from './membership/policy';
import type { SourceName } from './membership/types';
import { booleanOr, denseArray, describe, integerIn, numberIn } from './option-checks';
import type { DiscoveryOptions } from './options';
import { resolveReadiness, type ReadinessConfig } from './readiness/config';
import type { AddressFamily } from './sources/address-lookup';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './sources/retry';
import { parseStaticPeer, type StaticPeer } from './sources/static';

/** The behaviour options as given: the part of `DiscoveryOptions` this module validates. */
export type PolicyOptions = Pick<
  DiscoveryOptions,
  | 'sources'
  | 'staticPeers'
  | 'expectedReplicas'
  | 'family'
  | 'leaveAfterPolls'
  | 'leaveAfterMs'
  | 'maxRemovalFraction'
  | 'includeNotReady'
  | 'maxStaleMs'
  | 'readiness'
  | 'intervalMs'
  | 'fastIntervalMs'
  | 'maxIntervalMs'
  | 'minIntervalMs'
  | 'jitter'
  | 'retries'
>;

/** What the port option decided, as far as the behaviour options care. */
export interface PortFacts {
  /** The port is named: SRV exists. */
  readonly named: boolean;
  /** The numeric port every peer gets, or `null`. */
  readonly number: number | null;
}

/** Validated behaviour options. */
export interface PolicyConfig {
  readonly sources: readonly SourceName[];
  readonly staticPeers: readonly StaticPeer[];
  readonly family: AddressFamily;
  readonly policy: MembershipPolicy;
  readonly maxStaleMs: number | null;
  readonly readiness: ReadinessConfig | null;
  readonly timing: PollTiming;
  readonly retry: RetryPolicy;
}

/** Defaults of the behaviour options that do not depend on other options. */
export const POLICY_DEFAULTS = Object.freeze({
  intervalMs: 5000,
  jitter: 0.1,
  /** Upper bound of the default `fastIntervalMs` and `minIntervalMs`. */
  fastIntervalMs: 1000,
  /** Lower bound of the default `maxIntervalMs`. */
  maxIntervalMs: 60_000,
  family: 'both' as AddressFamily,
});

/** Lowest accepted interval: below it, a discovery would be a load test of the cluster DNS. */
export const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 86_400_000;
const MAX_TIMER_MS = 2_147_483_647;
const SOURCE_NAMES: readonly SourceName[] = ['srv', 'address', 'ordinals', 'static'];
const MAX_STATIC_PEERS = 10_000;

/** Validate the behaviour options against each other and the environment. */
export function resolvePolicyOptions(options: PolicyOptions, port: PortFacts, environment: PodEnvironment): PolicyConfig {
  const sources = resolveSources(options.sources, port);
  const expectedReplicas = resolveExpectedReplicas(options.expectedReplicas, environment);
  if (sources.includes('ordinals') && expectedReplicas === null) {
    throw new InvalidOptionError('sources', `"ordinals" needs to know how many pods to look for; expected expectedReplicas (or ${EXPECTED_REPLICAS_ENV}) to be set as well.`);
  }
  const readiness = resolveReadiness(options.readiness);
  if (readiness && readiness.probe.kind !== 'custom' && readiness.probe.port === null && port.number === null && !port.named) {
    throw new InvalidOptionError(`readiness.${readiness.probe.kind}.port`, `the peers have no known port; expected "port" (a named port or a number) or readiness.${readiness.probe.kind}.port to be set.`);
  }
  return {
    sources,
    staticPeers: resolveStaticPeers(options.staticPeers, sources, environment),
    family: resolveFamily(options.family),
    policy: {
      leaveAfterPolls: integerIn('leaveAfterPolls', options.leaveAfterPolls, DEFAULT_POLICY.leaveAfterPolls, 1, 100),
      leaveAfterMs: integerIn('leaveAfterMs', options.leaveAfterMs, DEFAULT_POLICY.leaveAfterMs, 0, MAX_INTERVAL_MS),
      maxRemovalFraction: numberIn('maxRemovalFraction', options.maxRemovalFraction, DEFAULT_POLICY.maxRemovalFraction, 0, 1),
      includeNotReady: booleanOr('includeNotReady', options.includeNotReady, DEFAULT_POLICY.includeNotReady),
      expectedReplicas,
    },
    maxStaleMs: options.maxStaleMs === undefined ? null : integerIn('maxStaleMs', options.maxStaleMs, 0, 1, MAX_TIMER_MS),
    readiness,
    timing: resolveTiming(options),
    retry: { ...DEFAULT_RETRY_POLICY, retries: integerIn('retries', options.retries, DEFAULT_RETRY_POLICY.retries, 0, 10) },
  };
}

function resolveSources(value: unknown, port: PortFacts): readonly SourceName[] {
  if (value === undefined) return port.named ? ['srv', 'address'] : ['address'];
  const list = denseArray('sources', value, SOURCE_NAMES.length, `["srv", "address"] (of ${SOURCE_NAMES.map((name) => `"${name}"`).join(', ')}, in order of preference)`);
  const seen = new Set<SourceName>();
  for (const [index, entry] of list.entries()) {
    if (!SOURCE_NAMES.includes(entry as SourceName)) {
      throw new InvalidOptionError(`sources[${index}]`, `got ${describe(entry)}; expected one of ${SOURCE_NAMES.map((name) => `"${name}"`).join(', ')}.`);
    }
    if (seen.has(entry as SourceName)) throw new InvalidOptionError(`sources[${index}]`, `"${String(entry)}" is listed twice; expected each source at most once.`);
    seen.add(entry as SourceName);
  }
  if (seen.has('srv') && !port.named) {
    throw new InvalidOptionError('sources', '"srv" needs a named port (SRV records exist only for named Service ports); expected "port" to be the port\'s name, or sources without "srv".');
  }
  return [...seen];
}

function resolveExpectedReplicas(value: unknown, environment: PodEnvironment): number | null {
  if (value !== undefined) return integerIn('expectedReplicas', value, 0, 1, 100_000);
  const fromEnv = environment.expectedReplicas.value;
  if (fromEnv === undefined) return null;
  const parsed = /^\d{1,6}$/.test(fromEnv) ? Number(fromEnv) : Number.NaN;
  return integerIn(`expectedReplicas (from ${environment.expectedReplicas.from})`, parsed, 0, 1, 100_000);
}

function resolveStaticPeers(value: unknown, sources: readonly SourceName[], environment: PodEnvironment): readonly StaticPeer[] {
  const wanted = sources.includes('static');
  if (value === undefined) {
    if (!wanted) return [];
    const fromEnv = environment.staticPeers.value;
    if (fromEnv === undefined) {
      throw new InvalidOptionError('staticPeers', `the "static" source needs peers; expected staticPeers (or ${STATIC_PEERS_ENV}) such as ["db-0.db.default.svc.cluster.local:5432"].`);
    }
    return parseStaticList(fromEnv.split(/[\s,]+/).filter(Boolean), `staticPeers (from ${environment.staticPeers.from})`);
  }
  if (!wanted) throw new InvalidOptionError('staticPeers', 'peers are set but "static" is not among sources; expected it there too, e.g. sources: ["srv", "static"].');
  return parseStaticList(denseArray('staticPeers', value, MAX_STATIC_PEERS, '["db-0.db.default.svc.cluster.local:5432", "10.0.0.7"]'), 'staticPeers');
}

function parseStaticList(entries: readonly unknown[], option: string): readonly StaticPeer[] {
  if (entries.length > MAX_STATIC_PEERS) throw new InvalidOptionError(option, `got ${entries.length} peers; expected at most ${MAX_STATIC_PEERS}.`);
  return entries.map((entry, index) => {
    const parsed = typeof entry === 'string' && entry.length <= 300 ? parseStaticPeer(entry) : undefined;
    if (!parsed) {
      throw new InvalidOptionError(
        `${option}[${index}]`,
        `got ${describe(entry)}; expected a fully qualified name or an IP address, with an optional port: "db-0.db.default.svc.cluster.local", "10.0.0.7:5432", "[fd00::7]:5432".`,
      );
    }
    return parsed;
  });
}

function resolveFamily(value: unknown): AddressFamily {
  if (value === undefined) return POLICY_DEFAULTS.family;
  if (value !== 4 && value !== 6 && value !== 'both') {
    throw new InvalidOptionError('family', `got ${describe(value)}; expected 4, 6 or "both".`);
  }
  return value;
}

function resolveTiming(options: PolicyOptions): PollTiming {
  const intervalMs = integerIn('intervalMs', options.intervalMs, POLICY_DEFAULTS.intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  const fastIntervalMs = integerIn('fastIntervalMs', options.fastIntervalMs, Math.min(POLICY_DEFAULTS.fastIntervalMs, intervalMs), MIN_INTERVAL_MS, intervalMs);
  const minIntervalMs = integerIn('minIntervalMs', options.minIntervalMs, Math.min(POLICY_DEFAULTS.fastIntervalMs, fastIntervalMs), MIN_INTERVAL_MS, fastIntervalMs);
  const maxIntervalMs = integerIn('maxIntervalMs', options.maxIntervalMs, Math.max(POLICY_DEFAULTS.maxIntervalMs, intervalMs), intervalMs, MAX_INTERVAL_MS);
  const jitter = numberIn('jitter', options.jitter, POLICY_DEFAULTS.jitter, 0, 0.5);
  return { intervalMs, fastIntervalMs, maxIntervalMs, minIntervalMs, jitter };
}
