/**
 * The lookups an SRV poll may need besides SRV itself: the Service's address set, the targets'
 * addresses, and PTR names, given up together (see `poll-scope.ts`): the targets a poll could not
 * resolve keep their last-known addresses until the next poll asks again.
 *
 * @module
 */
import { reverseName } from '../dns/reverse';
import { isPodHost } from '../names';
import type { AddressRecord, LookupResult, PtrRecord, Resolver } from '../dns/types';
import { isObserved } from '../dns/types';
import { lookupAddresses, type AddressFamily } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { PollScope } from './poll-scope';
import type { SrvMemory } from './srv-memory';

/** How many target lookups run at once. */
export const TARGET_LOOKUP_CONCURRENCY = 32;

/** The Service's address set, as far as it could be read. */
export interface ServiceAddresses {
  /** `undefined` when a lookup failed: then no remembered address can be checked. */
  readonly addresses: ReadonlySet<string> | undefined;
  /** The answers were whole (no TC even over TCP): the set lists every address. */
  readonly complete: boolean;
  readonly queries: number;
}

/** What looking up some targets found. */
export interface TargetLookups {
  /** Addresses by target, for the targets that answered with some. */
  readonly found: Map<string, AddressRecord[]>;
  /** Targets that failed, came back empty or were given up on: they keep their last-known addresses. */
  readonly unresolved: ReadonlySet<string>;
  readonly queries: number;
  /** The Service's set, when it was asked alongside. */
  readonly set?: ServiceAddresses;
}

/** The lookups of an SRV poll, under one {@link PollScope}; see the module description. */
export class PollLookups {
  readonly #scope: PollScope;
  readonly #family: AddressFamily;
  readonly #memory: SrvMemory;
  /** This poll asked the Service's AAAA. */
  #askedIpv6 = false;

  constructor(resolver: Resolver, family: AddressFamily, memory: SrvMemory, outer: AbortSignal) {
    this.#scope = new PollScope(resolver, outer);
    this.#family = family;
    this.#memory = memory;
  }

  /** Stop every lookup of this poll that has not answered yet. */
  giveUp(): void {
    this.#scope.giveUp();
  }

  /** A, and AAAA when it can answer, of the Service name; notes whether the Service has IPv6. */
  async serviceAddresses(name: string): Promise<ServiceAddresses> {
    const memory = this.#memory;
    const askV6 = this.#family === 6 || (this.#family === 'both' && memory.serviceHasIpv6 !== false);
    const family: AddressFamily = this.#family === 6 ? 6 : askV6 ? 'both' : 4;
    this.#askedIpv6 ||= askV6;
    const lookup = await lookupAddresses(this.#scope.resolver, name, family);
    if (lookup.failure) return { addresses: undefined, complete: false, queries: lookup.queries };
    if (askV6) memory.serviceHasIpv6 = lookup.records.some((record) => record.type === 'AAAA');
    return { addresses: new Set(lookup.records.map((record) => record.address)), complete: !lookup.truncated, queries: lookup.queries };
  }

  /**
   * On a poll that found a change, the Service's AAAA when this poll did not ask it (it had none):
   * a pod that changed may be the first with IPv6. Unchanged polls never ask it, so a Service
   * whose running pods gain IPv6 without any change shows it at the next change. `undefined`
   * when there is nothing to ask; no addresses when the lookup failed (nothing learned).
   */
  async ipv6OnChange(name: string): Promise<{ addresses: ReadonlySet<string>; queries: number } | undefined> {
    if (this.#family !== 'both' || this.#askedIpv6) return undefined;
    this.#askedIpv6 = true;
    const result = await this.#scope.resolver.lookup(name, 'AAAA');
    if (!isObserved(result)) return { addresses: new Set(), queries: result.queries };
    const records = result.outcome === 'answer' ? result.answers.filter((record): record is AddressRecord => record.type === 'AAAA') : [];
    this.#memory.serviceHasIpv6 = records.length > 0;
    return { addresses: new Set(records.map((record) => record.address)), queries: result.queries };
  }

  /**
   * Look up `targets` with the address families the Service has. While that is still being asked
   * (`pendingSet`), A goes out at once and AAAA only once the Service turns out to have IPv6.
   */
  async targets(targets: readonly string[], pendingSet?: Promise<ServiceAddresses>): Promise<TargetLookups> {
    const found = new Map<string, AddressRecord[]>();
    const failed = new Set<string>();
    let queries = 0;
    const ask = async (type: 'A' | 'AAAA'): Promise<void> => {
      const results = await mapWithConcurrency(targets, TARGET_LOOKUP_CONCURRENCY, (target) => this.#scope.resolver.lookup(target, type));
      for (const [index, result] of results.entries()) {
        const target = targets[index] as string;
        queries += result.queries;
        if (!isObserved(result)) failed.add(target);
        else if (result.outcome === 'answer') found.set(target, [...(found.get(target) ?? []), ...result.answers.filter((record): record is AddressRecord => record.type === type)]);
      }
    };
    const [, set] = await Promise.all([this.#family !== 6 && targets.length > 0 ? ask('A') : undefined, pendingSet]);
    const wantsAaaa = this.#family === 6 || (this.#family === 'both' && this.#memory.serviceHasIpv6 !== false);
    if (wantsAaaa && targets.length > 0) await ask('AAAA');
    // A family that failed, or no address at all: not proof that the pod went away or changed.
    const unresolved = new Set(targets.filter((target) => failed.has(target) || !found.has(target)));
    for (const target of unresolved) found.delete(target);
    return { found, unresolved, queries, ...(set ? { set } : {}) };
  }

  /** The PTR name under `serviceName` of each address (`null`: none); `undefined` for an address the poll could not name. */
  async ptrNames(addresses: readonly string[], serviceName: string): Promise<{ names: Map<string, string | null>; unnamed: number; queries: number }> {
    const names = new Map<string, string | null>();
    let unnamed = 0;
    let queries = 0;
    const results = await mapWithConcurrency(addresses, TARGET_LOOKUP_CONCURRENCY, (address) => this.#scope.resolver.lookup(reverseName(address), 'PTR'));
    for (const [index, result] of results.entries()) {
      queries += result.queries;
      // No reverse zone (REFUSED, another RCODE) names nothing; a failure leaves the address unnamed for now.
      if (!isObserved(result) && result.outcome !== 'refused' && result.outcome !== 'rcode') unnamed += 1;
      else names.set(addresses[index] as string, ptrName(result, serviceName));
    }
    return { names, unnamed, queries };
  }
}

/** The PTR target that is one of our Service's pods (a pod under several Services has one PTR each), or `null`. */
function ptrName(result: LookupResult, serviceName: string): string | null {
  if (result.outcome !== 'answer') return null;
  const ours = result.answers
    .filter((record): record is PtrRecord => record.type === 'PTR')
    .map((record) => record.target)
    .filter((target) => isPodHost(target, serviceName))
    .sort();
  return ours[0] ?? null;
}
