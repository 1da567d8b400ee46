/**
 * Checks shared by every option: each returns the valid value or throws an
 * {@link InvalidOptionError} naming the option and the expected form.
 *
 * @module
 */
import { InvalidOptionError } from './errors';
import { isDnsLabel } from './dns/name';

/** A short, safe rendering of a value for an error message (long strings are cut). */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

/** A DNS label (RFC 1123), such as a Service, namespace or StatefulSet name. */
export function requireLabel(option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !isDnsLabel(value)) {
    throw new InvalidOptionError(
      option,
      `got ${describe(value)}; expected an RFC 1123 label (1–63 lower-case letters, digits or "-", starting and ending with a letter or digit): ${example}.`,
    );
  }
  return value;
}

/** An integer in [min, max], or `fallback` when `undefined`. */
export function integerIn(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected an integer from ${min} to ${max}.`);
  }
  return value;
}

/** A finite number in [min, max], or `fallback` when `undefined`. */
export function numberIn(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected a number from ${min} to ${max}.`);
  }
  return value;
}

/** An `AbortSignal`, or `undefined`. */
export function optionalSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new InvalidOptionError('signal', `got ${describe(value)}; expected an AbortSignal.`);
  }
  return value;
}

/** A boolean, or `fallback` when `undefined`. */
export function booleanOr(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, `got ${describe(value)}; expected true or false.`);
  return value;
}
