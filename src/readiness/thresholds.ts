/**
 * The readiness verdict of one peer from its probe results, with the Kubernetes rules: a peer
 * starts not ready, becomes ready after `successThreshold` consecutive successes, and becomes
 * not ready again after `failureThreshold` consecutive failures.
 *
 * @module
 */

/** The verdict on one peer and the current run of identical probe results. */
export interface ProbeState {
  /** Whether the peer counts as ready. */
  readonly ready: boolean;
  /** Consecutive successful probes up to now (0 after a failure). */
  readonly successes: number;
  /** Consecutive failed probes up to now (0 after a success). */
  readonly failures: number;
}

/** The thresholds {@link nextProbeState} applies, as in a Kubernetes probe. */
export interface ProbeThresholds {
  /** Consecutive successes that make a not-ready peer ready. */
  readonly successThreshold: number;
  /** Consecutive failures that make a ready peer not ready. */
  readonly failureThreshold: number;
}

/** A peer that has not been probed yet: not ready, no results. */
export const INITIAL_PROBE_STATE: ProbeState = Object.freeze({ ready: false, successes: 0, failures: 0 });

/** The state after one more probe result. Pure. */
export function nextProbeState(state: ProbeState, succeeded: boolean, thresholds: ProbeThresholds): ProbeState {
  if (succeeded) {
    const successes = state.successes + 1;
    return { ready: state.ready || successes >= thresholds.successThreshold, successes, failures: 0 };
  }
  const failures = state.failures + 1;
  return { ready: state.ready && failures < thresholds.failureThreshold, successes: 0, failures };
}
