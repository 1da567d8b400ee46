/**
 * When the next poll happens: the interval, faster while the cluster is incomplete, backing off
 * exponentially while DNS fails, always spread by random jitter (so that the pods of a
 * StatefulSet, started together, do not query the cluster DNS in lock-step) and never below
 * the floor.
 *
 * @module
 */
import type { PollTiming } from '../config/discovery-config';

/** What the last polls said. */
export interface PollHistory {
  /** Polls in a row in which every source failed. */
  readonly consecutiveFailures: number;
  /** True while the membership is `degraded` (fewer members than `expectedReplicas`). */
  readonly degraded: boolean;
  /** True after the very first poll: the next delay is spread wider (see {@link nextPollDelay}). */
  readonly first?: boolean;
}

/**
 * The spread of the first scheduled poll (±50 %): pods started in the same second (a
 * `Parallel` StatefulSet, a rollout) would otherwise stay in step for many intervals, since
 * ±`jitter` only drifts them apart slowly.
 */
export const FIRST_POLL_SPREAD = 0.5;

/**
 * `intervalMs × (1 + jitter × u)` with `u` uniform in [-1, 1), rounded to whole milliseconds.
 *
 * @param random - Source of uniform numbers in [0, 1); injectable for tests.
 */
export function jitteredDelay(intervalMs: number, jitter: number, random: () => number = Math.random): number {
  const spread = jitter * (2 * random() - 1);
  return Math.max(0, Math.round(intervalMs * (1 + spread)));
}

/**
 * The delay before the next poll. After `n` failed polls in a row: `intervalMs × 2ⁿ`, capped at
 * `maxIntervalMs`; after a success: `fastIntervalMs` while degraded, else `intervalMs`. Spread
 * uniformly over ±`jitter` (after the first poll over ±{@link FIRST_POLL_SPREAD}, unless `jitter`
 * is 0), the part below `minIntervalMs` cut off rather than piled onto the floor — a floor equal
 * to the interval would otherwise put half of all polls on the same millisecond.
 */
export function nextPollDelay(timing: PollTiming, history: PollHistory, random: () => number = Math.random): number {
  let base: number;
  if (history.consecutiveFailures > 0) {
    const exponent = Math.min(history.consecutiveFailures, 30);
    base = Math.min(timing.intervalMs * 2 ** exponent, timing.maxIntervalMs);
  } else {
    base = history.degraded ? timing.fastIntervalMs : timing.intervalMs;
  }
  const spread = history.first && timing.jitter > 0 ? Math.max(timing.jitter, FIRST_POLL_SPREAD) : timing.jitter;
  const low = Math.max(timing.minIntervalMs, base * (1 - spread));
  const high = Math.max(low, base * (1 + spread));
  return Math.round(low + (high - low) * random());
}
