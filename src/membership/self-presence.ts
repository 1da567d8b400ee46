/**
 * The readiness chicken-and-egg: a pod whose readiness waits for its peers is not ready, so
 * Kubernetes DNS does not list it, so its peers cannot find it. This notices that this pod has
 * been missing from its own Service for a while, so the discovery can say so once.
 *
 * @module
 */
import type { Membership } from './types';

/** How long this pod has been missing from successful observations. */
export interface SelfPresence {
  readonly missingPolls: number;
  readonly missingSince: number | null;
  /** Set once the absence was reported: it is reported at most once. */
  readonly reported: boolean;
}

/** Before the first observation. */
export const INITIAL_SELF_PRESENCE: SelfPresence = Object.freeze({ missingPolls: 0, missingSince: null, reported: false });

/** Consecutive successful polls without this pod before it is reported… */
export const SELF_MISSING_POLLS = 3;
/** …spanning at least this many poll intervals. */
export const SELF_MISSING_INTERVALS = 3;

/**
 * Update after a successful observation. `report` is true exactly once: the first time this
 * pod (a pod of the StatefulSet) has been missing from `SELF_MISSING_POLLS` observations in a
 * row spanning `SELF_MISSING_INTERVALS × intervalMs`.
 */
export function checkSelfPresence(
  presence: SelfPresence,
  membership: Membership,
  intervalMs: number,
  now: number,
): { readonly presence: SelfPresence; readonly report: boolean } {
  if (membership.self !== null) return { presence: { ...INITIAL_SELF_PRESENCE, reported: presence.reported }, report: false };
  const missingSince = presence.missingSince ?? now;
  const missingPolls = presence.missingPolls + 1;
  const due =
    !presence.reported && missingPolls >= SELF_MISSING_POLLS && now - missingSince >= SELF_MISSING_INTERVALS * intervalMs;
  return { presence: { missingPolls, missingSince, reported: presence.reported || due }, report: due };
}
