/**
 * An eventemitter3 emitter whose listeners cannot break the code that emits: a listener that
 * throws (or returns a promise that rejects) is reported through `onListenerError`, and the
 * remaining listeners still run.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';

type Listener = (...args: never[]) => unknown;

/** An `EventEmitter<Events>` that isolates listener failures. */
export abstract class SafeEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  /** Listener → wrapper, per event, so `off(event, listener)` finds what `on` registered. */
  readonly #wrappers = new Map<PropertyKey, WeakMap<Listener, Listener>>();
  readonly #originals = new WeakMap<Listener, Listener>();

  /** Called when a listener for `event` threw or rejected with `error`. */
  protected abstract onListenerError(event: EventEmitter.EventNames<Events>, error: unknown): void;

  /** Add a listener; if it throws (or rejects), the error is reported instead of breaking the emitter. */
  override on<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return super.on(event, this.#wrap(event, fn), context);
  }

  /** Same as `on`. */
  override addListener<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return this.on(event, fn, context);
  }

  /** Add a listener called at most once, guarded like `on`. */
  override once<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    return super.once(event, this.#wrap(event, fn), context);
  }

  /** Remove a listener added with `on`, `addListener` or `once`. */
  override removeListener<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn?: EventEmitter.EventListener<Events, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const wrapper = fn === undefined ? undefined : this.#wrappers.get(event)?.get(fn as Listener);
    return super.removeListener(event, (wrapper ?? fn) as EventEmitter.EventListener<Events, T> | undefined, context, once);
  }

  /** Same as `removeListener`: removes a listener added with `on`, `addListener` or `once`. */
  override off<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn?: EventEmitter.EventListener<Events, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.removeListener(event, fn, context, once);
  }

  override listeners<T extends EventEmitter.EventNames<Events>>(event: T): Array<EventEmitter.EventListener<Events, T>> {
    return super
      .listeners(event)
      .map((listener) => (this.#originals.get(listener as Listener) ?? listener) as EventEmitter.EventListener<Events, T>);
  }

  #wrap<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
  ): EventEmitter.EventListener<Events, T> {
    if (typeof fn !== 'function') throw new TypeError(`The listener for "${String(event)}" must be a function.`);
    let byListener = this.#wrappers.get(event);
    if (!byListener) {
      byListener = new WeakMap();
      this.#wrappers.set(event, byListener);
    }
    const existing = byListener.get(fn as Listener);
    if (existing) return existing as EventEmitter.EventListener<Events, T>;

    const original = fn as (...args: unknown[]) => unknown;
    const wrapper = function (this: unknown, ...args: unknown[]): void {
      try {
        const returned = original.apply(this, args);
        if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
          (returned as PromiseLike<unknown>).then(undefined, (error: unknown) => report(error));
        }
      } catch (error) {
        report(error);
      }
    };
    const report = (error: unknown): void => this.onListenerError(event, error);
    byListener.set(fn as Listener, wrapper as Listener);
    this.#originals.set(wrapper as Listener, fn as Listener);
    return wrapper as EventEmitter.EventListener<Events, T>;
  }
}
