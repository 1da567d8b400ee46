/**
 * The reconcile step: previous membership + one observation → next membership + diff.
 * Pure: no clock (the caller passes `now`), no I/O, no events.
 *
 * @module
 */
import type { Observation } from '../sources/observation';
import { diffPeers, EMPTY_DIFF, isEmptyDiff, sameObservableState } from './diff';
import { toPeers, type MembershipContext } from './identity';
import { seedHost, selectSeed } from './seed';
import type { Membership, MembershipDiff, Peer } from './types';

/** The outcome of one reconcile step. */
export interface ReconcileResult {
  readonly membership: Membership;
  readonly diff: MembershipDiff;
  /** True when the seed's identity changed (appeared, disappeared or another pod). */
  readonly seedChanged: boolean;
  /** The seed before this step. */
  readonly previousSeed: Peer | null;
}

/** The membership before the first observation: no peers, not stale, epoch 0. */
export function emptyMembership(context: MembershipContext): Membership {
  return Object.freeze({
    peers: Object.freeze([]),
    seed: null,
    seedHost: seedHost(context),
    self: null,
    epoch: 0,
    stale: false,
    staleSince: null,
    source: null,
    updatedAt: 0,
  });
}

/**
 * Apply one observation. A failed observation keeps every peer and marks the membership stale:
 * a lookup that failed says nothing about who left. A successful one (even an empty one:
 * NXDOMAIN is a real observation) replaces the peers and reports the difference.
 */
export function reconcile(
  previous: Membership,
  observation: Observation,
  context: MembershipContext,
  now: number,
): ReconcileResult {
  if (!observation.ok) {
    const membership = previous.stale ? previous : Object.freeze({ ...previous, stale: true, staleSince: now });
    return { membership, diff: EMPTY_DIFF, seedChanged: false, previousSeed: previous.seed };
  }

  const next = keepUnchanged(previous.peers, toPeers(observation, context));
  const diff = diffPeers(previous.peers, next);
  const seed = selectSeed(next, context.ordinalStart);
  const seedChanged = (seed?.name ?? null) !== (previous.seed?.name ?? null);
  const changed = !isEmptyDiff(diff) || seedChanged;
  const membership: Membership = Object.freeze({
    peers: changed ? next : previous.peers,
    seed: changed ? seed : previous.seed,
    seedHost: previous.seedHost,
    self: changed ? (next.find((peer) => peer.self) ?? null) : previous.self,
    epoch: changed ? previous.epoch + 1 : previous.epoch,
    stale: false,
    staleSince: null,
    source: observation.source,
    updatedAt: now,
  });
  return { membership, diff, seedChanged, previousSeed: previous.seed };
}

/**
 * Reuse the previous object of every peer that did not change, so identity comparisons
 * (`===`) hold across snapshots and unchanged peers cost no new allocation downstream.
 */
function keepUnchanged(previous: readonly Peer[], next: readonly Peer[]): readonly Peer[] {
  const before = new Map(previous.map((peer) => [peer.name, peer]));
  return Object.freeze(
    next.map((peer) => {
      const old = before.get(peer.name);
      if (old && sameObservableState(old, peer) && sameSources(old, peer)) return old;
      return Object.freeze({ ...peer, addresses: Object.freeze([...peer.addresses]), sources: Object.freeze([...peer.sources]) });
    }),
  );
}

function sameSources(a: Peer, b: Peer): boolean {
  return a.sources.length === b.sources.length && a.sources.every((source, index) => source === b.sources[index]);
}
