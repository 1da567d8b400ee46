/**
 * The SRV source: `_<port>._<proto>.<service>.<ns>.svc.<zone>` names every ready pod and its port,
 * and, when the server includes them, the pods' addresses (glue). When the glue does not cover
 * every target (BIND above 13 targets, caching forwarders, a 1000-pod answer that is full), the
 * Service's own address set (A, and AAAA only when the Service has IPv6) is asked in the same
 * round trip and only targets that are new, or whose remembered address left that set, are looked
 * up: an unchanged poll costs the SRV query and at most the address set, at any size.
 *
 * @module
 */
import { absoluteName, relativeName } from '../dns/name';
import { reverseName } from '../dns/reverse';
import type { AddressRecord, DnsRecord, FailedResult, LookupResult, PtrRecord, Resolver, SrvRecord } from '../dns/types';
import { isObserved } from '../dns/types';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import { isAddressOf, lookupAddresses, type AddressFamily } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { toLookupError } from './lookup-error';
import type { Source, SourceSettings } from './source';
import { IPV6_RECHECK_EVERY, srvMemory, type SrvMemory } from './srv-memory';
import { planTargets, recheck, unclaimed } from './target-plan';

/** How many target lookups run at once (each is one or two queries). */
export const TARGET_LOOKUP_CONCURRENCY = 32;

/** Settings of the SRV source. */
export type SrvSourceSettings = Pick<SourceSettings, 'serviceDomain' | 'portName' | 'protocol' | 'family'>;

/** The Service's address set, as far as it could be read. */
interface ServiceAddresses {
  /** `undefined` when a lookup failed: then no remembered address can be checked. */
  readonly addresses: ReadonlySet<string> | undefined;
  readonly queries: number;
}

/** Create the SRV source. Throws a `RangeError` without a port name: only named ports have SRV records. */
export function createSrvSource(resolver: Resolver, settings: SrvSourceSettings): Source {
  if (settings.portName === null) throw new RangeError('the srv source needs a named port');
  const name = absoluteName(`_${settings.portName}._${settings.protocol}.${settings.serviceDomain}`);
  const memory = srvMemory(resolver.servers === undefined ? undefined : `${resolver.servers} ${settings.family} ${name}`);
  const poll = new SrvPoll(resolver, name, absoluteName(settings.serviceDomain), settings.family, memory);
  return { name: 'srv', observe: (signal) => poll.observe(signal) };
}

/** One Service's SRV polling: the I/O around the decisions of `target-plan.ts`. */
class SrvPoll {
  readonly #resolver: Resolver;
  readonly #name: string;
  readonly #serviceName: string;
  readonly #family: AddressFamily;
  readonly #memory: SrvMemory;

  constructor(resolver: Resolver, name: string, serviceName: string, family: AddressFamily, memory: SrvMemory) {
    this.#resolver = resolver;
    this.#name = name;
    this.#serviceName = serviceName;
    this.#family = family;
    this.#memory = memory;
  }

  async observe(signal: AbortSignal): Promise<Observation> {
    const memory = this.#memory;
    const known = memory.targets.size > 0;
    // With targets remembered, the Service's set is what checks them: ask it with SRV, in the
    // same round trip, unless the last answer's glue covered every target.
    const early = known && !memory.glueComplete ? this.#serviceAddresses(signal) : undefined;
    const result = await this.#resolver.lookup(this.#name, 'SRV', signal);
    const service = early ? await early : undefined;
    let queries = result.queries + (service?.queries ?? 0);
    if (!isObserved(result)) return { ok: false, source: 'srv', error: toLookupError(result), queries };
    if (result.outcome !== 'answer') {
      Object.assign(memory, { targets: new Map(), overflow: new Map(), glueComplete: false });
      return { ok: true, source: 'srv', endpoints: [], queries };
    }

    const ports = uniqueTargets(result.answers.filter((record): record is SrvRecord => record.type === 'SRV'));
    const targets = [...ports.keys()];
    const glue = this.#completeGlue(addressesByName(result.additionals, this.#family));
    memory.glueComplete = !result.truncated && targets.every((target) => glue.has(target));
    if (memory.glueComplete) {
      if (!service) this.#noteIpv6FromGlue(glue);
      memory.targets = glue;
      memory.overflow = new Map();
      return { ok: true, source: 'srv', endpoints: endpointsOf(ports, glue), queries };
    }

    // Without remembered targets, the set checks nothing yet: ask it while the targets are looked up.
    let pendingSet = service ? undefined : this.#serviceAddresses(signal);
    let set = service?.addresses;
    if (known && pendingSet) {
      const asked = await pendingSet;
      pendingSet = undefined;
      queries += asked.queries;
      set = asked.addresses;
    }
    const plan = planTargets({ targets, glue, remembered: memory.targets, serviceAddresses: set });
    const first = await this.#lookUp(plan.lookUp, signal, pendingSet);
    queries += first.queries;
    if (first.set) {
      queries += first.set.queries;
      set = first.set.addresses;
    }
    if (first.failure) return { ok: false, source: 'srv', error: toLookupError(first.failure), queries };
    let found = new Map([...plan.fromGlue, ...plan.remembered, ...first.found]);

    // A full answer (TC even over TCP) lists only the first targets: the rest of the Service's
    // set is named by PTR (once: remembered while the address stays in the set). A PTR that
    // names a listed target means that target moved: it is looked up again.
    let overflow = new Map<string, string | null>();
    if (result.truncated && set) {
      const named = await this.#nameOverflow(unclaimed(set, [found]), signal);
      queries += named.queries;
      if (named.failure) return { ok: false, source: 'srv', error: toLookupError(named.failure), queries };
      const moved = [...new Set([...named.names.values()].filter((name): name is string => name !== null && ports.has(name)))];
      const again = await this.#lookUp(moved, signal);
      queries += again.queries;
      if (again.failure) return { ok: false, source: 'srv', error: toLookupError(again.failure), queries };
      found = new Map([...found, ...again.found]);
      overflow = new Map([...named.names].filter(([, name]) => name === null || !ports.has(name)));
    }
    const second = await this.#lookUp(recheck(plan, found, set, new Set(overflow.keys())), signal);
    queries += second.queries;
    if (second.failure) return { ok: false, source: 'srv', error: toLookupError(second.failure), queries };
    found = new Map([...found, ...second.found]);
    memory.targets = found;

    const endpoints = endpointsOf(ports, found);
    const claimed = new Set([...found.values()].flatMap((records) => records.map((record) => record.address)));
    memory.overflow = new Map([...overflow].filter(([address]) => !claimed.has(address)));
    const port = mostCommon([...ports.values()]);
    for (const [address, host] of memory.overflow) endpoints.push({ host: host === null ? null : relativeName(host), addresses: [address], port });
    return { ok: true, source: 'srv', endpoints, queries };
  }

  /** A, and AAAA when it can answer, of the Service name; notes whether the Service has IPv6. */
  async #serviceAddresses(signal: AbortSignal): Promise<ServiceAddresses> {
    const memory = this.#memory;
    const askV6 =
      this.#family === 6 ||
      (this.#family === 'both' && (memory.serviceHasIpv6 !== false || memory.pollsSinceIpv6Check >= IPV6_RECHECK_EVERY));
    const family: AddressFamily = this.#family === 6 ? 6 : askV6 ? 'both' : 4;
    const lookup = await lookupAddresses(this.#resolver, this.#serviceName, family, signal);
    if (askV6) memory.pollsSinceIpv6Check = 0;
    else memory.pollsSinceIpv6Check += 1;
    if (lookup.failure) return { addresses: undefined, queries: lookup.queries };
    if (askV6) memory.serviceHasIpv6 = lookup.records.some((record) => record.type === 'AAAA');
    return { addresses: new Set(lookup.records.map((record) => record.address)), queries: lookup.queries };
  }

  /**
   * Glue that covers every family the Service has: a server short of room may send the A records
   * of every target and the AAAA of only some, without TC (BIND does), and a target glued with
   * one family only is then looked up (or checked against the Service's set) like any other.
   */
  #completeGlue(glue: Map<string, AddressRecord[]>): Map<string, AddressRecord[]> {
    if (this.#family !== 'both') return glue;
    const families = (records: readonly AddressRecord[]): number => new Set(records.map((record) => record.type)).size;
    const dualStack = this.#memory.serviceHasIpv6 === true || [...glue.values()].some((records) => records.some((record) => record.type === 'AAAA'));
    if (!dualStack) return glue;
    return new Map([...glue].filter(([, records]) => families(records) === 2));
  }

  #noteIpv6FromGlue(glue: ReadonlyMap<string, readonly AddressRecord[]>): void {
    if (this.#family !== 'both') return;
    this.#memory.serviceHasIpv6 = [...glue.values()].some((records) => records.some((record) => record.type === 'AAAA'));
    this.#memory.pollsSinceIpv6Check = 0;
  }

  /**
   * Look up `targets` with the address families the Service has. While that is still being asked
   * (`pendingSet`), A goes out at once and AAAA only once the Service turns out to have IPv6.
   */
  async #lookUp(
    targets: readonly string[],
    signal: AbortSignal,
    pendingSet?: Promise<ServiceAddresses>,
  ): Promise<{ found: Map<string, AddressRecord[]>; queries: number; failure?: FailedResult; set?: ServiceAddresses }> {
    const found = new Map<string, AddressRecord[]>();
    let queries = 0;
    const ask = async (type: 'A' | 'AAAA'): Promise<FailedResult | undefined> => {
      const results = await mapWithConcurrency(targets, TARGET_LOOKUP_CONCURRENCY, (target) => this.#resolver.lookup(target, type, signal));
      for (const [index, result] of results.entries()) {
        queries += result.queries;
        // A target we could not resolve is not a target that left: fail the whole observation
        // so the membership is kept (stale) rather than losing that peer.
        if (!isObserved(result)) return result;
        if (result.outcome !== 'answer') continue;
        const target = targets[index] as string;
        const records = result.answers.filter((record): record is AddressRecord => record.type === type);
        found.set(target, [...(found.get(target) ?? []), ...records]);
      }
      return undefined;
    };
    const wantsA = this.#family !== 6;
    const [failureA, set] = await Promise.all([wantsA && targets.length > 0 ? ask('A') : undefined, pendingSet]);
    if (failureA) return { found, queries, failure: failureA, ...(set ? { set } : {}) };
    const wantsAaaa = this.#family === 6 || (this.#family === 'both' && this.#memory.serviceHasIpv6 !== false);
    const failureAaaa = wantsAaaa && targets.length > 0 ? await ask('AAAA') : undefined;
    return { found, queries, ...(failureAaaa ? { failure: failureAaaa } : {}), ...(set ? { set } : {}) };
  }

  /** PTR names of `addresses`, reusing the names remembered for addresses still in the set. */
  async #nameOverflow(addresses: readonly string[], signal: AbortSignal): Promise<{ names: Map<string, string | null>; queries: number; failure?: FailedResult }> {
    const known = this.#memory.overflow;
    const names = new Map<string, string | null>();
    const unknown = addresses.filter((address) => {
      if (!known.has(address)) return true;
      names.set(address, known.get(address) ?? null);
      return false;
    });
    const lookups = await mapWithConcurrency(unknown, TARGET_LOOKUP_CONCURRENCY, (address) => this.#resolver.lookup(reverseName(address), 'PTR', signal));
    let queries = 0;
    for (const [index, lookup] of lookups.entries()) {
      queries += lookup.queries;
      if (!isObserved(lookup) && lookup.outcome !== 'refused' && lookup.outcome !== 'rcode') return { names, queries, failure: lookup };
      names.set(unknown[index] as string, ptrName(lookup, this.#serviceName));
    }
    return { names, queries };
  }
}

/** The PTR target under our Service (a pod under several Services has one PTR each), or `null`. */
function ptrName(result: LookupResult, serviceName: string): string | null {
  if (result.outcome !== 'answer') return null;
  const ours = result.answers
    .filter((record): record is PtrRecord => record.type === 'PTR')
    .map((record) => record.target)
    .filter((target) => target.endsWith(`.${serviceName}`))
    .sort();
  return ours[0] ?? null;
}

function endpointsOf(ports: ReadonlyMap<string, number>, found: ReadonlyMap<string, readonly AddressRecord[]>): ObservedEndpoint[] {
  const endpoints: ObservedEndpoint[] = [];
  for (const [target, port] of ports) {
    const addresses = found.get(target);
    // NXDOMAIN for a listed target means the pod went away between the two queries.
    if (addresses) endpoints.push({ host: relativeName(target), addresses: addresses.map((record) => record.address), port });
  }
  return endpoints;
}

/** Each target once, with its port (the first record's). */
function uniqueTargets(records: readonly SrvRecord[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const record of records) {
    if (!ports.has(record.target) && record.target !== '.') ports.set(record.target, record.port);
  }
  return ports;
}

function addressesByName(records: readonly DnsRecord[], family: AddressFamily): Map<string, AddressRecord[]> {
  const byName = new Map<string, AddressRecord[]>();
  for (const record of records) {
    if (!isAddressOf(record, family)) continue;
    const list = byName.get(record.name);
    if (list) {
      if (!list.some((known) => known.address === record.address)) list.push(record);
    } else {
      byName.set(record.name, [record]);
    }
  }
  return byName;
}

function mostCommon(values: readonly number[]): number | null {
  const counts = new Map<number, number>();
  let best: number | null = null;
  for (const value of values) {
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (best === null || count > (counts.get(best) ?? 0)) best = value;
  }
  return best;
}
