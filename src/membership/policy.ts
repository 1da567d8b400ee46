/**
 * The rules the reconcile step applies: when a missing peer counts as gone, which peers are
 * members, and how many are expected.
 *
 * @module
 */

/** Membership rules, resolved from the options. */
export interface MembershipPolicy {
  /** A peer leaves only after this many consecutive successful observations without it (≥ 1). */
  readonly leaveAfterPolls: number;
  /** …and only after it has been missing for at least this long. */
  readonly leaveAfterMs: number;
  /**
   * An observation that would remove more than this fraction of the peers at once needs a
   * second observation to confirm it (1 turns the guard off).
   */
  readonly maxRemovalFraction: number;
  /** Whether not-ready peers are members (drive `join`/`leave`) or only ready ones. */
  readonly includeNotReady: boolean;
  /** How many members make the cluster complete, or `null` when unknown. */
  readonly expectedReplicas: number | null;
}
