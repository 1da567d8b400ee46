/**
 * The lookups of one poll of one source, given up together: once one of them times out or hits
 * a network error, the server is struggling, and waiting for each remaining lookup in turn would
 * make one poll of a large Service last minutes. The lookups not yet answered then end at once,
 * as timeouts that sent nothing, and the source treats their names as unresolved (kept as last
 * known, never as gone). A poll's wall time is so bounded by about one lookup's worth of
 * timeouts (`dnsTimeoutMs × dnsAttempts`), whatever the Service's size.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { LookupResult, QueryType, Resolver } from '../dns/types';

/** One poll's lookups; see the module description. */
export class PollScope {
  readonly #outer: AbortSignal;
  readonly #giveUp = new AbortController();
  readonly #signal: AbortSignal;
  /** A resolver over the poll's lookups: after `giveUp()`, every lookup ends at once. */
  readonly resolver: Resolver;

  constructor(resolver: Resolver, outer: AbortSignal) {
    this.#outer = outer;
    this.#signal = AbortSignal.any([outer, this.#giveUp.signal]);
    // Every lookup of a large poll listens on it.
    setMaxListeners(0, this.#signal);
    this.resolver = {
      ...(resolver.servers === undefined ? {} : { servers: resolver.servers }),
      lookup: (name, type) => this.#lookup(resolver, name, type),
    };
  }

  /** True once the poll gave up on its remaining lookups. */
  get givenUp(): boolean {
    return this.#giveUp.signal.aborted;
  }

  /** End every lookup of this poll that has not answered yet. */
  giveUp(): void {
    this.#giveUp.abort(new Error('the poll gave up on its remaining lookups'));
  }

  async #lookup(resolver: Resolver, name: string, type: QueryType): Promise<LookupResult> {
    if (this.givenUp) return unasked(name, type);
    try {
      const result = await resolver.lookup(name, type, this.#signal);
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

/** A lookup the poll gave up on: a timeout that sent nothing more. */
function unasked(name: string, type: QueryType): LookupResult {
  const absolute = name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
  return { name: absolute, type, server: undefined, transport: undefined, queries: 0, ignoredResponses: 0, durationMs: 0, outcome: 'timeout' };
}
