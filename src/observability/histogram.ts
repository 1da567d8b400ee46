/**
 * A latency histogram with fixed bucket bounds: one array of counts, filled in place, so an
 * observation costs a short scan and no allocation.
 *
 * @module
 */
import type { LatencyHistogram } from './stats';

/** The bucket bounds of every latency histogram, in ms: fine where DNS answers, coarse where timeouts are. */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000]);

/** A histogram being filled. */
export class FixedHistogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #count = 0;
  #sum = 0;

  constructor(bounds: readonly number[] = LATENCY_BOUNDS_MS) {
    this.#bounds = bounds;
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Count one observation of `ms` (a negative or non-finite one counts as 0). */
  observe(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    let index = 0;
    while (index < this.#bounds.length && value > (this.#bounds[index] as number)) index++;
    this.#counts[index] = (this.#counts[index] as number) + 1;
    this.#count++;
    this.#sum += value;
  }

  /** A copy, frozen. */
  snapshot(): LatencyHistogram {
    return Object.freeze({ boundsMs: this.#bounds, counts: Object.freeze([...this.#counts]), count: this.#count, sumMs: this.#sum });
  }
}
