/**
 * The result of one message exchange with one nameserver over one transport.
 *
 * @module
 */
import { BlockList } from 'node:net';
import type { Question, Response } from './message';
import type { Nameserver } from './types';

/** What came of sending one query to one server. Never a rejection, except on abort. */
export type Exchange =
  | { readonly kind: 'response'; readonly response: Response; readonly ignored: number }
  | { readonly kind: 'timeout'; readonly ignored: number }
  | { readonly kind: 'error'; readonly error: Error; readonly ignored: number };

/** An exchange with the question it sent (the transport picks the ID). */
export interface QueryExchange {
  readonly question: Question;
  readonly exchange: Exchange;
}

/** True when `address` is the server's address (IPv6 compared by value, not by spelling). */
export function isServerAddress(server: Nameserver, address: string): boolean {
  const list = new BlockList();
  list.addAddress(server.address, server.family === 6 ? 'ipv6' : 'ipv4');
  return list.check(address, server.family === 6 ? 'ipv6' : 'ipv4');
}

/** How a transport reports the end of its exchange; each ends it at most once. */
export interface ExchangeControl {
  /** A message on the socket that is not the response (another source, ID or question, or undecodable). */
  ignore(): void;
  respond(response: Response): void;
  fail(error: Error): void;
}

/**
 * The bookkeeping every transport shares: the per-try timeout, the abort, the count of ignored
 * messages, and settling exactly once — after which `release` closes the transport's socket.
 */
export function controlExchange(
  timeoutMs: number,
  signal: AbortSignal,
  release: () => void,
  resolve: (exchange: Exchange) => void,
  reject: (reason: unknown) => void,
): ExchangeControl {
  let ignored = 0;
  let settled = false;
  const onAbort = (): void => finish(() => reject(signal.reason));
  const timer = setTimeout(() => finish(() => resolve({ kind: 'timeout', ignored })), timeoutMs);
  const finish = (settle: () => void): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    release();
    settle();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    ignore: () => void (ignored += 1),
    respond: (response) => finish(() => resolve({ kind: 'response', response, ignored })),
    fail: (error) => finish(() => resolve({ kind: 'error', error, ignored })),
  };
}
