/**
 * The open watches of the fake API: every change goes to each of them, a test can act on all of
 * them at once, and wait (with a deadline, never a sleep) until a client has opened its watch.
 *
 * @module
 */
import type { KubeResource } from './resources';
import type { StoreEvent } from './store';
import type { WatchStream } from './watch-stream';

interface Waiter {
  readonly count: number;
  readonly resource: KubeResource | undefined;
  readonly done: () => void;
}

/** The open watches. */
export class WatchRegistry {
  readonly #open = new Set<WatchStream>();
  readonly #waiters = new Set<Waiter>();

  /** How many are open. */
  get size(): number {
    return this.#open.size;
  }

  /** The open watches, now (a copy: acting on one may close it). */
  all(resource?: KubeResource): WatchStream[] {
    return [...this.#open].filter((stream) => resource === undefined || stream.request.resource === resource);
  }

  /** Track a watch until it closes. */
  add(stream: WatchStream): void {
    this.#open.add(stream);
    stream.onClose(() => this.#open.delete(stream));
    for (const waiter of this.#waiters) this.#check(waiter);
  }

  /** Give every open watch a change. */
  push(event: StoreEvent): void {
    for (const stream of this.#open) stream.push(event);
  }

  /** Resolve once at least `count` watches (of `resource`) are open; reject after `timeoutMs`. */
  waitFor(count: number, resource: KubeResource | undefined, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`fewer than ${count} ${resource ?? ''} watch(es) open after ${timeoutMs} ms (${this.all(resource).length} open)`));
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        count,
        resource,
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      this.#check(waiter);
    });
  }

  #check(waiter: Waiter): void {
    if (this.all(waiter.resource).filter((stream) => !stream.closed).length >= waiter.count) waiter.done();
  }
}
