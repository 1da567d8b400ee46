/**
 * The bootstrap decision: given the membership (and, optionally, what peers said when asked),
 * should this pod initialize a new cluster, join the existing one, or wait? Pure.
 *
 * The rules follow the deterministic-seed pattern (only the pod with ordinal `ordinalStart` may
 * form a cluster) hardened with "ask peers first": a seed that lost its volume sees the cluster
 * its peers report and rejoins it instead of forming a second one.
 *
 * @module
 */
import { firstLabel } from '../dns/name';
import { deriveStatefulSet, parseOrdinal } from '../membership/identity';
import type { Membership, Peer } from '../membership/types';

/** What a peer (or this pod's own data) says about the cluster it belongs to. */
export interface ClusterReport {
  /** The cluster's identity, when the peer holds one. Absent: the peer is in no cluster (yet). */
  readonly clusterId?: string;
  /** The members the peer knows, for information. */
  readonly members?: readonly string[];
  /** The pod the peer replicates from (the cluster's primary), when the topology has one. */
  readonly primary?: string;
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
   */
  readonly reports?: ReadonlyMap<string, ClusterReport | null>;
  /** What this pod's own data says: a `clusterId` when it already holds data of a cluster. */
  readonly local?: ClusterReport | null;
}

/** What to do. */
export type BootstrapAction = 'initialize' | 'join' | 'wait';

/** The decision, with every peer it names and a human-readable reason. */
export interface BootstrapDecision {
  /** `initialize` a new cluster here, `join` the existing one, or `wait` (see `reason`). */
  readonly action: BootstrapAction;
  /** The cluster to join: what the target (or this pod's own data) reports; `null` for `initialize` and `wait`. */
  readonly clusterId: string | null;
  /** The seed (the peer with ordinal `ordinalStart`), when it is among the peers. */
  readonly seed: Peer | null;
  /** Whom to join (`join`); `null` for `initialize`, `wait`, or a pod that rejoins with its own data and finds nobody up. */
  readonly target: Peer | null;
  /** Whom to copy data from before joining: the nearest lower ready ordinal (N-1 normally). */
  readonly cloneFrom: Peer | null;
  /**
   * Whom to replicate from once joined: the primary the peers report (`ClusterReport.primary`),
   * else the seed, else the target. `null` when this pod is the primary, or when the primary the
   * peers report is this very pod that lost its data (the cluster needs a failover first).
   */
  readonly replicateFrom: Peer | null;
  /** Why, in a sentence an operator can act on. */
  readonly reason: string;
}

/**
 * Decide how this pod takes part in the cluster. Only the seed may initialize, and only when the
 * membership is fresh, no asked peer reports a cluster and every ready peer could be asked;
 * a pod with local data rejoins; everyone else joins (the seed, or with `'any-ready'` any ready
 * member that reports the cluster) and waits while there is nobody to join.
 */
export function decideBootstrap(membership: Membership, input: BootstrapInput): BootstrapDecision {
  const seedName = firstLabel(membership.seedHost);
  const statefulSet = deriveStatefulSet(seedName) ?? seedName;
  const selfOrdinal = parseOrdinal(input.podName, statefulSet);
  const isSeed = input.podName === seedName;
  const seed = membership.peers.find((peer) => peer.name === seedName) ?? null;
  const others = membership.ready.filter((peer) => peer.name !== input.podName);
  const readySeed = others.find((peer) => peer.name === seedName) ?? null;
  const clusterOf = (peer: Peer): string | undefined => input.reports?.get(peer.name)?.clusterId;
  const reporting = others.filter((peer) => clusterOf(peer) !== undefined);
  const primaryName = (readySeed && input.reports?.get(readySeed.name)?.primary) ?? reporting.map((peer) => input.reports?.get(peer.name)?.primary).find(Boolean);
  const primary = others.find((peer) => peer.name === primaryName) ?? null;
  const decision = (action: BootstrapAction, reason: string, picks: Partial<Pick<BootstrapDecision, 'target' | 'cloneFrom' | 'replicateFrom' | 'clusterId'>> = {}): BootstrapDecision => ({
    action,
    clusterId: picks.clusterId ?? null,
    seed,
    target: picks.target ?? null,
    cloneFrom: picks.cloneFrom ?? null,
    replicateFrom: picks.replicateFrom ?? null,
    reason,
  });

  if (membership.updatedAt === 0) return decision('wait', 'no successful DNS observation yet');
  if (membership.stale) return decision('wait', 'DNS lookups are failing: not deciding on the last known membership');

  const localCluster = input.local?.clusterId;
  if (localCluster !== undefined) {
    const target = isSeed ? (reporting.find((peer) => clusterOf(peer) === localCluster) ?? null) : (readySeed ?? reporting[0] ?? null);
    const resumesAsPrimary = isSeed && (primaryName === undefined || primaryName === input.podName);
    return decision('join', `this pod already holds data of cluster ${localCluster}: rejoin it${resumesAsPrimary ? ' as its primary' : ''}`, {
      clusterId: localCluster,
      target,
      replicateFrom: resumesAsPrimary ? null : (primary ?? readySeed ?? target),
    });
  }

  if (isSeed) {
    const existing = reporting[0];
    if (existing) {
      const orphaned = primaryName === input.podName;
      return decision(
        'join',
        `cluster ${clusterOf(existing) ?? ''} already exists (reported by ${names(reporting)}): rejoin it instead of forming a second one` +
          (orphaned ? `; its primary was this pod, whose data is gone: promote a replica (failover) before replicating` : ''),
        { clusterId: clusterOf(existing) ?? null, target: existing, cloneFrom: existing, replicateFrom: orphaned ? null : (primary ?? existing) },
      );
    }
    const unasked = input.reports ? others.filter((peer) => !input.reports?.has(peer.name)) : [];
    if (unasked.length > 0) return decision('wait', `could not ask ${names(unasked)} whether a cluster already exists`);
    const asked = input.reports ? (others.length > 0 ? ` (asked ${names(others)})` : ' (no other peer is ready)') : '';
    return decision('initialize', `this pod is the seed (${seedName}) and no peer reports a cluster${asked}`);
  }

  const target = pickTarget(input.joinPolicy ?? 'seed', readySeed, reporting, others, input.reports !== undefined);
  if (!target.peer) return decision('wait', target.waiting);
  const cloneFrom = nearestLower(others, selfOrdinal) ?? target.peer;
  return decision('join', target.reason, {
    clusterId: clusterOf(target.peer) ?? null,
    target: target.peer,
    cloneFrom,
    replicateFrom: primary ?? readySeed ?? target.peer,
  });

  function pickTarget(
    policy: JoinPolicy,
    ready: Peer | null,
    withCluster: readonly Peer[],
    candidates: readonly Peer[],
    asked: boolean,
  ): { peer: Peer | null; reason: string; waiting: string } {
    const seedText = `the seed ${seedName} (${membership.seedHost})`;
    if (policy === 'seed') {
      if (!ready) return { peer: null, reason: '', waiting: `waiting for ${seedText} to be ready` };
      if (asked && clusterOf(ready) === undefined) return { peer: null, reason: '', waiting: `${seedText} is up but reports no cluster yet` };
      return { peer: ready, reason: `join ${seedText}`, waiting: '' };
    }
    const pool = asked ? withCluster : candidates;
    const peer = pool.find((candidate) => candidate.name === seedName) ?? pool[0] ?? null;
    if (!peer) return { peer: null, reason: '', waiting: asked ? 'waiting for a ready member that reports the cluster' : 'waiting for a ready member' };
    return { peer, reason: `join ${peer.name}${peer.name === seedName ? ' (the seed)' : ', a ready member'}`, waiting: '' };
  }
}

/** The ready peer with the highest ordinal below `ordinal` (N-1 when it is ready). */
function nearestLower(peers: readonly Peer[], ordinal: number | null): Peer | null {
  if (ordinal === null) return null;
  let best: Peer | null = null;
  for (const peer of peers) {
    if (peer.ordinal !== null && peer.ordinal < ordinal && (best?.ordinal ?? -1) < peer.ordinal) best = peer;
  }
  return best;
}

function names(peers: readonly Peer[]): string {
  return peers.map((peer) => peer.name).join(', ');
}
