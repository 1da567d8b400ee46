/**
 * TTL arithmetic for observations.
 *
 * @module
 */

/** The smallest defined value, or `undefined` when there is none. */
export function minimumTtl(values: readonly (number | undefined)[]): number | undefined {
  let result: number | undefined;
  for (const value of values) {
    if (value !== undefined && (result === undefined || value < result)) result = value;
  }
  return result;
}
