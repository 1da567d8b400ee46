/**
 * Bounded-concurrency mapping, so a 1000-pod follow-up lookup does not open 1000 sockets at once.
 *
 * @module
 */

/** Like `Promise.all(items.map(fn))`, with at most `limit` calls of `fn` in flight. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
