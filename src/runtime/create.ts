/**
 * The entry points: `createDiscovery()` validates the options and returns a discovery that has
 * not polled yet; `discover()` polls once, with no loop.
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';
import { membershipContext, sourceSettings } from '../config/layer-settings';
import type { DiscoveryOptions } from '../config/options';
import { resolveOptions } from '../config/resolve-options';
import { createDnsResolver } from '../dns/resolver';
import { DiscoveryError } from '../errors';
import { initialState, reconcile } from '../membership/reconcile';
import type { Membership } from '../membership/types';
import { observeInOrder } from '../sources/fallback';
import { createSources } from '../sources/registry';
import { Discovery } from './discovery';

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
 * membership to fall back to.
 */
export async function discover(options: DiscoveryOptions): Promise<Membership> {
  const config = resolveOptions(options);
  return config.readiness ? discoverWithProbes(config) : discoverOnce(config);
}

/** One observation and one reconcile step: no scheduler, emitter or iterator. */
async function discoverOnce(config: DiscoveryConfig): Promise<Membership> {
  config.signal?.throwIfAborted();
  const resolver = createDnsResolver({ nameservers: config.nameservers, timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts });
  try {
    const sources = createSources(config.sources, resolver, sourceSettings(config));
    const signal = config.signal ?? new AbortController().signal;
    const outcome = await observeInOrder(sources, signal, config.retry).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new DiscoveryError('ERR_INTERNAL', `A lookup failed unexpectedly (please report this): ${String(error)}`, { cause: error });
    });
    if (!outcome.observation.ok) throw outcome.observation.error;
    const context = membershipContext(config);
    return reconcile(initialState(context, config.policy), outcome.observation, null, context, config.policy, Date.now()).membership;
  } finally {
    resolver.close();
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
