/**
 * Waiting on a discovery: until a condition on the membership has held, unchanged and fresh,
 * for a while (a stable margin), or a deadline passes, or a signal aborts.
 *
 * @module
 */
import { integerIn } from '../config/checks';
import { WAIT_DEFAULTS } from '../config/defaults';
import { ClosedError, InvalidOptionError, WaitTimeoutError } from '../errors';
import type { Membership, Peer } from '../membership/types';
import type { DiscoveryEvents } from './events';

/** Options of `discovery.waitFor()`. */
export interface WaitForOptions {
  /** At least this many members (ready peers, or every peer with `includeNotReady`). Default: 1. */
  readonly minPeers?: number;
  /** At least a majority of `expectedReplicas` members (needs `expectedReplicas`). Default: false. */
  readonly quorum?: boolean;
  /** The condition must hold this long with no membership change and no failed poll. Default: 0. */
  readonly stableForMs?: number;
  /** Reject with `ERR_WAIT_TIMEOUT` after this long. Default: wait forever. */
  readonly timeoutMs?: number;
  /** Aborting rejects the wait with the signal's reason (the discovery keeps running). */
  readonly signal?: AbortSignal;
}

/** Options of `discovery.waitForSeed()`. */
export interface WaitForSeedOptions {
  /** Reject with `ERR_WAIT_TIMEOUT` after this long. Default: wait forever. */
  readonly timeoutMs?: number;
  /** Aborting rejects the wait with the signal's reason (the discovery keeps running). */
  readonly signal?: AbortSignal;
}

/** What waiting needs from a discovery. */
export interface Observable {
  readonly membership: Membership;
  /** Aborts when the discovery closes. */
  readonly signal: AbortSignal;
  start(): Promise<Membership>;
  on<E extends keyof DiscoveryEvents>(event: E, listener: (...args: DiscoveryEvents[E]) => void): unknown;
  off<E extends keyof DiscoveryEvents>(event: E, listener: (...args: DiscoveryEvents[E]) => void): unknown;
}

/** How a wait is bounded. */
export interface WaitLimits {
  readonly stableForMs: number;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
}

const WAKE_EVENTS = ['change', 'stale', 'fresh'] as const;

/**
 * Resolve with the membership once `holds(membership)` has been true, through no change of
 * epoch and no failed poll, for `stableForMs`. Starts the discovery if needed.
 */
export function waitUntil(source: Observable, holds: (membership: Membership) => boolean, what: string, limits: WaitLimits): Promise<Membership> {
  if (limits.signal?.aborted) return Promise.reject(limits.signal.reason);
  if (source.signal.aborted) return Promise.reject(new ClosedError());
  return new Promise<Membership>((resolve, reject) => {
    let stableTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const check = (): void => {
      clearTimeout(stableTimer);
      const membership = source.membership;
      if (!holds(membership)) return;
      if (limits.stableForMs === 0) return finish(() => resolve(membership));
      stableTimer = setTimeout(() => {
        if (source.membership === membership || (source.membership.epoch === membership.epoch && holds(source.membership))) finish(() => resolve(source.membership));
        else check();
      }, limits.stableForMs);
    };
    const onAbort = (): void => finish(() => reject(limits.signal?.reason));
    const onClose = (): void => finish(() => reject(new ClosedError('The discovery was closed while waiting.')));
    const finish = (settle: () => void): void => {
      clearTimeout(stableTimer);
      clearTimeout(deadline);
      for (const event of WAKE_EVENTS) source.off(event, check);
      limits.signal?.removeEventListener('abort', onAbort);
      source.signal.removeEventListener('abort', onClose);
      settle();
    };
    if (limits.timeoutMs !== undefined) {
      const timeoutMs = limits.timeoutMs;
      deadline = setTimeout(() => finish(() => reject(new WaitTimeoutError(`Waited ${timeoutMs} ms for ${what}; the membership is ${summarize(source.membership)}.`))), timeoutMs);
    }
    for (const event of WAKE_EVENTS) source.on(event, check);
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    source.signal.addEventListener('abort', onClose, { once: true });
    source.start().then(check, (error: unknown) => finish(() => reject(error)));
  });
}

/** A one-line description of a membership for messages. */
export function summarize(membership: Membership): string {
  if (membership.updatedAt === 0) return membership.stale ? 'unknown (every poll failed so far)' : 'not observed yet';
  const peers = membership.peers.map((peer) => `${peer.name}${peer.ready ? '' : ' (not ready)'}`).join(', ') || 'empty';
  return `${peers}${membership.stale ? ', stale' : ''}`;
}

/** Validate `waitFor` options and build its condition. `members` picks the members of a membership. */
export function waitForCondition(
  options: WaitForOptions,
  members: (membership: Membership) => readonly Peer[],
  expectedReplicas: number | null,
): { holds: (membership: Membership) => boolean; what: string; limits: WaitLimits } {
  const minPeers = integerIn('minPeers', options.minPeers, WAIT_DEFAULTS.minPeers, 0, 100_000);
  if (options.quorum !== undefined && typeof options.quorum !== 'boolean') {
    throw new InvalidOptionError('quorum', 'expected true or false.');
  }
  if (options.quorum && expectedReplicas === null) {
    throw new InvalidOptionError('quorum', 'a quorum is a majority of expectedReplicas; expected the expectedReplicas option (or HEADLESS_DISCOVERY_EXPECTED_REPLICAS) to be set.');
  }
  const needed = options.quorum && expectedReplicas !== null ? Math.max(minPeers, Math.floor(expectedReplicas / 2) + 1) : minPeers;
  return {
    holds: (membership) => membership.updatedAt > 0 && !membership.stale && members(membership).length >= needed,
    what: `at least ${needed} member${needed === 1 ? '' : 's'}${options.quorum ? ' (a quorum)' : ''}`,
    limits: resolveLimits(options, WAIT_DEFAULTS.stableForMs),
  };
}

/** Validate the bounds shared by every wait. */
export function resolveLimits(options: { stableForMs?: number; timeoutMs?: number; signal?: AbortSignal }, defaultStableForMs: number): WaitLimits {
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidOptionError('signal', 'expected an AbortSignal.');
  }
  return {
    stableForMs: integerIn('stableForMs', options.stableForMs, defaultStableForMs, 0, 2_147_483_647),
    timeoutMs: options.timeoutMs === undefined ? undefined : integerIn('timeoutMs', options.timeoutMs, 0, 1, 2_147_483_647),
    signal: options.signal,
  };
}
