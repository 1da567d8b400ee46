/**
 * The bootstrap decision: given the membership (and, optionally, what peers said when asked),
 * should this pod initialize a new cluster, join the existing one, or wait? Pure.
 *
 * The rules follow the deterministic-seed pattern (only the pod with ordinal `ordinalStart` may
 * form a cluster) hardened with "ask peers first": a seed that lost its volume sees the cluster
 * its peers report and rejoins it instead of forming a second one. Nothing is assumed: a seed
 * that asked nobody initializes only when it is the only pod listed and its own data is known to
 * be empty (or when told to assume it, `assumeNoCluster`), and every reason says what was checked.
 * A pod whose volume holds a formed latch never initializes (`latched.ts`), and a draining peer
 * is never chosen for anything.
 *
 * @module
 */
import type { Membership, Peer } from '../membership/types';
import { decideWithLatch } from './latched';
import type { BootstrapDecision, BootstrapInput } from './types';
import { decision, drainingNote, names, nearestLower, readView, type View } from './view';

export type { BootstrapAction, BootstrapDecision, BootstrapInput, ClusterReport, JoinPolicy } from './types';

/**
 * Decide how this pod takes part in the cluster. Only the seed may initialize, and only when the
 * membership is fresh, no asked peer reports a cluster, every ready peer could be asked and its
 * volume holds no formed latch; a pod with local data or a latch rejoins; everyone else joins (the
 * seed, or with `'any-ready'` any ready member that reports the cluster) and waits while there is
 * nobody to join. No decision names a draining peer as `target`, `cloneFrom` or `replicateFrom`.
 */
export function decideBootstrap(membership: Membership, input: BootstrapInput): BootstrapDecision {
  const view = readView(membership, input);
  if (membership.updatedAt === 0) return decision(view, 'wait', 'no successful DNS observation yet');
  if (membership.stale) return decision(view, 'wait', 'DNS lookups are failing: not deciding on the last known membership');
  if (input.latch) return decideWithLatch(view, input.latch);
  const localCluster = input.local?.clusterId;
  if (localCluster !== undefined) return rejoinWithData(view, localCluster);
  return view.isSeed ? decideAsSeed(view) : decideAsJoiner(view);
}

/** This pod holds data of a cluster: it rejoins it (as its primary, when it is the seed and nobody says otherwise). */
function rejoinWithData(view: View, clusterId: string): BootstrapDecision {
  const { isSeed, reportingEligible, readySeed, primaryName } = view;
  const target = isSeed ? (reportingEligible.find((peer) => view.clusterOf(peer) === clusterId) ?? null) : (readySeed ?? reportingEligible[0] ?? null);
  const resumesAsPrimary = isSeed && (primaryName === undefined || primaryName === view.input.podName);
  return decision(view, 'join', `this pod already holds data of cluster ${clusterId}: rejoin it${resumesAsPrimary ? ' as its primary' : ''}${target ? '' : drainingNote(view)}`, {
    clusterId,
    target,
    replicateFrom: resumesAsPrimary ? null : (view.primary ?? readySeed ?? target),
  });
}

/** The seed without data: rejoin a cluster its peers report, wait if a peer could not be asked, else initialize. */
function decideAsSeed(view: View): BootstrapDecision {
  const { reporting, others, input } = view;
  const existing = view.reportingEligible[0];
  if (existing) {
    const clusterId = view.clusterOf(existing) ?? null;
    const orphaned = view.primaryName === input.podName;
    return decision(
      view,
      'join',
      `cluster ${clusterId ?? ''} already exists (reported by ${names(view.reportingEligible)}): rejoin it instead of forming a second one` +
        (orphaned ? '; its primary was this pod, whose data is gone: promote a replica (failover) before replicating' : ''),
      { clusterId, target: existing, cloneFrom: existing, replicateFrom: orphaned ? null : (view.primary ?? existing) },
    );
  }
  if (reporting.length > 0) {
    // Only draining peers say a cluster exists: it does, but they are leaving and cannot take this pod in.
    return decision(
      view,
      'wait',
      `cluster ${view.clusterOf(reporting[0] as Peer) ?? ''} already exists (reported by ${names(reporting)}, draining): waiting for a member of it that is not draining to rejoin through, instead of forming a second one`,
    );
  }
  if (!input.reports) return decideUnaskedSeed(view);
  const unasked = others.filter((peer) => !input.reports?.has(peer.name));
  if (unasked.length > 0) return decision(view, 'wait', `could not ask ${names(unasked)} whether a cluster already exists`);
  const asked = others.length > 0 ? `asked ${names(others)}, and none reports a cluster` : 'no other peer is ready to ask';
  return decision(view, 'initialize', `this pod is the seed (${view.seedName}); ${asked}; ${ownData(view)}`);
}

/** The seed that asked nobody: initialize only when nobody else is listed and its own data is known empty, or when told to assume. */
function decideUnaskedSeed(view: View): BootstrapDecision {
  const { listed, input } = view;
  const seed = `this pod is the seed (${view.seedName})`;
  if (input.assumeNoCluster) {
    const others = listed.length > 0 ? `${names(listed)} ${listed.length === 1 ? 'is' : 'are'} listed too and` : 'no other pod is listed;';
    return decision(view, 'initialize', `${seed}; ${others} no peer was asked; ${ownData(view)}: assumed that no cluster exists (assumeNoCluster: true)`);
  }
  const known = input.local !== undefined;
  if (listed.length === 0 && known) return decision(view, 'initialize', `${seed}, the only pod listed in DNS (no peer to ask), and ${ownData(view)}`);
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

/** What the decision knows of this pod's own data (and latch), for its reason. */
function ownData(view: View): string {
  const { input } = view;
  const data = input.local === undefined ? 'its own data was not checked (no local)' : 'its own data holds no cluster';
  return input.latch === undefined ? data : `${data} and its volume no formed latch`;
}

/** Any other pod: join the seed (or, with `any-ready`, a ready member that reports the cluster), or wait for one. */
function decideAsJoiner(view: View): BootstrapDecision {
  const { readySeed, input } = view;
  const asked = input.reports !== undefined;
  const seedText = `the seed ${view.seedName} (${view.seedHost})`;
  let target: Peer | null;
  let reason: string;
  if ((input.joinPolicy ?? 'seed') === 'seed') {
    if (!readySeed) {
      const drainingSeed = view.draining.some((peer) => peer.name === view.seedName);
      return decision(view, 'wait', drainingSeed ? `${seedText} is draining: waiting for it to come back (joinPolicy 'any-ready' joins another member)` : `waiting for ${seedText} to be ready`);
    }
    if (asked && view.clusterOf(readySeed) === undefined) return decision(view, 'wait', `${seedText} is up but reports no cluster yet`);
    target = readySeed;
    reason = `join ${seedText}${asked ? '' : ' (not asked whether it holds a cluster: no probe)'}`;
  } else {
    const pool = asked ? view.reportingEligible : view.eligible;
    target = pool.find((peer) => peer.name === view.seedName) ?? pool[0] ?? null;
    if (!target) return decision(view, 'wait', `${asked ? 'waiting for a ready member that reports the cluster' : 'waiting for a ready member'}${drainingNote(view)}`);
    reason = `join ${target.name}${target.name === view.seedName ? ' (the seed)' : ', a ready member'}${asked ? ', which reports the cluster' : ' (not asked whether it holds a cluster: no probe)'}`;
  }
  return decision(view, 'join', `${reason}${drainingNote(view)}`, {
    clusterId: view.clusterOf(target) ?? null,
    target,
    cloneFrom: nearestLower(view.eligible, view.selfOrdinal) ?? target,
    replicateFrom: view.primary ?? readySeed ?? target,
  });
}
