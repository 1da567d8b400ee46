/**
 * The shapes of membership: peers, the immutable snapshot, the diff between two snapshots, and
 * the names of the sources a peer can be seen by.
 *
 * @module
 */

/**
 * Where a peer was seen: `kubernetes` (the Service's EndpointSlices, from the Kubernetes API),
 * `srv` (the named port's SRV record), `address` (A/AAAA of the Service name), `ordinals` (the
 * predicted per-pod names `<sts>-<i>.<service>…`) or `static` (a configured list). The source
 * registry (`sources/registry.ts`) has exactly these keys: the compiler checks it both ways.
 */
export type SourceName = 'kubernetes' | 'srv' | 'address' | 'ordinals' | 'static';

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
  /**
   * Whether the peer is ready. With the `readiness` option, the probe's verdict (`false` until it
   * first succeeds); else what the `kubernetes` source read from the EndpointSlice (the pod's
   * Ready condition, and not terminating); else `true` for every peer DNS lists (Kubernetes DNS
   * lists only ready pods unless the Service sets `publishNotReadyAddresses`).
   */
  readonly ready: boolean;
  /**
   * The pod is terminating (`conditions.terminating` of its EndpointSlice): on its way out, never
   * ready. Only the `kubernetes` source can tell; `false` otherwise.
   */
  readonly draining: boolean;
  /** The pod's UID, when the source knows it (the `kubernetes` source): a new UID under the same name is a replaced pod. */
  readonly uid: string | null;
  /** The node the pod runs on, when the source knows it (the `kubernetes` source). */
  readonly nodeName: string | null;
  /** The pod's zone (its node's `topology.kubernetes.io/zone`), when the source knows it. */
  readonly zone: string | null;
  /** True for the pod this process runs in. */
  readonly self: boolean;
  /**
   * Which sources saw this peer in the latest successful observation. Empty while the peer is
   * missing but not yet gone (within the `leaveAfterPolls` / `leaveAfterMs` window).
   */
  readonly sources: readonly SourceName[];
}

/** Whether the membership has every replica it was told to expect (`expectedReplicas`). */
export type Completeness = 'complete' | 'degraded' | 'unknown';

/** An immutable snapshot of the cluster as last observed. */
export interface Membership {
  /** Everyone seen, ready or not, sorted by ordinal (peers without one last), then by name. */
  readonly peers: readonly Peer[];
  /** The ready subset of `peers`, in the same order. */
  readonly ready: readonly Peer[];
  /**
   * The member (see `includeNotReady`) whose ordinal is `ordinalStart`, when present: with the
   * default, the seed must be ready to count.
   */
  readonly seed: Peer | null;
  /** The seed's predicted DNS name, always known, so a joiner knows whom to wait for. */
  readonly seedHost: string;
  /** This pod, when it is among the peers. */
  readonly self: Peer | null;
  /** Increases by one every time the peers (or the seed) change. 0 before the first observation. */
  readonly epoch: number;
  /**
   * `complete` when the members (see `includeNotReady`) number at least `expectedReplicas`,
   * `degraded` when fewer (the discovery then polls at `fastIntervalMs`), `unknown` without
   * `expectedReplicas`.
   */
  readonly completeness: Completeness;
  /** The `expectedReplicas` option (or its environment variable), or `null`. */
  readonly expectedReplicas: number | null;
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
  /** The peer as it is now. */
  readonly peer: Peer;
  /** The same peer before the change. */
  readonly previous: Peer;
}

/**
 * What changed between two snapshots. Every list is sorted like `Membership.peers`.
 * `joined`, `left`, `updated` and `replaced` are about the members: the ready peers by default,
 * every peer with `includeNotReady: true`. `becameReady` and `becameUnready` list readiness
 * transitions of peers known before and after; `draining` the peers seen terminating for the
 * first time.
 */
export interface MembershipDiff {
  /** Members that appeared. */
  readonly joined: readonly Peer[];
  /** Members that are gone (as they were last seen). */
  readonly left: readonly Peer[];
  /** Members that stayed but changed. */
  readonly updated: readonly PeerUpdate[];
  /** Members whose pod was replaced: the same name with a new UID (not in `updated`). */
  readonly replaced: readonly PeerUpdate[];
  /** Known peers that became ready. */
  readonly becameReady: readonly Peer[];
  /** Known peers that stopped being ready. */
  readonly becameUnready: readonly Peer[];
  /** Peers that started terminating (or were first seen terminating). */
  readonly draining: readonly Peer[];
}
