/**
 * The options that shape behaviour rather than identity: sources and their fallbacks, leave
 * hysteresis, readiness, expected replicas, scheduling and retries. Validated once, with the
 * cross-checks between them (a source needs what it queries; intervals must be ordered).
 *
 * @module
 */
import { InvalidOptionError } from '../errors';
import type { SourceName } from '../membership/types';
import type { AddressFamily } from '../sources/address-lookup';
import { SOURCE_NAMES } from '../sources/registry';
import { booleanOr, denseArray, describe, integerIn, numberIn } from './checks';
import {
  defaultFastIntervalMs,
  defaultMaxIntervalMs,
  defaultMinIntervalMs,
  defaultSources,
  DISCOVERY_DEFAULTS,
  RETRY_DELAYS,
} from './defaults';
import type { BehaviourConfig, PollTiming } from './discovery-config';
import { EXPECTED_REPLICAS_ENV, type PodEnvironment } from './environment';
import type { DiscoveryOptions } from './options';
import { resolveReadiness } from './readiness';
import { resolveStaticPeers } from './static-peers';

/** The behaviour options as given: the part of `DiscoveryOptions` this module validates. */
export type BehaviourOptions = Pick<
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

/** Lowest accepted interval: below it, a discovery would be a load test of the cluster DNS. */
export const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 86_400_000;
const MAX_TIMER_MS = 2_147_483_647;

/** Validate the behaviour options against each other and the environment. */
export function resolveBehaviour(options: BehaviourOptions, port: PortFacts, environment: PodEnvironment): BehaviourConfig {
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
    staticPeers: resolveStaticPeers(options.staticPeers, sources.includes('static'), environment),
    family: resolveFamily(options.family),
    policy: {
      leaveAfterPolls: integerIn('leaveAfterPolls', options.leaveAfterPolls, DISCOVERY_DEFAULTS.leaveAfterPolls, 1, 100),
      leaveAfterMs: integerIn('leaveAfterMs', options.leaveAfterMs, DISCOVERY_DEFAULTS.leaveAfterMs, 0, MAX_INTERVAL_MS),
      maxRemovalFraction: numberIn('maxRemovalFraction', options.maxRemovalFraction, DISCOVERY_DEFAULTS.maxRemovalFraction, 0, 1),
      includeNotReady: booleanOr('includeNotReady', options.includeNotReady, DISCOVERY_DEFAULTS.includeNotReady),
      expectedReplicas,
    },
    maxStaleMs: options.maxStaleMs === undefined ? null : integerIn('maxStaleMs', options.maxStaleMs, 0, 1, MAX_TIMER_MS),
    readiness,
    timing: resolveTiming(options),
    retry: { ...RETRY_DELAYS, retries: integerIn('retries', options.retries, DISCOVERY_DEFAULTS.retries, 0, 10) },
  };
}

function resolveSources(value: unknown, port: PortFacts): readonly SourceName[] {
  if (value === undefined) return defaultSources(port.named);
  const list = denseArray('sources', value, SOURCE_NAMES.length, `["srv", "address"] (of ${SOURCE_NAMES.map((name) => `"${name}"`).join(', ')}, in order of preference)`);
  const seen = new Set<SourceName>();
  for (const [index, entry] of list.entries()) {
    if (!(SOURCE_NAMES as readonly unknown[]).includes(entry)) {
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

function resolveFamily(value: unknown): AddressFamily {
  if (value === undefined) return DISCOVERY_DEFAULTS.family;
  if (value !== 4 && value !== 6 && value !== 'both') {
    throw new InvalidOptionError('family', `got ${describe(value)}; expected 4, 6 or "both".`);
  }
  return value;
}

function resolveTiming(options: BehaviourOptions): PollTiming {
  const intervalMs = integerIn('intervalMs', options.intervalMs, DISCOVERY_DEFAULTS.intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  const fastIntervalMs = integerIn('fastIntervalMs', options.fastIntervalMs, defaultFastIntervalMs(intervalMs), MIN_INTERVAL_MS, intervalMs);
  const minIntervalMs = integerIn('minIntervalMs', options.minIntervalMs, defaultMinIntervalMs(fastIntervalMs), MIN_INTERVAL_MS, fastIntervalMs);
  const maxIntervalMs = integerIn('maxIntervalMs', options.maxIntervalMs, defaultMaxIntervalMs(intervalMs), intervalMs, MAX_INTERVAL_MS);
  const jitter = numberIn('jitter', options.jitter, DISCOVERY_DEFAULTS.jitter, 0, 0.5);
  return { intervalMs, fastIntervalMs, maxIntervalMs, minIntervalMs, jitter };
}
