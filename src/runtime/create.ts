/**
 * The entry points: `createDiscovery()` validates the options and returns a discovery that has
 * not polled yet; `discover()` polls once, with no loop.
 *
 * @module
 */
import { booleanOr } from '../config/checks';
import type { DiscoveryConfig } from '../config/discovery-config';
import { membershipContext, sourceSettings } from '../config/layer-settings';
import type { DiscoveryOptions } from '../config/options';
import { resolveOptions } from '../config/resolve-options';
import { explainEmpty } from '../diagnose/on-demand';
import { createDnsResolver, type DnsResolver } from '../dns/resolver';
import { DiscoveryError } from '../errors';
import type { SuccessfulObservation } from '../membership/observation';
import { initialState, reconcile } from '../membership/reconcile';
import type { Membership } from '../membership/types';
import { observeInOrder, type PollOutcome } from '../sources/fallback';
import { createSources } from '../sources/registry';
import { installDebugLog } from '../observability/debug-log';
import { Discovery } from './discovery';

/** The options of {@link discover}: a discovery's, and whether an empty result is fine. */
export interface DiscoverOptions extends DiscoveryOptions {
  /**
   * Resolve with an empty membership even when DNS says why it is empty (the Service name or its
   * SRV name does not exist, or no pod found is of the StatefulSet). Default `false`: `discover()`
   * then rejects with that {@link MisconfigurationError}, since an empty cluster is far more often
   * a typo than the truth. Set it where "nobody yet" is an answer, e.g. a first pod asking whether
   * any peer is up. (A Service with no ready pod is NXDOMAIN in Kubernetes, like a typo.)
   */
  readonly allowEmpty?: boolean;
}

/**
 * Create a discovery of the peers behind a headless Service. Options are validated now
 * (`ERR_INVALID_OPTION`); nothing is queried until `start()`, `refresh()` or iteration.
 *
 * @example
 * ```ts
 * const discovery = createDiscovery({ service: 'mysql', port: 'mysql' });
 * discovery.on('join', (peer) => console.log('joined', peer.name, peer.addresses));
 * discovery.on('leave', (peer) => console.log('left', peer.name));
 * await discovery.start();
 * ```
 */
export function createDiscovery(options: DiscoveryOptions): Discovery {
  return new Discovery(resolveOptions(options));
}

/**
 * Resolve the Service once and return the membership, without a polling loop. Unlike
 * `start()`, a failed lookup rejects (with a `LookupError`), since there is no earlier
 * membership to fall back to; so does an empty result that DNS explains (a
 * {@link MisconfigurationError}), unless `allowEmpty` is set.
 */
export async function discover(options: DiscoverOptions): Promise<Membership> {
  const { allowEmpty, discovery } = splitOptions(options);
  const config = resolveOptions(discovery);
  const membership = config.readiness ? await discoverWithProbes(config) : await discoverOnce(config, allowEmpty);
  if (config.readiness && !allowEmpty && membership.peers.length === 0) await rejectIfExplained(config);
  return membership;
}

/** `allowEmpty` apart from the options a discovery takes (which reject unknown keys). */
function splitOptions(options: DiscoverOptions): { allowEmpty: boolean; discovery: DiscoveryOptions } {
  if (typeof options !== 'object' || options === null || !Object.hasOwn(options, 'allowEmpty')) return { allowEmpty: false, discovery: options };
  const { allowEmpty, ...discovery } = options;
  return { allowEmpty: booleanOr('allowEmpty', allowEmpty, false), discovery };
}

/** One observation and one reconcile step: no scheduler, emitter or iterator. */
async function discoverOnce(config: DiscoveryConfig, allowEmpty: boolean): Promise<Membership> {
  config.signal?.throwIfAborted();
  const resolver = resolverFor(config);
  try {
    const signal = config.signal ?? new AbortController().signal;
    const observation = await observeOnce(config, resolver, signal);
    const membership = membershipOf(config, observation);
    if (membership.peers.length === 0 && !allowEmpty) {
      const explained = await explainEmpty(config, observation, resolver, signal);
      if (explained) throw explained;
    }
    return membership;
  } finally {
    resolver.close();
  }
}

/** The sources' observation, or the reason there is none. */
async function observeOnce(config: DiscoveryConfig, resolver: DnsResolver, signal: AbortSignal): Promise<SuccessfulObservation> {
  const sources = createSources(config.sources, resolver, sourceSettings(config));
  try {
    const outcome: PollOutcome = await observeInOrder(sources, signal, config.retry).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new DiscoveryError('ERR_INTERNAL', `A lookup failed unexpectedly (please report this): ${String(error)}`, { cause: error });
    });
    if (!outcome.observation.ok) throw outcome.observation.error;
    return outcome.observation;
  } finally {
    await Promise.allSettled(sources.map((source) => source.close?.()));
  }
}

/** With readiness probes, the first membership waits for the first verdicts: a discovery does that. */
async function discoverWithProbes(config: DiscoveryConfig): Promise<Membership> {
  const discovery = new Discovery(config);
  let failure: DiscoveryError | undefined;
  discovery.on('error', (error) => {
    failure ??= error;
  });
  try {
    const membership = await discovery.start();
    if (membership.stale && failure) throw failure;
    return membership;
  } finally {
    await discovery.close();
  }
}

/** After an empty discovery with probes: observe once more to tell why, and reject if DNS tells. */
async function rejectIfExplained(config: DiscoveryConfig): Promise<void> {
  const resolver = resolverFor(config);
  try {
    const signal = config.signal ?? new AbortController().signal;
    const observation = await observeOnce(config, resolver, signal);
    // Pods came in the meantime: the empty answer was the truth of its moment.
    if (membershipOf(config, observation).peers.length > 0) return;
    const explained = await explainEmpty(config, observation, resolver, signal);
    if (explained) throw explained;
  } finally {
    resolver.close();
  }
}

function membershipOf(config: DiscoveryConfig, observation: SuccessfulObservation): Membership {
  const context = membershipContext(config);
  return reconcile(initialState(context, config.policy), observation, null, context, config.policy, Date.now()).membership;
}

function resolverFor(config: DiscoveryConfig): DnsResolver {
  installDebugLog();
  const subject = { service: config.service, namespace: config.namespace };
  return createDnsResolver({ nameservers: config.nameservers, timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts, subject });
}
