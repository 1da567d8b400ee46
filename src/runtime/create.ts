/**
 * The entry points: `createDiscovery()` validates the options and returns a discovery that has
 * not polled yet; `discover()` polls once, with no loop.
 *
 * @module
 */
import type { DiscoveryOptions } from '../config/options';
import { resolveOptions } from '../config/resolve-options';
import type { DiscoveryError } from '../errors';
import type { Membership } from '../membership/types';
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
  const discovery = createDiscovery(options);
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
