/**
 * The SRV source: `_<port>._<proto>.<service>.<ns>.svc.<zone>` names every ready pod and its port,
 * and, when the server includes them, the pods' addresses (glue). When the glue does not cover
 * every target (BIND above 13 targets, caching forwarders, a 1000-pod answer that is full), the
 * Service's own address set (A, and AAAA only when the Service has IPv6) is asked in the same
 * round trip and only targets that are new, or whose remembered address left that set, are looked
 * up: an unchanged poll costs the SRV query and at most the address set, at any size.
 *
 * Only proof removes a peer: a listed target whose lookup fails or comes back empty keeps its
 * last-known addresses and is asked again next poll; a target outside the Service's domain is not
 * a member (and never looked up); an answer full even over TCP is partial unless the Service's
 * complete address set accounts for every pod by name.
 *
 * @module
 */
import { absoluteName, relativeName } from '../dns/name';
import type { AddressRecord, DnsRecord, Resolver, SrvRecord } from '../dns/types';
import { isObserved } from '../dns/types';
import type { Observation, ObservedEndpoint, SuccessfulObservation } from '../membership/observation';
import { isPodHost } from '../names';
import { isAddressOf, type AddressFamily } from './address-lookup';
import { toLookupError } from './lookup-error';
import type { Source, SourceSettings } from './source';
import { PollLookups, type ServiceAddresses } from './srv-lookups';
import { srvMemory, type SrvMemory } from './srv-memory';
import { sameAnswers, type SettledPoll } from './srv-unchanged';
import { planTargets, recheck, unclaimed } from './target-plan';

export { TARGET_LOOKUP_CONCURRENCY } from './srv-lookups';

/** Settings of the SRV source. */
export type SrvSourceSettings = Pick<SourceSettings, 'serviceDomain' | 'portName' | 'protocol' | 'family'>;

/** Create the SRV source. Throws a `RangeError` without a port name: only named ports have SRV records. */
export function createSrvSource(resolver: Resolver, settings: SrvSourceSettings): Source {
  if (settings.portName === null) throw new RangeError('the srv source needs a named port');
  const name = absoluteName(`_${settings.portName}._${settings.protocol}.${settings.serviceDomain}`);
  const memory = srvMemory(resolver.servers === undefined ? undefined : `${resolver.servers} ${settings.family} ${name}`);
  const poll = new SrvPoll(resolver, name, absoluteName(settings.serviceDomain), settings.family, memory);
  return { name: 'srv', observe: (signal) => poll.observe(signal) };
}

/** What the SRV answer listed. */
interface Listing {
  /** Our targets, with their ports. */
  readonly ports: ReadonlyMap<string, number>;
  readonly glue: ReadonlyMap<string, readonly AddressRecord[]>;
  /** Names outside the Service's domain. */
  readonly foreign: readonly string[];
  /** TC even over TCP: the answer lists only the first targets. */
  readonly truncated: boolean;
}

/** Where each pod is, as far as a poll could tell. */
interface Placement {
  /** Addresses by target: looked up, glued, remembered, or kept from the last poll. */
  readonly placed: Map<string, readonly AddressRecord[]>;
  /** Some target could not be placed anywhere (no address known at all). */
  readonly lost: boolean;
}

/** How long a target's last-known addresses are kept after it was last placed, in polls. */
const LAST_KNOWN_POLLS = 10;

/** One Service's SRV polling: the I/O around the decisions of `target-plan.ts`. */
class SrvPoll {
  readonly #resolver: Resolver;
  readonly #name: string;
  readonly #serviceName: string;
  readonly #family: AddressFamily;
  readonly #memory: SrvMemory;
  /**
   * The last-known addresses of every target this source placed in its last
   * {@link LAST_KNOWN_POLLS} polls, with their ports and the poll they were last placed in: what
   * an unresolved target keeps (a pod missing from one answer and back in the next, unresolved,
   * still has them). Its own, not the shared memory's, so a fresh `discover()` never reports
   * addresses it did not see.
   */
  readonly #lastKnown = new Map<string, { readonly records: readonly AddressRecord[]; readonly port: number; readonly poll: number }>();
  #polls = 0;
  /** The last poll, when it settled every target: an unchanged poll returns its observation. */
  #settled: SettledPoll | undefined;

  constructor(resolver: Resolver, name: string, serviceName: string, family: AddressFamily, memory: SrvMemory) {
    this.#resolver = resolver;
    this.#name = name;
    this.#serviceName = serviceName;
    this.#family = family;
    this.#memory = memory;
  }

  async observe(signal: AbortSignal): Promise<Observation> {
    const lookups = new PollLookups(this.#resolver, this.#family, this.#memory, signal);
    try {
      return await this.#observe(lookups, signal);
    } finally {
      lookups.giveUp();
    }
  }

  async #observe(lookups: PollLookups, signal: AbortSignal): Promise<Observation> {
    const memory = this.#memory;
    const known = memory.targets.size > 0;
    // With targets remembered, the Service's set is what checks them: ask it with SRV, in the
    // same round trip, unless the last answer's glue covered every target.
    const early = known && !memory.glueComplete ? lookups.serviceAddresses(this.#serviceName) : undefined;
    // SRV itself is not given up on when the set's lookup fails: it is the listing.
    const result = await this.#resolver.lookup(this.#name, 'SRV', signal);
    if (!isObserved(result)) lookups.giveUp();
    const service = early ? await early : undefined;
    let queries = result.queries + (service?.queries ?? 0);
    const settled = this.#settled;
    this.#settled = undefined;
    if (!isObserved(result)) return { ok: false, source: 'srv', error: toLookupError(result), queries };
    if (result.outcome === 'answer' && sameAnswers(settled, result.answers, result.additionals, service?.addresses)) {
      this.#settled = settled;
      return { ...settled.observation, queries };
    }
    if (result.outcome !== 'answer') {
      Object.assign(memory, { targets: new Map(), unresolved: new Set(), overflow: new Map(), glueComplete: false });
      this.#remember(new Map(), new Map());
      return { ok: true, source: 'srv', endpoints: [], queries };
    }

    const listing = this.#listing(result.answers, result.additionals, result.truncated);
    const extra = listing.foreign.length > 0 ? { foreign: listing.foreign } : {};
    memory.glueComplete = !listing.truncated && [...listing.ports.keys()].every((target) => listing.glue.has(target));
    if (memory.glueComplete) {
      if (!service) this.#noteIpv6FromGlue(listing.glue);
      Object.assign(memory, { targets: listing.glue, unresolved: new Set(), overflow: new Map() });
      this.#remember(new Map(listing.glue), listing.ports);
      const observation: SuccessfulObservation = { ok: true, source: 'srv', endpoints: endpointsOf(listing.ports, listing.glue), queries, ...extra };
      this.#settled = { answers: result.answers, additionals: result.additionals, set: service?.addresses, observation };
      return observation;
    }

    // Without remembered targets, the set checks nothing yet: ask it while the targets are looked up.
    let pendingSet = service ? undefined : lookups.serviceAddresses(this.#serviceName);
    let set = service;
    if (known && pendingSet) {
      set = await pendingSet;
      pendingSet = undefined;
      queries += set.queries;
    }
    // A target that could not be resolved last time is asked again, not trusted.
    const trusted = new Map([...memory.targets].filter(([target]) => !memory.unresolved.has(target)));
    const plan = planTargets({ targets: [...listing.ports.keys()], glue: listing.glue, remembered: trusted, serviceAddresses: set?.addresses });
    // Something changed: the Service may have IPv6 now, which the targets' lookups must know.
    const ipv6 = plan.lookUp.length > 0 ? await lookups.ipv6OnChange(this.#serviceName) : undefined;
    queries += ipv6?.queries ?? 0;
    const first = await lookups.targets(plan.lookUp, pendingSet);
    queries += first.queries;
    if (first.set) {
      queries += first.set.queries;
      set = first.set;
    }
    if (set?.addresses && ipv6 && ipv6.addresses.size > 0) set = { ...set, addresses: new Set([...set.addresses, ...ipv6.addresses]) };
    const unresolved = new Set(first.unresolved);
    const found = new Map<string, readonly AddressRecord[]>([...plan.fromGlue, ...plan.remembered, ...first.found]);
    const ports = new Map(listing.ports);
    const cut = listing.truncated && set?.addresses ? await this.#beyondTheAnswer(lookups, set, found, ports) : undefined;
    if (!cut) memory.overflow = new Map();
    queries += cut?.queries ?? 0;
    const second = await lookups.targets(recheck(plan, found, set?.addresses, new Set(memory.overflow.keys())));
    queries += second.queries;
    for (const [target, records] of second.found) found.set(target, records);
    for (const target of second.unresolved) unresolved.add(target);

    const placement = this.#place(found, unresolved);
    memory.targets = placement.placed;
    memory.unresolved = unresolved;
    this.#remember(placement.placed, ports);
    const endpoints = endpointsOf(ports, placement.placed);
    const port = mostCommon([...listing.ports.values()]);
    for (const [address, host] of memory.overflow) endpoints.push({ host: host === null ? null : relativeName(host), addresses: [address], port });
    // Proof of absence needs the whole list: every target placed, and a cut answer made whole by a
    // complete set whose every address is tied to a pod by name.
    const partial = placement.lost || (listing.truncated && (!set?.complete || !cut || cut.unnamed > 0));
    const observation: SuccessfulObservation = { ok: true, source: 'srv', endpoints, queries, ...(partial ? { partial } : {}), ...extra };
    // Settled: every pod placed from this poll's answers (and names remembered while their
    // addresses stay in the set), checked against an early set.
    if (!partial && unresolved.size === 0 && service?.addresses && set === service) {
      this.#settled = { answers: result.answers, additionals: result.additionals, set: service.addresses, observation };
    }
    return observation;
  }

  /**
   * An answer full even over TCP lists only the first targets. Pods placed last poll that it no
   * longer lists, with every address still in the set, are still there (the set proves it); the
   * other addresses of the set are named by PTR (once: remembered while the address stays in the
   * set), and a PTR that names a listed target means that target moved: it is looked up again.
   * Adds to `found` and `ports`; sets the memory's overflow (addresses named beyond the answer).
   */
  async #beyondTheAnswer(lookups: PollLookups, set: ServiceAddresses, found: Map<string, readonly AddressRecord[]>, ports: Map<string, number>): Promise<{ unnamed: number; queries: number }> {
    const memory = this.#memory;
    const addresses = set.addresses as ReadonlySet<string>;
    for (const [target, last] of this.#lastKnown) {
      if (last.poll !== this.#polls || ports.has(target) || !last.records.every((record) => addresses.has(record.address))) continue;
      found.set(target, last.records);
      ports.set(target, last.port);
    }
    const fresh = unclaimed(addresses, [found]).filter((address) => !memory.overflow.has(address));
    const named = await lookups.ptrNames(fresh, this.#serviceName);
    let queries = named.queries;
    const names = new Map([...[...memory.overflow].filter(([address]) => addresses.has(address)), ...named.names]);
    const moved = [...new Set([...names.values()].filter((name): name is string => name !== null && ports.has(name)))];
    const again = await lookups.targets(moved);
    queries += again.queries;
    for (const [target, records] of again.found) found.set(target, records);
    const claimed = new Set([...found.values()].flatMap((records) => records.map((record) => record.address)));
    memory.overflow = new Map([...names].filter(([address, name]) => !claimed.has(address) && (name === null || !ports.has(name))));
    // An address no PTR names cannot be tied to a pod: the observation cannot prove absences.
    const unnamed = named.unnamed + [...memory.overflow.values()].filter((name) => name === null).length;
    return { unnamed, queries };
  }

  /** Unresolved targets keep their last-known addresses: a failed or empty lookup proves nothing. */
  #place(found: ReadonlyMap<string, readonly AddressRecord[]>, unresolved: ReadonlySet<string>): Placement {
    const placed = new Map(found);
    let lost = false;
    for (const target of unresolved) {
      if (placed.has(target)) continue;
      const last = this.#lastKnown.get(target);
      if (last) placed.set(target, last.records);
      else lost = true;
    }
    return { placed, lost };
  }

  #remember(placed: ReadonlyMap<string, readonly AddressRecord[]>, ports: ReadonlyMap<string, number>): void {
    this.#polls += 1;
    for (const [target, records] of placed) this.#lastKnown.set(target, { records, port: ports.get(target) ?? 0, poll: this.#polls });
    for (const [target, last] of this.#lastKnown) if (this.#polls - last.poll >= LAST_KNOWN_POLLS) this.#lastKnown.delete(target);
  }

  #listing(answers: readonly DnsRecord[], additionals: readonly DnsRecord[], truncated: boolean): Listing {
    const srv = answers.filter((record): record is SrvRecord => record.type === 'SRV' && record.target !== '.');
    const foreign = [...new Set(srv.map((record) => record.target).filter((target) => !isPodHost(target, this.#serviceName)))];
    const ports = uniqueTargets(srv.filter((record) => isPodHost(record.target, this.#serviceName)));
    return { ports, glue: this.#completeGlue(addressesByName(additionals, this.#family)), foreign, truncated };
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
  }
}

function endpointsOf(ports: ReadonlyMap<string, number>, found: ReadonlyMap<string, readonly AddressRecord[]>): ObservedEndpoint[] {
  const endpoints: ObservedEndpoint[] = [];
  for (const [target, port] of ports) {
    const addresses = found.get(target);
    // A target never resolved has no address to give yet (the observation is then partial).
    if (addresses) endpoints.push({ host: relativeName(target), addresses: addresses.map((record) => record.address), port });
  }
  return endpoints;
}

/** Each target once, with its port (the first record's). */
function uniqueTargets(records: readonly SrvRecord[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const record of records) if (!ports.has(record.target)) ports.set(record.target, record.port);
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
