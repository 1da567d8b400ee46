/**
 * Checks shared by every option: each returns the valid value or throws an
 * {@link InvalidOptionError} naming the option and the expected form.
 *
 * @module
 */
import { InvalidOptionError } from '../errors';
import { isDnsLabel } from '../names';

/** A short, safe rendering of a value for an error message (long strings are cut). */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * The own enumerable properties of a plain object, copied into an object without a prototype,
 * so nothing inherited (a polluted `Object.prototype`, a `__proto__` from `JSON.parse`) is read
 * as an option. Throws when `value` is not a plain object (an array, a Promise, a class
 * instance or an object with another prototype are not options).
 */
export function ownRecord(option: string, value: unknown, example: string): Record<string, unknown> {
  const prototype = typeof value === 'object' && value !== null ? (Object.getPrototypeOf(value) as unknown) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected ${example}.`);
  }
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/** Reject keys of `record` that are not in `known`, naming the (shortened) key and the closest known one. */
export function rejectUnknownKeys(prefix: string, record: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(record)) {
    if (known.has(key)) continue;
    const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
    const guess = closest(key, known);
    throw new InvalidOptionError(
      `${prefix}${shown}`,
      `unknown option; expected one of the documented options${guess ? ` (did you mean "${guess}"?)` : known.size <= 8 ? `: ${[...known].join(', ')}` : ' (see the options reference)'}.`,
    );
  }
}

/** A dense array of at most `max` entries (a copy), or a clear error: holes would be skipped silently. */
export function denseArray(option: string, value: unknown, max: number, example: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    const got = Array.isArray(value) ? `${value.length} entries` : describe(value);
    throw new InvalidOptionError(option, `got ${got}; expected a non-empty array of at most ${max} entries such as ${example}.`);
  }
  const copy: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    if (!(index in value)) throw new InvalidOptionError(`${option}[${index}]`, `got a hole in the array; expected an entry such as ${example}.`);
    copy.push(value[index]);
  }
  return copy;
}

/** The known name within edit distance 3 of `name` (a likely typo), if any. */
function closest(name: string, known: ReadonlySet<string>): string | undefined {
  if (name.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
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
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max || Object.is(value, -0)) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected an integer from ${min} to ${max}.`);
  }
  return value;
}

/** A finite number in [min, max], or `fallback` when `undefined`. */
export function numberIn(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || Object.is(value, -0)) {
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
