/**
 * The difference between two peer lists, by identity (the pod name).
 *
 * @module
 */
import type { MembershipDiff, Peer, PeerUpdate } from './types';

/** The diff that says nothing changed. */
export const EMPTY_DIFF: MembershipDiff = Object.freeze({
  joined: Object.freeze([]),
  left: Object.freeze([]),
  updated: Object.freeze([]),
});

/** True when `diff` has no joined, left or updated peer. */
export function isEmptyDiff(diff: MembershipDiff): boolean {
  return diff.joined.length === 0 && diff.left.length === 0 && diff.updated.length === 0;
}

/**
 * What changed from `previous` to `next` (both sorted). A peer present in both with different
 * addresses, port, host or readiness is `updated`; a change of `sources` alone is not.
 */
export function diffPeers(previous: readonly Peer[], next: readonly Peer[]): MembershipDiff {
  const before = new Map(previous.map((peer) => [peer.name, peer]));
  const after = new Map(next.map((peer) => [peer.name, peer]));
  const joined = next.filter((peer) => !before.has(peer.name));
  const left = previous.filter((peer) => !after.has(peer.name));
  const updated: PeerUpdate[] = [];
  for (const peer of next) {
    const old = before.get(peer.name);
    if (old && !sameObservableState(old, peer)) updated.push({ peer, previous: old });
  }
  if (joined.length === 0 && left.length === 0 && updated.length === 0) return EMPTY_DIFF;
  return Object.freeze({ joined: Object.freeze(joined), left: Object.freeze(left), updated: Object.freeze(updated) });
}

/** Equal in everything a listener reacts to (addresses are compared as sorted lists). */
export function sameObservableState(a: Peer, b: Peer): boolean {
  return (
    a.port === b.port &&
    a.host === b.host &&
    a.ready === b.ready &&
    a.ordinal === b.ordinal &&
    a.self === b.self &&
    a.addresses.length === b.addresses.length &&
    a.addresses.every((address, index) => address === b.addresses[index])
  );
}
