/**
 * The events a discovery emits and what iteration yields.
 *
 * @module
 */
import type { Split } from '../bootstrap/split';
import type { DiscoveryError } from '../errors';
import type { Membership, MembershipDiff, Peer } from '../membership/types';

/** Events of a {@link Discovery}, with their listener arguments. */
export interface DiscoveryEvents {
  /** A member appeared (with the default `includeNotReady: false`: a peer is seen and ready). */
  join: [peer: Peer];
  /**
   * A member is gone: missing from `leaveAfterPolls` successful polls in a row (or, by default,
   * no longer ready). Never emitted because a lookup failed.
   */
  leave: [peer: Peer];
  /** The same member (same pod name) changed address, port, host, readiness or node. */
  update: [peer: Peer, previous: Peer];
  /**
   * The same member's pod was replaced: the same name with a new UID (a pod deleted and created
   * again). Only a source that knows UIDs (`kubernetes`) tells it; DNS shows it as an `update`.
   */
  replace: [peer: Peer, previous: Peer];
  /**
   * A peer started terminating (or was first seen terminating): it still answers but is on its
   * way out, and is not ready. Only the `kubernetes` source tells it.
   */
  draining: [peer: Peer];
  /** A known peer became ready. */
  ready: [peer: Peer];
  /** A known peer stopped being ready. */
  unready: [peer: Peer];
  /** Anything above happened; emitted once per step, after the individual events. */
  change: [membership: Membership, diff: MembershipDiff];
  /** The seed (the member with ordinal `ordinalStart`) appeared, disappeared or was replaced. */
  seed: [seed: Peer | null, previous: Peer | null];
  /** A poll failed: the membership is kept as last known, `membership.stale` is now true. */
  stale: [membership: Membership];
  /** A poll succeeded after failures: the membership is fresh again. */
  fresh: [membership: Membership];
  /** The membership has been stale for `maxStaleMs` (emitted once per stale period; still no leaves). */
  staleTooLong: [membership: Membership, staleForMs: number];
  /**
   * A split check (`watchSplits()`, or after `bootstrap()`) found members reporting different
   * clusters: `split.groups`, `split.winner` and `split.losers` (the same on every pod that sees
   * the same reports). Emitted after every check that finds one, until it heals; `previous` is the
   * split of the check before, `null` when this one is new.
   */
  split: [split: Split, previous: Split | null];
  /** A split check that reached every ready peer found one cluster again after `previous`. */
  healed: [previous: Split];
  /**
   * A source failed (a `LookupError`: timeout, SERVFAIL, …; a `KubernetesApiError`), a listener
   * threw (`ListenerError`), the first polls found nobody for a reason DNS tells
   * (`MisconfigurationError`), this pod is missing from its own Service (`ERR_SELF_NOT_LISTED`),
   * or DNS listed a host outside the Service's domain (`ERR_FOREIGN_PEER`, once per name). Never
   * fatal: polling continues.
   */
  error: [error: DiscoveryError];
}

/** One item of `for await (const change of discovery)`. */
export interface MembershipChange {
  /** The membership after the change. */
  readonly membership: Membership;
  /** What changed. */
  readonly diff: MembershipDiff;
}

/** Where polling stands, as `discovery.polling` tells it (times in ms since the Unix epoch). */
export interface PollingState {
  /** A poll is running now. */
  readonly inFlight: boolean;
  /** When the last poll started; `null` before the first. */
  readonly lastStartedAt: number | null;
  /** When the last poll ended; `null` before the first ended. */
  readonly lastEndedAt: number | null;
  /** When the next poll is due; `null` while one runs, before `start()`, and after `close()`. */
  readonly nextAt: number | null;
}
