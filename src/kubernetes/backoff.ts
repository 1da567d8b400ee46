/**
 * The wait between failed attempts of the list/watch loop: doubling from `initialMs` up to
 * `maxMs`, each delay drawn at random from its upper half (so the pods of a StatefulSet, failing
 * together, do not retry together), back to the start after a success.
 *
 * @module
 */
import type { BackoffTiming } from './settings';

/** Jittered, capped exponential backoff. */
export class Backoff {
  readonly #timing: BackoffTiming;
  readonly #random: () => number;
  #attempt = 0;

  constructor(timing: BackoffTiming, random: () => number = Math.random) {
    this.#timing = timing;
    this.#random = random;
  }

  /** The next delay, in ms: in [base / 2, base), base = min(maxMs, initialMs × 2ⁿ) after n delays. */
  next(): number {
    const base = Math.min(this.#timing.maxMs, this.#timing.initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.round(base / 2 + (base / 2) * this.#random());
  }

  /** Start again from `initialMs`. */
  reset(): void {
    this.#attempt = 0;
  }
}
