/**
 * A single-consumer async queue: the body of `for await (const change of discovery)`.
 *
 * @module
 */

/** Buffers pushed items until the consumer pulls them; `end()` finishes the iteration. */
export class ChangeQueue<T> implements AsyncIterator<T> {
  readonly #items: T[] = [];
  readonly #waiting: Array<(result: IteratorResult<T>) => void> = [];
  readonly #onReturn: () => void;
  #ended = false;

  /** @param onReturn - Called once when the consumer stops early or the queue ends. */
  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ value: item, done: false });
    else this.#items.push(item);
  }

  /** No more items: pending and future `next()` calls finish, after buffered items are consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onReturn();
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.#items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }
}
