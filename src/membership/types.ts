/**
 * The shapes of membership: peers, the immutable snapshot, and the diff between two snapshots.
 *
 * @module
 */

/** Where a peer was seen. `srv` and `address` are the DNS sources of this release. */
export type SourceName = 'srv' | 'address';

/** One member of the cluster, identified by its pod name (never by its IP). */
export interface Peer {
  /**
   * Identity: the pod name (`mysql-1`) when DNS names the endpoint, else the endpoint's first
   * address for an endpoint that has no name (a pod without a hostname and without a PTR).
   */
  readonly name: string;
  /** The StatefulSet ordinal parsed strictly from `name`, or `null` when the name has none. */
  readonly ordinal: number | null;
  /** The peer's DNS name without the trailing dot (`mysql-1.mysql.default.svc.cluster.local`), or `null` when it has none. */
  readonly host: string | null;
  /** IPv4 and IPv6 addresses, sorted (IPv4 first). */
  readonly addresses: readonly string[];
  /** The port from SRV, or the numeric `port` option; `null` when neither is known. */
  readonly port: number | null;
  /** Whether the peer is ready. Kubernetes DNS lists only ready pods unless the Service publishes not-ready addresses. */
  readonly ready: boolean;
  /** True for the pod this process runs in. */
  readonly self: boolean;
  /** Which sources saw this peer in the observation that produced the snapshot. */
  readonly sources: readonly SourceName[];
}

/** An immutable snapshot of the cluster as last observed. */
export interface Membership {
  /** Peers sorted by ordinal (peers without one last), then by name. */
  readonly peers: readonly Peer[];
  /** The peer whose ordinal is `ordinalStart`, when present. */
  readonly seed: Peer | null;
  /** The seed's predicted DNS name, always known, so a joiner knows whom to wait for. */
  readonly seedHost: string;
  /** This pod, when it is among the peers. */
  readonly self: Peer | null;
  /** Increases by one every time the peers (or the seed) change. 0 before the first observation. */
  readonly epoch: number;
  /** True while the last poll failed: the peers are the last known ones, not a fresh observation. */
  readonly stale: boolean;
  /** When the current stale period began (ms since the Unix epoch), or `null` when fresh. */
  readonly staleSince: number | null;
  /** The source of the last successful observation, `null` before the first one. */
  readonly source: SourceName | null;
  /** When the snapshot was last confirmed by a successful observation (ms since the Unix epoch); 0 before the first. */
  readonly updatedAt: number;
}

/** A peer that stayed but changed (addresses, port, host or readiness). */
export interface PeerUpdate {
  readonly peer: Peer;
  readonly previous: Peer;
}

/** What changed between two snapshots. Every list is sorted like `Membership.peers`. */
export interface MembershipDiff {
  readonly joined: readonly Peer[];
  readonly left: readonly Peer[];
  readonly updated: readonly PeerUpdate[];
}
