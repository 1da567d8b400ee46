/**
 * Pod IP allocation for the fake cluster: deterministic, never reused, so a restarted pod
 * always comes back with a new address (as a re-created pod usually does).
 *
 * @module
 */

/** Where pod addresses come from. */
export type PodNetwork = 'cluster' | 'loopback';

/**
 * Hands out pod addresses: IPv4 from 10.244.0.0/16 and IPv6 from fd00:10:244::/64 (`cluster`),
 * or IPv4 from 127.244.0.0/16 (`loopback`: on Linux every 127/8 address is local, so a test can
 * run a real server as each pod).
 */
export class AddressAllocator {
  #next = 1;
  readonly #v4Prefix: string;

  constructor(network: PodNetwork = 'cluster') {
    this.#v4Prefix = network === 'loopback' ? '127.244' : '10.244';
  }

  /** A fresh address of each requested family, from one counter so the two line up. */
  allocate(families: readonly ('IPv4' | 'IPv6')[]): string[] {
    const index = this.#next++;
    if (index > 65_000) throw new RangeError('the fake cluster ran out of pod addresses');
    return families.map((family) =>
      family === 'IPv4' ? `${this.#v4Prefix}.${index >> 8}.${index & 0xff}` : `fd00:10:244::${index.toString(16)}`,
    );
  }
}
