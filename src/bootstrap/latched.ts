/**
 * The bootstrap rule for a pod whose volume holds a formed latch: it has been a member of the
 * cluster the latch names, so it never initializes again. It rejoins that cluster through a peer
 * that reports it; finding nobody up, it resumes from its own data (a full restart); with its
 * data gone it waits for a peer of its cluster to clone from; and when its peers report another
 * cluster, it waits for an operator rather than choose. Pure.
 *
 * @module
 */
import type { Peer } from '../membership/types';
import type { LatchRecord } from './latch';
import type { BootstrapDecision } from './types';
import { decision, drainingNote, names, nearestLower, type View } from './view';

/** Decide for a pod with the latch `latch`. */
export function decideWithLatch(view: View, latch: LatchRecord): BootstrapDecision {
  const { input, isSeed } = view;
  const clusterId = latch.clusterId;
  const latched = `this pod's formed latch says it has been a member of cluster ${clusterId}`;
  const own = input.local?.clusterId;
  if (own !== undefined && own !== clusterId) {
    return decision(
      view,
      'wait',
      `${latched}, but its own data holds cluster ${own}: not choosing between them. Restore the data of ${clusterId}, or delete the latch if the data is right`,
    );
  }
  const asked = input.reports !== undefined;
  const ofCluster = asked ? view.reportingEligible.filter((peer) => view.clusterOf(peer) === clusterId) : view.eligible;
  const elsewhere = view.reporting.filter((peer) => view.clusterOf(peer) !== clusterId);
  const dataGone = input.local !== undefined && own === undefined;
  const unasked = asked ? '' : ' (not asked whether it holds the cluster: no probe)';
  // The seed rejoins through a peer that says it holds the cluster; asking nobody, it has nobody to go through.
  const through = isSeed ? (asked ? (ofCluster[0] ?? null) : null) : (ofCluster.find((peer) => peer.name === view.seedName) ?? ofCluster[0] ?? null);
  const elsewhereNote = elsewhere.length > 0 ? `; ${reportsOf(view, elsewhere)}` : '';

  if (dataGone) {
    if (!through) {
      const why = asked ? `no ready peer that is not draining reports cluster ${clusterId}` : 'without a probe no peer can be asked for it';
      return decision(
        view,
        'wait',
        `${latched}, but its own data holds none (lost?), and ${why}${elsewhereNote}${drainingNote(view)}: waiting for a member of ${clusterId} to clone from; a pod with a latch never initializes again`,
      );
    }
    const orphaned = view.primaryName === input.podName;
    return decision(
      view,
      'join',
      `${latched}, but its own data holds none (lost?): rejoin it through ${through.name}${unasked}, cloning its data first` +
        (orphaned ? '; its primary was this pod, whose data is gone: promote a replica (failover) before replicating' : ''),
      {
        clusterId,
        target: through,
        cloneFrom: nearestLower(ofCluster, view.selfOrdinal) ?? through,
        replicateFrom: orphaned ? null : (view.primary ?? view.readySeed ?? through),
      },
    );
  }

  if (!through && elsewhere.length > 0) {
    return decision(
      view,
      'wait',
      `${latched}, and ${reportsOf(view, elsewhere)} instead: it neither joins another cluster nor resumes ${clusterId} next to it. ` +
        `Delete the latch (and the data) of this pod if it must join the other cluster`,
    );
  }
  const resumesAsPrimary = isSeed && (view.primaryName === undefined || view.primaryName === input.podName);
  const checked = input.local === undefined ? ' (its own data was not checked: no local)' : '';
  const nobody = asked ? `no ready peer reports it${drainingNote(view)}` : view.eligible.length > 0 ? 'nobody was asked which cluster they hold (no probe)' : 'no ready peer is up';
  const how = through ? `rejoin it through ${through.name}${unasked}` : `${nobody}: resume it from its own data`;
  return decision(view, 'join', `${latched}${checked}: ${how}${resumesAsPrimary ? ' as its primary' : ''}`, {
    clusterId,
    target: through,
    replicateFrom: resumesAsPrimary ? null : (view.primary ?? view.readySeed ?? through),
  });
}

/** `kv-2, kv-3 report cluster c-2`. */
function reportsOf(view: View, peers: readonly Peer[]): string {
  const byCluster = new Map<string, Peer[]>();
  for (const peer of peers) {
    const id = view.clusterOf(peer) ?? '';
    byCluster.set(id, [...(byCluster.get(id) ?? []), peer]);
  }
  return [...byCluster]
    .map(([id, members]) => `${names(members)} ${members.length === 1 ? 'reports' : 'report'} cluster ${id}`)
    .join(', ');
}
