/**
 * Stand-ins for stdout and stderr that record what the command writes, can pretend to be a
 * terminal, and let a test wait (with a generous deadline, never a fixed sleep) for output.
 */

/** A recorded stream. */
export interface RecordedStream {
  readonly isTTY: boolean;
  readonly columns: number;
  /** Every write, in order. */
  readonly writes: string[];
  write(text: string): boolean;
  /** Everything written, joined. */
  text(): string;
  /** Resolve with the first write for which `test` holds (at the moment it is written); reject after `timeoutMs`. */
  writeWhere(test: (write: string, before: string) => boolean, timeoutMs?: number): Promise<{ write: string; before: string }>;
}

/** A stream recording writes; `isTTY` says whether it pretends to be a terminal. */
export function recordedStream(isTTY: boolean, columns = 200): RecordedStream {
  const writes: string[] = [];
  const waiters: Array<{ test: (write: string, before: string) => boolean; resolve: (found: { write: string; before: string }) => void }> = [];
  return {
    isTTY,
    columns,
    writes,
    write(text) {
      const before = writes.join('');
      writes.push(text);
      for (const waiter of [...waiters]) {
        if (!waiter.test(text, before)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve({ write: text, before });
      }
      return true;
    },
    text: () => writes.join(''),
    writeWhere(test, timeoutMs = 20_000) {
      for (const [index, write] of writes.entries()) {
        const before = writes.slice(0, index).join('');
        if (test(write, before)) return Promise.resolve({ write, before });
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching write within ${timeoutMs} ms; got ${JSON.stringify(writes.join('')).slice(0, 2000)}`)), timeoutMs);
        waiters.push({ test, resolve: (found) => (clearTimeout(timer), resolve(found)) });
      });
    },
  };
}

/** A promise to end a `watch` with, and the function that ends it. */
export function stopSignal(): { readonly stopped: () => Promise<void>; readonly stop: () => void } {
  let stop!: () => void;
  const promise = new Promise<void>((resolve) => (stop = resolve));
  return { stopped: () => promise, stop };
}
