/**
 * Times and durations as the command shows them: short, and unambiguous on any terminal.
 *
 * @module
 */

/** `0.4 s`, `12 s`, `3 min 5 s`. */
export function seconds(ms: number): string {
  const value = Math.max(ms, 0) / 1000;
  if (value < 10) return `${value.toFixed(1)} s`;
  if (value < 120) return `${Math.round(value)} s`;
  const whole = Math.round(value);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** The time of day of `epochMs`, in UTC: `10:00:01.234Z`. */
export function timeOfDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11);
}

/** `epochMs` as an ISO 8601 string, or `null`. */
export function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
