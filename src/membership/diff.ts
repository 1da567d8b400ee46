/**
 * The difference between two peer lists, by identity (the pod name).
 *
 * @module
 */
import type { MembershipDiff, Peer, PeerUpdate } from './types';

const NONE: readonly Peer[] = Object.freeze([]);

/** The diff that says nothing changed. */
export const EMPTY_DIFF: MembershipDiff = Object.freeze({
  joined: NONE,
  left: NONE,
  updated: Object.freeze([]),
  becameReady: NONE,
  becameUnready: NONE,
});

/** True when `diff` reports nothing. */
export function isEmptyDiff(diff: MembershipDiff): boolean {
  return (
    diff.joined.length === 0 &&
    diff.left.length === 0 &&
    diff.updated.length === 0 &&
    diff.becameReady.length === 0 &&
    diff.becameUnready.length === 0
  );
}

/** The peers that count as members: the ready ones, or all of them with `includeNotReady`. */
export function members(peers: readonly Peer[], includeNotReady: boolean): readonly Peer[] {
  return includeNotReady ? peers : peers.filter((peer) => peer.ready);
}

/**
 * What changed from `previous` to `next` (both sorted, both every peer seen). Joins, leaves and
 * updates are computed over the members; a peer present in both with different addresses,
 * port, host or readiness is `updated`; a change of `sources` alone is not.
 */
export function diffPeers(previous: readonly Peer[], next: readonly Peer[], includeNotReady = true): MembershipDiff {
  const before = byName(members(previous, includeNotReady));
  const afterMembers = members(next, includeNotReady);
  const after = byName(afterMembers);
  const joined = afterMembers.filter((peer) => !before.has(peer.name));
  const left = [...before.values()].filter((peer) => !after.has(peer.name));
  const updated: PeerUpdate[] = [];
  for (const peer of afterMembers) {
    const old = before.get(peer.name);
    if (old && !sameObservableState(old, peer)) updated.push(Object.freeze({ peer, previous: old }));
  }

  const seen = byName(previous);
  const becameReady: Peer[] = [];
  const becameUnready: Peer[] = [];
  for (const peer of next) {
    const old = seen.get(peer.name);
    if (old && old.ready !== peer.ready) (peer.ready ? becameReady : becameUnready).push(peer);
  }

  const diff: MembershipDiff = { joined, left, updated, becameReady, becameUnready };
  if (isEmptyDiff(diff)) return EMPTY_DIFF;
  return Object.freeze({
    joined: Object.freeze(joined),
    left: Object.freeze(left),
    updated: Object.freeze(updated),
    becameReady: Object.freeze(becameReady),
    becameUnready: Object.freeze(becameUnready),
  });
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

function byName(peers: readonly Peer[]): Map<string, Peer> {
  return new Map(peers.map((peer) => [peer.name, peer]));
}
