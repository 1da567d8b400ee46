/**
 * Leave hysteresis: a peer missing from one answer is not gone. It leaves only after it has
 * been missing from `leaveAfterPolls` consecutive successful observations and for at least
 * `leaveAfterMs`; an answer that would remove most of the cluster at once needs confirmation.
 *
 * @module
 */
import type { MembershipPolicy } from './policy';
import type { Peer } from './types';

/** How long a peer has been missing from successful observations. */
export interface Absence {
  /** Consecutive complete observations without the peer (0: missing only from partial ones so far). */
  readonly polls: number;
  /** When the first of them was made (ms since the Unix epoch). */
  readonly since: number;
}

/** The outcome of counting one observation's absences. */
export interface AbsenceStep {
  /** Absences of the peers that are still missing but not gone yet. */
  readonly absences: ReadonlyMap<string, Absence>;
  /** Peers missing long enough to leave now. */
  readonly departed: ReadonlySet<string>;
}

/**
 * Count absences after a successful observation that saw `present`. A peer seen again loses its
 * absence (it never left). When more than `maxRemovalFraction` of `known` is missing at once,
 * at least two consecutive observations are required, whatever `leaveAfterPolls` says.
 */
export function countAbsences(
  known: readonly Peer[],
  present: ReadonlySet<string>,
  previous: ReadonlyMap<string, Absence>,
  policy: MembershipPolicy,
  now: number,
): AbsenceStep {
  const missing = known.filter((peer) => !present.has(peer.name));
  const massRemoval = missing.length > policy.maxRemovalFraction * known.length;
  const required = massRemoval ? Math.max(policy.leaveAfterPolls, 2) : policy.leaveAfterPolls;
  const absences = new Map<string, Absence>();
  const departed = new Set<string>();
  for (const peer of missing) {
    const before = counted(previous.get(peer.name));
    const absence: Absence = { polls: (before?.polls ?? 0) + 1, since: before?.since ?? now };
    if (absence.polls >= required && now - absence.since >= policy.leaveAfterMs) departed.add(peer.name);
    else absences.set(peer.name, absence);
  }
  return { absences, departed };
}

/**
 * After a partial observation (it may not list everyone): a peer it left out is kept, its
 * absence neither counted nor forgotten, since nothing proved it gone; a peer it saw is present.
 */
export function holdAbsences(known: readonly Peer[], present: ReadonlySet<string>, previous: ReadonlyMap<string, Absence>, now: number): ReadonlyMap<string, Absence> {
  const absences = new Map<string, Absence>();
  for (const peer of known) {
    if (present.has(peer.name)) continue;
    absences.set(peer.name, previous.get(peer.name) ?? { polls: 0, since: now });
  }
  return absences;
}

/** An absence that counts: one with at least one complete observation behind it. */
function counted(absence: Absence | undefined): Absence | undefined {
  return absence && absence.polls > 0 ? absence : undefined;
}
