/**
 * What every bootstrap rule reads from the membership and the peers' answers, read once: who the
 * seed is, who is ready, who reports which cluster, and who may be chosen at all (nobody who is
 * draining). Pure.
 *
 * @module
 */
import { deriveStatefulSet, firstLabel, parseOrdinal } from '../names';
import type { Membership, Peer } from '../membership/types';
import type { BootstrapAction, BootstrapDecision, BootstrapInput, ClusterReport } from './types';

/** The membership and the answers, as the rules see them. */
export interface View {
  readonly input: BootstrapInput;
  readonly seedName: string;
  readonly seedHost: string;
  readonly isSeed: boolean;
  readonly selfOrdinal: number | null;
  readonly seed: Peer | null;
  /** Ready peers other than this pod: whom a seed must have asked before it initializes. */
  readonly others: readonly Peer[];
  /** Of `others`, those that may be chosen as target, clone or replication source: not draining. */
  readonly eligible: readonly Peer[];
  /** Of `others`, those that are draining (`Peer.draining`, or their report says `draining`). */
  readonly draining: readonly Peer[];
  /** Peers listed in DNS other than this pod, ready or not. */
  readonly listed: readonly Peer[];
  /** The seed when it is ready and not draining. */
  readonly readySeed: Peer | null;
  /** Ready peers whose answer names a cluster, draining or not: evidence that a cluster exists. */
  readonly reporting: readonly Peer[];
  /** Of `reporting`, the eligible ones: whom a pod may join through. */
  readonly reportingEligible: readonly Peer[];
  /** The primary the answers name (the seed's answer first), and that peer when it is eligible. */
  readonly primaryName: string | undefined;
  readonly primary: Peer | null;
  readonly clusterOf: (peer: Peer) => string | undefined;
}

/** Read the view of `membership` for `input`. */
export function readView(membership: Membership, input: BootstrapInput): View {
  const seedName = firstLabel(membership.seedHost);
  const answerOf = (peer: Peer): ClusterReport | null | undefined => input.reports?.get(peer.name);
  const clusterOf = (peer: Peer): string | undefined => answerOf(peer)?.clusterId;
  const isDraining = (peer: Peer): boolean => peer.draining || answerOf(peer)?.draining === true;
  const others = membership.ready.filter((peer) => peer.name !== input.podName);
  const eligible = others.filter((peer) => !isDraining(peer));
  const readySeed = eligible.find((peer) => peer.name === seedName) ?? null;
  const reporting = others.filter((peer) => clusterOf(peer) !== undefined);
  const listedSeed = others.find((peer) => peer.name === seedName);
  const primaryName = (listedSeed && answerOf(listedSeed)?.primary) || reporting.map((peer) => answerOf(peer)?.primary).find(Boolean);
  return {
    input,
    seedName,
    seedHost: membership.seedHost,
    isSeed: input.podName === seedName,
    selfOrdinal: parseOrdinal(input.podName, deriveStatefulSet(seedName) ?? seedName),
    seed: membership.peers.find((peer) => peer.name === seedName) ?? null,
    others,
    eligible,
    draining: others.filter(isDraining),
    listed: membership.peers.filter((peer) => peer.name !== input.podName),
    readySeed,
    reporting,
    reportingEligible: reporting.filter((peer) => !isDraining(peer)),
    primaryName,
    primary: eligible.find((peer) => peer.name === primaryName) ?? null,
    clusterOf,
  };
}

/** The peers a decision may name. */
export type Picks = Partial<Pick<BootstrapDecision, 'target' | 'cloneFrom' | 'replicateFrom' | 'clusterId'>>;

/** A decision of `action`, naming `picks`. */
export function decision(view: View, action: BootstrapAction, reason: string, picks: Picks = {}): BootstrapDecision {
  return {
    action,
    clusterId: picks.clusterId ?? null,
    seed: view.seed,
    target: picks.target ?? null,
    cloneFrom: picks.cloneFrom ?? null,
    replicateFrom: picks.replicateFrom ?? null,
    reason,
  };
}

/** The peer of `peers` with the highest ordinal below `ordinal` (N-1 when it is there). */
export function nearestLower(peers: readonly Peer[], ordinal: number | null): Peer | null {
  if (ordinal === null) return null;
  let best: Peer | null = null;
  for (const peer of peers) {
    if (peer.ordinal !== null && peer.ordinal < ordinal && (best?.ordinal ?? -1) < peer.ordinal) best = peer;
  }
  return best;
}

/** `kv-1, kv-2`. */
export function names(peers: readonly Peer[]): string {
  return peers.map((peer) => peer.name).join(', ');
}

/** ` (kv-1 is draining)`, or nothing when no ready peer is draining: so a reason says why someone was passed over. */
export function drainingNote(view: View): string {
  const { draining } = view;
  if (draining.length === 0) return '';
  return ` (${names(draining)} ${draining.length === 1 ? 'is' : 'are'} draining: never chosen)`;
}
