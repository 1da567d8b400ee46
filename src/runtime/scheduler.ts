/**
 * The poll scheduler: one poll at a time, the next one after the delay {@link nextPollDelay}
 * gives, and polls on request (`start()`, `refresh()`) coalesced and held to the floor
 * (`minIntervalMs` between two starts). It knows nothing about DNS or membership.
 *
 * @module
 */
import type { PollTiming } from '../config/discovery-config';
import { ClosedError } from '../errors';
import { nextPollDelay, type PollHistory } from './poll-delay';

interface Waiter<R> {
  readonly promise: Promise<R>;
  resolve(value: R): void;
  reject(error: unknown): void;
}

function waiter<R>(): Waiter<R> {
  let resolve!: (value: R) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<R>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Where polling stands (monotonic times); `undefined` for what has not happened or is not planned. */
export interface SchedulerStatus {
  readonly inFlight: boolean;
  readonly lastStartedAt: number | undefined;
  readonly lastEndedAt: number | undefined;
  readonly nextAt: number | undefined;
}

/** Runs `poll` on a schedule; see the module description. */
export class PollScheduler<R> {
  readonly #poll: () => Promise<R>;
  readonly #timing: PollTiming;
  readonly #now: () => number;
  readonly #random: () => number;
  #history: PollHistory = { consecutiveFailures: 0, degraded: false };
  #polls = 0;
  #inFlight: Promise<void> | undefined;
  #requested: Waiter<R> | undefined;
  /** The requested poll may start before the floor (`minIntervalMs`): a source pushed a change. */
  #urgent = false;
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires, on the monotonic clock; `undefined` when none is armed. */
  #timerAt: number | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #lastEnd: number | undefined;
  #stopped = false;

  /** @param now - A monotonic clock (`performance.now`), so a wall-clock jump cannot stall polling. */
  constructor(poll: () => Promise<R>, timing: PollTiming, now: () => number, random: () => number) {
    this.#poll = poll;
    this.#timing = timing;
    this.#now = now;
    this.#random = random;
  }

  /** Tell the scheduler how the last poll went; it decides the next regular delay from this. */
  report(history: PollHistory): void {
    this.#history = history;
  }

  /**
   * A poll that starts after this call: now, or as soon as the poll in flight has ended and the
   * floor allows (`urgent`: without waiting for the floor, for a change a source pushed). Callers
   * in the meantime share it.
   */
  request(options: { readonly urgent?: boolean } = {}): Promise<R> {
    if (this.#stopped) return Promise.reject(new ClosedError());
    const requested = this.#requested ?? waiter<R>();
    const hurried = options.urgent === true && !this.#urgent;
    this.#urgent ||= options.urgent === true;
    if (!this.#requested) {
      this.#requested = requested;
      if (!this.#inFlight) this.#arm();
    } else if (hurried && !this.#inFlight) {
      this.#arm();
    }
    return requested.promise;
  }

  /** Where polling stands, on the monotonic clock given to the constructor. */
  status(): SchedulerStatus {
    return {
      inFlight: this.#inFlight !== undefined,
      lastStartedAt: Number.isFinite(this.#lastStart) ? this.#lastStart : undefined,
      lastEndedAt: this.#lastEnd,
      nextAt: this.#stopped || this.#inFlight ? undefined : this.#timerAt,
    };
  }

  /** Stop: no further poll starts, waiting requests reject with `reason`; resolves when the poll in flight has ended. */
  async stop(reason: Error = new ClosedError()): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#requested?.reject(reason);
    this.#requested = undefined;
    await this.#inFlight;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const wait = this.#urgent ? 0 : this.#lastStart + this.#timing.minIntervalMs - this.#now();
    if (wait <= 0) {
      this.#start();
      return;
    }
    this.#after(wait);
  }

  #scheduleRegular(): void {
    clearTimeout(this.#timer);
    const history = { ...this.#history, first: this.#polls === 1 };
    this.#after(nextPollDelay(this.#timing, history, this.#random));
  }

  #after(delay: number): void {
    this.#timerAt = this.#now() + delay;
    this.#timer = setTimeout(() => this.#start(), delay);
    this.#timer.unref();
  }

  #start(): void {
    if (this.#stopped || this.#inFlight) return;
    clearTimeout(this.#timer);
    this.#timerAt = undefined;
    const requested = this.#requested;
    this.#requested = undefined;
    this.#urgent = false;
    this.#lastStart = this.#now();
    this.#polls += 1;
    this.#inFlight = this.#poll().then(
      (result) => requested?.resolve(result),
      (error: unknown) => requested?.reject(error),
    ).finally(() => {
      this.#inFlight = undefined;
      this.#lastEnd = this.#now();
      if (this.#stopped) return;
      if (this.#requested) this.#arm();
      else this.#scheduleRegular();
    });
  }
}
