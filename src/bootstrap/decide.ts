/**
 * The bootstrap decision: given the membership (and, optionally, what peers said when asked),
 * should this pod initialize a new cluster, join the existing one, or wait? Pure.
 *
 * The rules follow the deterministic-seed pattern (only the pod with ordinal `ordinalStart` may
 * form a cluster) hardened with "ask peers first": a seed that lost its volume sees the cluster
 * its peers report and rejoins it instead of forming a second one. Nothing is assumed: a seed
 * that asked nobody initializes only when it is the only pod listed and its own data is known to
 * be empty (or when told to assume it, `assumeNoCluster`), and every reason says what was checked.
 *
 * @module
 */
import { deriveStatefulSet, firstLabel, parseOrdinal } from '../names';
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
  /**
   * What this pod's own data says: a `clusterId` when it already holds data of a cluster, `null`
   * (or no `clusterId`) when it holds none. Absent: not checked, which a seed that asked nobody
   * does not initialize on.
   */
  readonly local?: ClusterReport | null;
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
  const view = readView(membership, input);
  if (membership.updatedAt === 0) return decision(view, 'wait', 'no successful DNS observation yet');
  if (membership.stale) return decision(view, 'wait', 'DNS lookups are failing: not deciding on the last known membership');
  const localCluster = input.local?.clusterId;
  if (localCluster !== undefined) return rejoinWithData(view, localCluster);
  return view.isSeed ? decideAsSeed(view) : decideAsJoiner(view);
}

/** What every rule needs, read once from the membership and the answers. */
interface View {
  readonly input: BootstrapInput;
  readonly seedName: string;
  readonly seedHost: string;
  readonly isSeed: boolean;
  readonly selfOrdinal: number | null;
  readonly seed: Peer | null;
  /** Ready peers other than this pod. */
  readonly others: readonly Peer[];
  /** Peers listed in DNS other than this pod, ready or not. */
  readonly listed: readonly Peer[];
  readonly readySeed: Peer | null;
  /** Ready peers whose answer names a cluster. */
  readonly reporting: readonly Peer[];
  /** The primary the answers name (the seed's answer first), and that peer when it is ready. */
  readonly primaryName: string | undefined;
  readonly primary: Peer | null;
  readonly clusterOf: (peer: Peer) => string | undefined;
}

function readView(membership: Membership, input: BootstrapInput): View {
  const seedName = firstLabel(membership.seedHost);
  const others = membership.ready.filter((peer) => peer.name !== input.podName);
  const readySeed = others.find((peer) => peer.name === seedName) ?? null;
  const answerOf = (peer: Peer): ClusterReport | null | undefined => input.reports?.get(peer.name);
  const clusterOf = (peer: Peer): string | undefined => answerOf(peer)?.clusterId;
  const reporting = others.filter((peer) => clusterOf(peer) !== undefined);
  const primaryName = (readySeed && answerOf(readySeed)?.primary) || reporting.map((peer) => answerOf(peer)?.primary).find(Boolean);
  return {
    input,
    seedName,
    seedHost: membership.seedHost,
    isSeed: input.podName === seedName,
    selfOrdinal: parseOrdinal(input.podName, deriveStatefulSet(seedName) ?? seedName),
    seed: membership.peers.find((peer) => peer.name === seedName) ?? null,
    others,
    listed: membership.peers.filter((peer) => peer.name !== input.podName),
    readySeed,
    reporting,
    primaryName,
    primary: others.find((peer) => peer.name === primaryName) ?? null,
    clusterOf,
  };
}

type Picks = Partial<Pick<BootstrapDecision, 'target' | 'cloneFrom' | 'replicateFrom' | 'clusterId'>>;

function decision(view: View, action: BootstrapAction, reason: string, picks: Picks = {}): BootstrapDecision {
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

/** This pod holds data of a cluster: it rejoins it (as its primary, when it is the seed and nobody says otherwise). */
function rejoinWithData(view: View, clusterId: string): BootstrapDecision {
  const { isSeed, reporting, readySeed, primaryName } = view;
  const target = isSeed ? (reporting.find((peer) => view.clusterOf(peer) === clusterId) ?? null) : (readySeed ?? reporting[0] ?? null);
  const resumesAsPrimary = isSeed && (primaryName === undefined || primaryName === view.input.podName);
  return decision(view, 'join', `this pod already holds data of cluster ${clusterId}: rejoin it${resumesAsPrimary ? ' as its primary' : ''}`, {
    clusterId,
    target,
    replicateFrom: resumesAsPrimary ? null : (view.primary ?? readySeed ?? target),
  });
}

/** The seed without data: rejoin a cluster its peers report, wait if a peer could not be asked, else initialize. */
function decideAsSeed(view: View): BootstrapDecision {
  const { reporting, others, input } = view;
  const existing = reporting[0];
  if (existing) {
    const clusterId = view.clusterOf(existing) ?? null;
    const orphaned = view.primaryName === input.podName;
    return decision(
      view,
      'join',
      `cluster ${clusterId ?? ''} already exists (reported by ${names(reporting)}): rejoin it instead of forming a second one` +
        (orphaned ? '; its primary was this pod, whose data is gone: promote a replica (failover) before replicating' : ''),
      { clusterId, target: existing, cloneFrom: existing, replicateFrom: orphaned ? null : (view.primary ?? existing) },
    );
  }
  if (!input.reports) return decideUnaskedSeed(view);
  const unasked = others.filter((peer) => !input.reports?.has(peer.name));
  if (unasked.length > 0) return decision(view, 'wait', `could not ask ${names(unasked)} whether a cluster already exists`);
  const asked = others.length > 0 ? `asked ${names(others)}, and none reports a cluster` : 'no other peer is ready to ask';
  return decision(view, 'initialize', `this pod is the seed (${view.seedName}); ${asked}; ${ownData(input)}`);
}

/** The seed that asked nobody: initialize only when nobody else is listed and its own data is known empty, or when told to assume. */
function decideUnaskedSeed(view: View): BootstrapDecision {
  const { listed, input } = view;
  const seed = `this pod is the seed (${view.seedName})`;
  if (input.assumeNoCluster) {
    const others = listed.length > 0 ? `${names(listed)} ${listed.length === 1 ? 'is' : 'are'} listed too and` : 'no other pod is listed;';
    return decision(view, 'initialize', `${seed}; ${others} no peer was asked; ${ownData(input)}: assumed that no cluster exists (assumeNoCluster: true)`);
  }
  const known = input.local !== undefined;
  if (listed.length === 0 && known) return decision(view, 'initialize', `${seed}, the only pod listed in DNS (no peer to ask), and ${ownData(input)}`);
  const why =
    listed.length > 0
      ? `${names(listed)} ${listed.length === 1 ? 'is' : 'are'} listed too, and without a probe nobody asked whether ${listed.length === 1 ? 'it holds' : 'they hold'} a cluster`
      : 'it is the only pod listed, but its own data was not checked (no local)';
  return decision(
    view,
    'wait',
    `${seed}, but ${why}: give bootstrap() a probe (decideBootstrap() reports)${listed.length > 0 ? '' : ' or local (null when this pod holds no data)'}, or set assumeNoCluster: true to initialize anyway`,
  );
}

/** What the decision knows of this pod's own data, for its reason. */
function ownData(input: BootstrapInput): string {
  return input.local === undefined ? 'its own data was not checked (no local)' : 'its own data holds no cluster';
}

/** Any other pod: join the seed (or, with `any-ready`, a ready member that reports the cluster), or wait for one. */
function decideAsJoiner(view: View): BootstrapDecision {
  const { readySeed, input } = view;
  const asked = input.reports !== undefined;
  const seedText = `the seed ${view.seedName} (${view.seedHost})`;
  let target: Peer | null;
  let reason: string;
  if ((input.joinPolicy ?? 'seed') === 'seed') {
    if (!readySeed) return decision(view, 'wait', `waiting for ${seedText} to be ready`);
    if (asked && view.clusterOf(readySeed) === undefined) return decision(view, 'wait', `${seedText} is up but reports no cluster yet`);
    target = readySeed;
    reason = `join ${seedText}${asked ? '' : ' (not asked whether it holds a cluster: no probe)'}`;
  } else {
    const pool = asked ? view.reporting : view.others;
    target = pool.find((peer) => peer.name === view.seedName) ?? pool[0] ?? null;
    if (!target) return decision(view, 'wait', asked ? 'waiting for a ready member that reports the cluster' : 'waiting for a ready member');
    reason = `join ${target.name}${target.name === view.seedName ? ' (the seed)' : ', a ready member'}${asked ? ', which reports the cluster' : ' (not asked whether it holds a cluster: no probe)'}`;
  }
  return decision(view, 'join', reason, {
    clusterId: view.clusterOf(target) ?? null,
    target,
    cloneFrom: nearestLower(view.others, view.selfOrdinal) ?? target,
    replicateFrom: view.primary ?? readySeed ?? target,
  });
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
