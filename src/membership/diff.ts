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
  replaced: Object.freeze([]),
  becameReady: NONE,
  becameUnready: NONE,
  draining: NONE,
});

/** True when `diff` reports nothing. */
export function isEmptyDiff(diff: MembershipDiff): boolean {
  return (
    diff.joined.length === 0 &&
    diff.left.length === 0 &&
    diff.updated.length === 0 &&
    diff.replaced.length === 0 &&
    diff.becameReady.length === 0 &&
    diff.becameUnready.length === 0 &&
    diff.draining.length === 0
  );
}

/** The peers that count as members: the ready ones, or all of them with `includeNotReady`. */
export function members(peers: readonly Peer[], includeNotReady: boolean): readonly Peer[] {
  return includeNotReady ? peers : peers.filter((peer) => peer.ready);
}

/**
 * What changed from `previous` to `next` (both sorted, both every peer seen). Joins, leaves and
 * updates are computed over the members; a peer present in both with another UID is `replaced`
 * (the pod was re-created), else with different addresses, port, host, readiness or placement
 * `updated`; a change of `sources` alone is neither.
 */
export function diffPeers(previous: readonly Peer[], next: readonly Peer[], includeNotReady = true): MembershipDiff {
  const before = byName(members(previous, includeNotReady));
  const afterMembers = members(next, includeNotReady);
  const after = byName(afterMembers);
  const joined = afterMembers.filter((peer) => !before.has(peer.name));
  const left = [...before.values()].filter((peer) => !after.has(peer.name));
  const updated: PeerUpdate[] = [];
  const replaced: PeerUpdate[] = [];
  for (const peer of afterMembers) {
    const old = before.get(peer.name);
    if (!old) continue;
    if (isReplacement(old, peer)) replaced.push(Object.freeze({ peer, previous: old }));
    else if (!sameObservableState(old, peer)) updated.push(Object.freeze({ peer, previous: old }));
  }

  const seen = byName(previous);
  const becameReady: Peer[] = [];
  const becameUnready: Peer[] = [];
  const draining: Peer[] = [];
  for (const peer of next) {
    const old = seen.get(peer.name);
    if (old && old.ready !== peer.ready) (peer.ready ? becameReady : becameUnready).push(peer);
    if (peer.draining && !(old?.draining && !isReplacement(old, peer))) draining.push(peer);
  }

  const diff: MembershipDiff = { joined, left, updated, replaced, becameReady, becameUnready, draining };
  if (isEmptyDiff(diff)) return EMPTY_DIFF;
  return Object.freeze({
    joined: Object.freeze(joined),
    left: Object.freeze(left),
    updated: Object.freeze(updated),
    replaced: Object.freeze(replaced),
    becameReady: Object.freeze(becameReady),
    becameUnready: Object.freeze(becameUnready),
    draining: Object.freeze(draining),
  });
}

/** The same name with another known UID: the pod was deleted and created again. */
export function isReplacement(previous: Peer, next: Peer): boolean {
  return previous.uid !== null && next.uid !== null && previous.uid !== next.uid;
}

/** Equal in everything a listener reacts to (addresses are compared as sorted lists). */
export function sameObservableState(a: Peer, b: Peer): boolean {
  return (
    a.port === b.port &&
    a.host === b.host &&
    a.ready === b.ready &&
    a.draining === b.draining &&
    a.uid === b.uid &&
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.ordinal === b.ordinal &&
    a.self === b.self &&
    a.addresses.length === b.addresses.length &&
    a.addresses.every((address, index) => address === b.addresses[index])
  );
}

function byName(peers: readonly Peer[]): Map<string, Peer> {
  return new Map(peers.map((peer) => [peer.name, peer]));
}
