/**
 * The result of one message exchange with one nameserver over one transport.
 *
 * @module
 */
import { BlockList } from 'node:net';
import type { Response } from './message';
import type { Nameserver } from './types';

/** What came of sending one query to one server. Never a rejection, except on abort. */
export type Exchange =
  | { readonly kind: 'response'; readonly response: Response; readonly ignored: number }
  | { readonly kind: 'timeout'; readonly ignored: number }
  | { readonly kind: 'error'; readonly error: Error; readonly ignored: number };

/** True when `address` is the server's address (IPv6 compared by value, not by spelling). */
export function isServerAddress(server: Nameserver, address: string): boolean {
  const list = new BlockList();
  list.addAddress(server.address, server.family === 6 ? 'ipv6' : 'ipv4');
  return list.check(address, server.family === 6 ? 'ipv6' : 'ipv4');
}

/** Settle at most once, with cleanup: the shape of every transport's promise. */
export function settleOnce<T>(cleanup: () => void, resolve: (value: T) => void, reject: (reason: unknown) => void) {
  let settled = false;
  return {
    resolve(value: T): void {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(value);
    },
    reject(reason: unknown): void {
      if (settled) return;
      settled = true;
      cleanup();
      reject(reason);
    },
  };
}
