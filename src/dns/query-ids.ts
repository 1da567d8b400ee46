/**
 * Query IDs: unpredictable (RFC 5452 §4.3: a fresh CSPRNG value for every message) and unique
 * among the queries in flight on one socket or connection, since answers are matched by ID.
 *
 * @module
 */
import { randomFillSync } from 'node:crypto';

const BATCH = 512;

/** Hands out IDs not in use, drawn from the CSPRNG in batches (one system call per 512 IDs). */
export class IdAllocator {
  readonly #inUse = new Set<number>();
  readonly #random = new Uint16Array(BATCH);
  #next = BATCH;

  /** An unpredictable ID that no query in flight has; give it back with {@link release}. */
  take(): number {
    for (;;) {
      if (this.#next === BATCH) {
        randomFillSync(this.#random);
        this.#next = 0;
      }
      const id = this.#random[this.#next++] as number;
      if (!this.#inUse.has(id)) {
        this.#inUse.add(id);
        return id;
      }
    }
  }

  release(id: number): void {
    this.#inUse.delete(id);
  }
}
