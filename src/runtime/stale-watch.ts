/**
 * The `staleTooLong` alarm: armed when the membership goes stale, it fires once when it has been
 * stale for `maxStaleMs` by the wall clock, unless it became fresh (or stale anew) first.
 *
 * @module
 */

/** One discovery's stale alarm. */
export class StaleWatch {
  readonly #maxStaleMs: number | null;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(maxStaleMs: number | null, now: () => number) {
    this.#maxStaleMs = maxStaleMs;
    this.#now = now;
  }

  /**
   * Arm for a staleness that began at `since`. `stillStale(since)` is asked when the time comes;
   * `fire(staleForMs)` is called once if it says yes.
   */
  arm(since: number, stillStale: (since: number) => boolean, fire: (staleForMs: number) => void): void {
    const maxStaleMs = this.#maxStaleMs;
    if (maxStaleMs === null) return;
    this.disarm();
    // Timers and the wall clock disagree by a millisecond now and then: re-arm until the clock agrees.
    const schedule = (): void => {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!stillStale(since)) return;
        const staleFor = this.#now() - since;
        if (staleFor < maxStaleMs) return schedule();
        fire(staleFor);
      }, Math.max(1, since + maxStaleMs - this.#now()));
      this.#timer.unref();
    };
    schedule();
  }

  disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
