/**
 * The seed: the StatefulSet pod whose ordinal is `ordinalStart` — the one that may initialize the
 * cluster, and the one everybody else waits for.
 *
 * @module
 */
import { predictedHost } from '../names';
import type { MembershipContext } from './identity';
import type { Peer } from './types';

/** The peer whose ordinal is `ordinalStart`, or `null` when it is not among `peers`. */
export function selectSeed(peers: readonly Peer[], ordinalStart: number): Peer | null {
  return peers.find((peer) => peer.ordinal === ordinalStart) ?? null;
}

/** The seed's predicted DNS name, known before the seed exists. */
export function seedHost(context: MembershipContext): string {
  return predictedHost(context.statefulSet, context.ordinalStart, context.serviceDomain);
}
