/**
 * Reverse-lookup names (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa).
 *
 * @module
 */
import { isIP } from 'node:net';
import { expandIPv6 } from './ip';

/** The PTR query name of an address: `7.1.244.10.in-addr.arpa.` or the 32-nibble `ip6.arpa.` form. */
export function reverseName(address: string): string {
  const family = isIP(address);
  if (family === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa.`;
  if (family === 6) return `${[...expandIPv6(address)].reverse().join('.')}.ip6.arpa.`;
  throw new TypeError(`not an IP address: ${address}`);
}
