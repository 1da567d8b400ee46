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

/**
 * What a step did with one missing peer, and the rule that decided it: `kept` (not gone yet:
 * `leaveAfterPolls` or `leaveAfterMs` not reached, a `partialObservation`, a `failedPoll`),
 * `held` (gone by its own rules, but `maxRemovalFraction` wants a second poll), `removed` (it
 * left now, the last rule it met named).
 */
export interface AbsenceVerdict {
  readonly name: string;
  readonly fate: 'kept' | 'held' | 'removed';
  readonly rule: 'leaveAfterPolls' | 'leaveAfterMs' | 'maxRemovalFraction' | 'partialObservation' | 'failedPoll';
  /** Complete observations in a row without it. */
  readonly polls: number;
  /** The observations it takes to leave (at least 2 under the mass-removal guard). */
  readonly requiredPolls: number;
  /** When it went missing (ms since the Unix epoch). */
  readonly since: number;
}

/** No peer missing: the verdicts of most steps, shared. */
export const NO_VERDICTS: readonly AbsenceVerdict[] = Object.freeze([]);

/** The outcome of counting one observation's absences. */
export interface AbsenceStep {
  /** Absences of the peers that are still missing but not gone yet. */
  readonly absences: ReadonlyMap<string, Absence>;
  /** Peers missing long enough to leave now. */
  readonly departed: ReadonlySet<string>;
  /** Every missing peer's verdict, departed ones included. */
  readonly verdicts: readonly AbsenceVerdict[];
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
  const verdicts: AbsenceVerdict[] = [];
  for (const peer of missing) {
    const before = counted(previous.get(peer.name));
    const absence: Absence = { polls: (before?.polls ?? 0) + 1, since: before?.since ?? now };
    const { fate, rule } = judge(absence, required, now - absence.since >= policy.leaveAfterMs, policy);
    if (fate === 'removed') departed.add(peer.name);
    else absences.set(peer.name, absence);
    verdicts.push({ name: peer.name, fate, rule, polls: absence.polls, requiredPolls: required, since: absence.since });
  }
  return { absences, departed, verdicts: verdicts.length === 0 ? NO_VERDICTS : verdicts };
}

/** What becomes of a peer missing as `absence` says, when `required` polls make it leave and `timeMet` says whether `leaveAfterMs` has passed. */
function judge(absence: Absence, required: number, timeMet: boolean, policy: MembershipPolicy): Pick<AbsenceVerdict, 'fate' | 'rule'> {
  // Removed: the rule met last decided (the count, reached at this poll, or else the time).
  if (absence.polls >= required && timeMet) return { fate: 'removed', rule: absence.polls === required ? 'leaveAfterPolls' : 'leaveAfterMs' };
  // Gone by its own rules, but the mass-removal guard asks for one more poll.
  if (absence.polls >= policy.leaveAfterPolls && timeMet) return { fate: 'held', rule: 'maxRemovalFraction' };
  return { fate: 'kept', rule: absence.polls < policy.leaveAfterPolls || timeMet ? 'leaveAfterPolls' : 'leaveAfterMs' };
}

/** The verdicts of a step that proves no absence (`partialObservation`, `failedPoll`): every missing peer kept. */
export function keptVerdicts(absences: ReadonlyMap<string, Absence>, policy: MembershipPolicy, rule: 'partialObservation' | 'failedPoll'): readonly AbsenceVerdict[] {
  if (absences.size === 0) return NO_VERDICTS;
  return [...absences].map(([name, absence]) => ({ name, fate: 'kept', rule, polls: absence.polls, requiredPolls: policy.leaveAfterPolls, since: absence.since }));
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
