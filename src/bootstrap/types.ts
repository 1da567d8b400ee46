/**
 * The shapes of the bootstrap decision: what peers report, what the decision takes besides the
 * membership, and what it returns.
 *
 * @module
 */
import type { Peer } from '../membership/types';
import type { LatchRecord } from './latch';

/** What a peer (or this pod's own data) says about the cluster it belongs to. */
export interface ClusterReport {
  /** The cluster's identity, when the peer holds one. Absent: the peer is in no cluster (yet). */
  readonly clusterId?: string;
  /** The members the peer knows, for information. */
  readonly members?: readonly string[];
  /** The pod the peer replicates from (the cluster's primary), when the topology has one. */
  readonly primary?: string;
  /**
   * The peer is shutting down (its app called `discovery.drain()`, on SIGTERM): it is never
   * chosen as a join target, clone source or replication source. Serve
   * `draining: discovery.draining` in your report.
   */
  readonly draining?: boolean;
}

/** How a joining pod picks whom to join. */
export type JoinPolicy = 'seed' | 'any-ready';

/** Inputs of {@link decideBootstrap} besides the membership. */
export interface BootstrapInput {
  /** This pod's name. */
  readonly podName: string;
  /**
   * `'seed'` (default): join the seed only. `'any-ready'`: join any ready member that reports
   * the cluster (the seed first), so joiners are not stuck while the seed is down.
   */
  readonly joinPolicy?: JoinPolicy;
  /**
   * What each asked peer answered: a report, or `null` for "answered: in no cluster". A ready
   * peer missing from the map could not be asked. Without a map, peers are not asked at all.
   * A report with `draining: true` still counts as evidence that its cluster exists, but that
   * peer is never chosen for anything.
   */
  readonly reports?: ReadonlyMap<string, ClusterReport | null>;
  /**
   * What this pod's own data says: a `clusterId` when it already holds data of a cluster, `null`
   * (or no `clusterId`) when it holds none. Absent: not checked, which a seed that asked nobody
   * does not initialize on.
   */
  readonly local?: ClusterReport | null;
  /**
   * This pod's formed latch (`FormedLatch.read()`): the cluster it has been a member of, `null`
   * when its volume holds no latch. A pod with a latch never initializes: it rejoins the cluster
   * the latch names, resumes it when no peer is up (unless `local` says its data is gone: then it
   * waits for a peer of that cluster to clone from), and waits when peers report another cluster.
   * Absent: not read (the same as `null` for the decision, but the reason says so).
   */
  readonly latch?: LatchRecord | null;
  /**
   * Let the seed initialize without `reports` although other pods are listed (or its own data was
   * not checked): it then assumes that no cluster exists, and its reason says so. A seed that lost
   * its volume while its peers hold the data forms a second cluster this way; use it only where
   * that cannot happen (a cache, data rebuilt from elsewhere). Default `false`.
   */
  readonly assumeNoCluster?: boolean;
}

/** What to do. */
export type BootstrapAction = 'initialize' | 'join' | 'wait';

/** The decision, with every peer it names and a human-readable reason. */
export interface BootstrapDecision {
  /** `initialize` a new cluster here, `join` the existing one, or `wait` (see `reason`). */
  readonly action: BootstrapAction;
  /** The cluster to join: what the target (or this pod's own data, or its latch) reports; `null` for `initialize` and `wait`. */
  readonly clusterId: string | null;
  /** The seed (the peer with ordinal `ordinalStart`), when it is among the peers. */
  readonly seed: Peer | null;
  /** Whom to join (`join`); `null` for `initialize`, `wait`, or a pod that rejoins with its own data and finds nobody up. Never a draining peer. */
  readonly target: Peer | null;
  /** Whom to copy data from before joining: the nearest lower ready ordinal (N-1 normally). Never a draining peer. */
  readonly cloneFrom: Peer | null;
  /**
   * Whom to replicate from once joined: the primary the peers report (`ClusterReport.primary`),
   * else the seed, else the target. `null` when this pod is the primary, or when the primary the
   * peers report is this very pod that lost its data (the cluster needs a failover first). Never a
   * draining peer.
   */
  readonly replicateFrom: Peer | null;
  /** Why, in a sentence an operator can act on. */
  readonly reason: string;
}
