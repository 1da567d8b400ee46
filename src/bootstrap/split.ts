/**
 * Split detection after formation: given what the members report, are they in more than one
 * cluster, and which side loses? Pure, and the same on every pod that sees the same reports.
 *
 * The rule ranks the groups (one per reported `clusterId`) and the first one wins:
 *
 * 1. the group that contains the seed (the pod whose ordinal is `ordinalStart`) wins;
 * 2. among groups without the seed, the group whose lowest member ordinal is lowest wins (a
 *    member without an ordinal ranks after every ordinal);
 * 3. then the group whose alphabetically first member name comes first, then the lowest
 *    `clusterId`: every member is in exactly one group, so this never ties.
 *
 * Every other group is a loser. With two clusters, that is one loser: the group without the
 * seed, or, when neither has it, the group whose lowest ordinal is higher. Sizes are not
 * compared: a majority can tie, and changes with every scale-up, while this rule needs nothing
 * but the reports and names the same loser from every pod. It does not say which side holds the
 * right data, only which side steps down, so that every pod agrees.
 *
 * @module
 */
import { deriveStatefulSet, firstLabel, parseOrdinal } from '../names';
import type { ClusterReport } from './types';

/** The members that report one cluster. */
export interface SplitGroup {
  /** The cluster they report. */
  readonly clusterId: string;
  /** Their pod names, sorted by ordinal (names without one last), then by name. */
  readonly members: readonly string[];
}

/** Members report more than one cluster: the groups, ranked, and who loses. */
export interface Split {
  /** Every group, ranked: the winner first, then the losers in rank order. */
  readonly groups: readonly SplitGroup[];
  /** The group that stays: the first of `groups`. */
  readonly winner: SplitGroup;
  /** Every other group: with two clusters, the one loser. Never contains the seed while the seed is in a group. */
  readonly losers: readonly SplitGroup[];
  /** One sentence for logs and operators: the groups, and why the winner wins. */
  readonly reason: string;
}

/** What {@link detectSplit} needs besides the reports: the seed's predicted DNS name (a `Membership` has it). */
export interface SplitContext {
  /** The seed's DNS name, e.g. `kv-0.kv.default.svc.cluster.local` (`membership.seedHost`). */
  readonly seedHost: string;
}

/**
 * The split the `reports` show (pod name → its report, `null` for a pod in no cluster), or
 * `null` when every report that names a cluster names the same one. Pods in no cluster (joining,
 * wiped) belong to no group. The order of the map does not matter.
 */
export function detectSplit(reports: ReadonlyMap<string, ClusterReport | null | undefined>, context: SplitContext): Split | null {
  const byCluster = new Map<string, string[]>();
  for (const [name, report] of reports) {
    const clusterId = report?.clusterId;
    if (typeof clusterId !== 'string') continue;
    const members = byCluster.get(clusterId);
    if (members) members.push(name);
    else byCluster.set(clusterId, [name]);
  }
  if (byCluster.size < 2) return null;
  const seedName = firstLabel(context.seedHost);
  const statefulSet = deriveStatefulSet(seedName) ?? seedName;
  const ordinalOf = (name: string): number => parseOrdinal(name, statefulSet) ?? Number.POSITIVE_INFINITY;
  const byMember = (a: string, b: string): number => compareNumbers(ordinalOf(a), ordinalOf(b)) || (a < b ? -1 : a > b ? 1 : 0);
  const ranked = [...byCluster]
    .map(([clusterId, members]) => {
      const sorted = [...new Set(members)].sort(byMember);
      return { clusterId, members: sorted, hasSeed: sorted.includes(seedName), lowest: ordinalOf(sorted[0] as string), first: [...sorted].sort()[0] as string };
    })
    .sort(
      (a, b) =>
        Number(b.hasSeed) - Number(a.hasSeed) ||
        compareNumbers(a.lowest, b.lowest) ||
        (a.first < b.first ? -1 : a.first > b.first ? 1 : 0) ||
        (a.clusterId < b.clusterId ? -1 : 1),
    );
  const groups: SplitGroup[] = ranked.map(({ clusterId, members }) => Object.freeze({ clusterId, members: Object.freeze(members) }));
  const [winner, ...losers] = groups as [SplitGroup, ...SplitGroup[]];
  const top = ranked[0] as (typeof ranked)[number];
  const why = top.hasSeed
    ? `it has the seed ${seedName}`
    : Number.isFinite(top.lowest)
      ? `no group has the seed ${seedName}, and it has the lowest ordinal (${top.members[0] ?? ''})`
      : `no group has the seed ${seedName} or an ordinal, and it has the first name (${top.first})`;
  const list = groups.map((group) => `${group.clusterId} (${group.members.join(', ')})`).join(', ');
  const reason = `members report ${groups.length} clusters: ${list}; ${winner.clusterId} wins because ${why}, so ${losers.map((group) => group.clusterId).join(', ')} ${losers.length === 1 ? 'loses' : 'lose'}`;
  return Object.freeze({ groups: Object.freeze(groups), winner, losers: Object.freeze(losers), reason });
}

/** Ascending, with infinities equal to each other (NaN-free, unlike `a - b`). */
function compareNumbers(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
