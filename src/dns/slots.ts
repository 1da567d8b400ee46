/**
 * A bound on work in flight: at most `size` holders at once, the others waiting in order.
 *
 * @module
 */

/** A counting semaphore whose waits can be aborted. */
export class Slots {
  readonly #size: number;
  readonly #waiting: Array<() => void> = [];
  #held = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Resolve once a slot is held; reject with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.#held < this.#size) {
      this.#held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index !== -1) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  /** Give a slot back: the longest waiter gets it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held -= 1;
  }
}
