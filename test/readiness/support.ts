/**
 * Shared pieces of the readiness tests: peers as plain objects, and waiting for a condition
 * with a generous deadline instead of sleeping.
 */
import type { Peer } from '../../src/membership/types';

/** A peer named `name` at `addresses` and `port`, with the other fields as DNS would give them. */
export function peer(name: string, addresses: readonly string[], port: number | null, host: string | null = null): Peer {
  const ordinal = /-(\d+)$/.exec(name)?.[1];
  return {
    name,
    ordinal: ordinal === undefined ? null : Number(ordinal),
    host,
    addresses,
    port,
    ready: false,
    draining: false,
    uid: null,
    nodeName: null,
    zone: null,
    self: false,
    sources: ['srv'],
  };
}

/** Resolve once `predicate` holds, checking every 10 ms; reject after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function, for probes a test finishes by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
