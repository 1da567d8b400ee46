/**
 * The delay before the next poll: the interval spread by random jitter, so that the pods of a
 * StatefulSet, started together, do not query the cluster DNS in lock-step.
 *
 * @module
 */

/**
 * `intervalMs × (1 + jitter × u)` with `u` uniform in [-1, 1), rounded to whole milliseconds.
 *
 * @param random - Source of uniform numbers in [0, 1); injectable for tests.
 */
export function jitteredDelay(intervalMs: number, jitter: number, random: () => number = Math.random): number {
  const spread = jitter * (2 * random() - 1);
  return Math.max(0, Math.round(intervalMs * (1 + spread)));
}
