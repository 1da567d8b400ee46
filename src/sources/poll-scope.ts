/**
 * The lookups of one poll of one source, given up together: once one of them times out or hits
 * a network error, the server is struggling, and waiting for each remaining lookup in turn would
 * make one poll of a large Service last minutes. The lookups not yet answered then end at once,
 * as timeouts that sent nothing, and the source treats their names as unresolved (kept as last
 * known, never as gone). A poll's wall time is so bounded by about one lookup's worth of
 * timeouts (`dnsTimeoutMs × dnsAttempts`), whatever the Service's size. Every poll must end its
 * scope with `giveUp()`, which also unhooks it from the discovery's long-lived signal.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { LookupResult, QueryType, Resolver } from '../dns/types';

/** One poll's lookups; see the module description. */
export class PollScope {
  readonly #outer: AbortSignal;
  /** Aborts when the poll gives up, or when the outer signal aborts (with its reason); made at the first lookup. */
  #controller: AbortController | undefined;
  #givenUp = false;
  readonly #onOuterAbort = (): void => this.#controller?.abort(this.#outer.reason);
  /** A resolver over the poll's lookups: after `giveUp()`, every lookup ends at once. */
  readonly resolver: Resolver;

  constructor(resolver: Resolver, outer: AbortSignal) {
    this.#outer = outer;
    this.resolver = {
      ...(resolver.servers === undefined ? {} : { servers: resolver.servers }),
      lookup: (name, type) => this.#lookup(resolver, name, type),
    };
  }

  /** True once the poll gave up on its remaining lookups. */
  get givenUp(): boolean {
    return this.#givenUp;
  }

  /** End every lookup of this poll that has not answered yet. Idempotent. */
  giveUp(): void {
    if (this.#givenUp) return;
    this.#givenUp = true;
    if (!this.#controller) return;
    this.#outer.removeEventListener('abort', this.#onOuterAbort);
    this.#controller.abort(new Error('the poll gave up on its remaining lookups'));
  }

  /** The signal of the poll's lookups: most polls never need one (the SRV answer settles them). */
  #signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    // Every lookup of a large poll listens on it.
    setMaxListeners(0, controller.signal);
    // Linked by hand: AbortSignal.any() keeps a reference on the outer signal per call (Node 20
    // frees them late), and the outer signal lives as long as the discovery.
    if (this.#outer.aborted) controller.abort(this.#outer.reason);
    else this.#outer.addEventListener('abort', this.#onOuterAbort, { once: true });
    return controller.signal;
  }

  async #lookup(resolver: Resolver, name: string, type: QueryType): Promise<LookupResult> {
    if (this.givenUp) return unasked(name, type);
    try {
      const result = await resolver.lookup(name, type, this.#signal());
      if (result.outcome === 'timeout' || result.outcome === 'network-error') this.giveUp();
      return result;
    } catch (error) {
      // The caller's abort ends the poll; giving up only ends this lookup.
      this.#outer.throwIfAborted();
      if (this.givenUp) return unasked(name, type);
      throw error;
    }
  }
}

/** Run one poll's lookups under a scope of their own, ended (and unhooked) however they end. */
export async function withPollScope<T>(resolver: Resolver, outer: AbortSignal, work: (resolver: Resolver) => Promise<T>): Promise<T> {
  const scope = new PollScope(resolver, outer);
  try {
    return await work(scope.resolver);
  } finally {
    scope.giveUp();
  }
}

/** A lookup the poll gave up on: a timeout that sent nothing more. */
function unasked(name: string, type: QueryType): LookupResult {
  const absolute = name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
  return { name: absolute, type, server: undefined, transport: undefined, queries: 0, ignoredResponses: 0, durationMs: 0, outcome: 'timeout' };
}
