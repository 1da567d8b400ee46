/**
 * A fake Kubernetes cluster DNS on loopback: define headless Services backed by StatefulSet-like
 * pods, change them (scale, restart, readiness, delete), simulate outages, and query it with
 * any DNS client.
 *
 * @module
 */
import { formatNameserver } from '../dns/nameserver';
import { AddressAllocator, type PodNetwork } from './addresses';
import { LoopbackDnsServer, type IncomingQuery, type OutageMode } from './server';
import { answerQuestion, type FakePod, type FakePort, type ZoneAnswer, type ZoneService } from './zone';

export type { FakePod, FakePort, IncomingQuery, OutageMode, PodNetwork };

/** Options of {@link createFakeCluster}. */
export interface FakeClusterOptions {
  /** The cluster DNS zone. Default: `cluster.local`. */
  readonly clusterDomain?: string;
  /** TTL of every record, and the SOA minimum. Default: 5 (CoreDNS's default). */
  readonly ttl?: number;
  /** Loopback address to serve on: `127.0.0.1` (default) or `::1`. */
  readonly host?: '127.0.0.1' | '::1';
  /**
   * Where pod addresses come from: `cluster` (default: 10.244.0.0/16 and fd00:10:244::/64) or
   * `loopback` (127.244.0.0/16, IPv4 only), so a test can run a real server as each pod — for
   * readiness probes, for example — without any traffic leaving the machine.
   */
  readonly podNetwork?: PodNetwork;
  /**
   * Which SRV answers carry the targets' addresses in the additional section: `all` (default,
   * as CoreDNS), `none` (as a caching forwarder that strips it), or a number `n`: only answers
   * of at most `n` targets (BIND 9 stops adding them above 13).
   */
  readonly srvGlue?: 'all' | 'none' | number;
}

/** A Service to define. Pods are named `<statefulSet>-<ordinal>`. */
export interface FakeServiceDefinition {
  /** The Service name (an RFC 1123 label). */
  readonly name: string;
  /** Default: `default`. */
  readonly namespace?: string;
  /** Named ports get SRV records. Default: none. */
  readonly ports?: readonly FakePort[];
  /** Pod-name prefix. Default: the service name. */
  readonly statefulSet?: string;
  /** First ordinal (`.spec.ordinals.start`). Default: 0. */
  readonly ordinalStart?: number;
  /** Pods created at once, all ready. Default: 0. */
  readonly replicas?: number;
  /** List pods in DNS even when not ready. Default: false. */
  readonly publishNotReadyAddresses?: boolean;
  /** Address families of every pod. Default: `['IPv4']`. */
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  /** False for Deployment-style pods without a hostname (named by dashed IP in DNS). Default: true. */
  readonly hostnames?: boolean;
}

/** Query counters since the cluster started. */
export interface FakeClusterStats {
  /** Queries received over UDP. */
  readonly udpQueries: number;
  /** Queries received over TCP. */
  readonly tcpQueries: number;
  /** Replies sent with TC=1 because the answer did not fit. */
  readonly truncated: number;
}

/** A Service of the fake cluster, and the controls of its pods. */
export class FakeService {
  /** The Service name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** The pods' name prefix. */
  readonly statefulSet: string;
  /** The first pod's ordinal. */
  readonly ordinalStart: number;
  #definition: Required<Pick<FakeServiceDefinition, 'ports' | 'publishNotReadyAddresses' | 'ipFamilies' | 'hostnames'>>;
  readonly #cluster: FakeCluster;
  readonly #addresses: AddressAllocator;
  #pods: FakePod[] = [];

  /** @internal Use {@link FakeCluster.defineService}. */
  constructor(cluster: FakeCluster, addresses: AddressAllocator, definition: FakeServiceDefinition) {
    this.#cluster = cluster;
    this.#addresses = addresses;
    this.name = definition.name;
    this.namespace = definition.namespace ?? 'default';
    this.statefulSet = definition.statefulSet ?? definition.name;
    this.ordinalStart = definition.ordinalStart ?? 0;
    this.#definition = {
      ports: definition.ports ?? [],
      publishNotReadyAddresses: definition.publishNotReadyAddresses ?? false,
      ipFamilies: definition.ipFamilies ?? ['IPv4'],
      hostnames: definition.hostnames ?? true,
    };
  }

  /** The pods, sorted by ordinal. */
  get pods(): readonly FakePod[] {
    return this.#pods;
  }

  /** `<service>.<namespace>.svc.<zone>` */
  get host(): string {
    return `${this.name}.${this.namespace}.svc.${this.#cluster.clusterDomain}`;
  }

  /** `<pod>.<service>.<namespace>.svc.<zone>` */
  podHost(podName: string): string {
    return `${podName}.${this.host}`;
  }

  /**
   * Set the number of replicas, as a StatefulSet does: pods with ordinals in
   * `[ordinalStart, ordinalStart + replicas)` exist (missing ones are created, with new
   * addresses), the others are removed.
   */
  scale(replicas: number, options: { ready?: boolean } = {}): this {
    if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`replicas must be a non-negative integer, got ${replicas}`);
    const end = this.ordinalStart + replicas;
    const kept = this.#pods.filter((pod) => pod.ordinal < end);
    for (let ordinal = this.ordinalStart; ordinal < end; ordinal++) {
      if (kept.some((pod) => pod.ordinal === ordinal)) continue;
      kept.push(this.#newPod(ordinal, options.ready ?? true));
    }
    return this.#set(kept);
  }

  /** Mark a pod ready or not (not-ready pods leave DNS unless `publishNotReadyAddresses`). */
  setReady(podName: string, ready: boolean): this {
    return this.#set(this.#pods.map((pod) => (pod.name === podName ? { ...pod, ready } : pod)), podName);
  }

  /**
   * Re-create a pod: same name and ordinal, ready, with new addresses, or with `addresses` (to
   * play an address reused by another pod, or two pods trading addresses).
   */
  restart(podName: string, options: { readonly addresses?: readonly string[] } = {}): this {
    return this.#set(
      this.#pods.map((pod) => {
        if (pod.name !== podName) return pod;
        const fresh = this.#newPod(pod.ordinal, true);
        return options.addresses ? { ...fresh, addresses: [...options.addresses] } : fresh;
      }),
      podName,
    );
  }

  /**
   * Change the Service's address families, as turning a Service dual-stack does: every pod gets
   * an address of each family added (and loses those of a family removed), without restarting.
   */
  setIpFamilies(families: readonly ('IPv4' | 'IPv6')[]): this {
    const wanted = new Set(families);
    this.#definition = { ...this.#definition, ipFamilies: [...families] };
    return this.#set(
      this.#pods.map((pod) => {
        const kept = pod.addresses.filter((address) => wanted.has(address.includes(':') ? 'IPv6' : 'IPv4'));
        const have = new Set(kept.map((address) => (address.includes(':') ? 'IPv6' : 'IPv4')));
        const added = this.#addresses.allocate(families.filter((family) => !have.has(family)));
        return { ...pod, addresses: [...kept, ...added] };
      }),
    );
  }

  /** Delete a pod (until the next `scale()` re-creates it). */
  deletePod(podName: string): this {
    return this.#set(this.#pods.filter((pod) => pod.name !== podName), podName);
  }

  /** @internal The zone's view of this Service. */
  toZone(): ZoneService {
    return { name: this.name, namespace: this.namespace, ...this.#definition, pods: this.#pods };
  }

  #newPod(ordinal: number, ready: boolean): FakePod {
    return { name: `${this.statefulSet}-${ordinal}`, ordinal, addresses: this.#addresses.allocate(this.#definition.ipFamilies), ready };
  }

  #set(pods: FakePod[], mustContain?: string): this {
    if (mustContain !== undefined && !this.#pods.some((pod) => pod.name === mustContain)) {
      throw new RangeError(`no pod "${mustContain}" in service ${this.namespace}/${this.name}`);
    }
    this.#pods = pods.sort((a, b) => a.ordinal - b.ordinal);
    this.#cluster.touch();
    return this;
  }
}

/** A running fake cluster DNS. Create it with {@link createFakeCluster}. */
export class FakeCluster {
  /** The cluster DNS zone it serves, e.g. `cluster.local`. */
  readonly clusterDomain: string;
  /** The TTL of every record and the SOA minimum, in seconds. */
  readonly ttl: number;
  readonly #services = new Map<string, FakeService>();
  readonly #addresses: AddressAllocator;
  readonly #loopbackPods: boolean;
  readonly #srvGlue: 'all' | 'none' | number;
  readonly #listeners = new Set<(query: IncomingQuery) => void>();
  #server: LoopbackDnsServer | undefined;
  #outage: OutageMode | null = null;
  #serial = Math.floor(Date.now() / 1000);
  #stats = { udpQueries: 0, tcpQueries: 0, truncated: 0 };

  /** @internal Use {@link createFakeCluster}. */
  constructor(options: FakeClusterOptions) {
    this.clusterDomain = (options.clusterDomain ?? 'cluster.local').replace(/\.$/, '').toLowerCase();
    this.ttl = options.ttl ?? 5;
    this.#loopbackPods = options.podNetwork === 'loopback';
    this.#srvGlue = options.srvGlue ?? 'all';
    this.#addresses = new AddressAllocator(options.podNetwork);
  }

  /** @internal */
  async listen(host: string): Promise<void> {
    this.#server = await LoopbackDnsServer.start(host, {
      answer: (query) => this.#answer(query),
      replied: (_, truncated) => {
        if (truncated) this.#stats.truncated++;
      },
    });
  }

  /** The loopback address served on. */
  get host(): string {
    return this.#server?.host ?? '';
  }

  /** The port (the same for UDP and TCP). */
  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** `ip:port` or `[::1]:port`: what the `nameservers` option (or `Resolver.setServers`) takes. */
  get nameserver(): string {
    return formatNameserver({ address: this.host, port: this.port, family: this.host.includes(':') ? 6 : 4 });
  }

  /** Counters of the queries served. */
  get stats(): FakeClusterStats {
    return { ...this.#stats };
  }

  /** Define a headless Service (replacing one of the same name and namespace). */
  defineService(definition: FakeServiceDefinition): FakeService {
    if (this.#loopbackPods && definition.ipFamilies?.includes('IPv6')) {
      throw new RangeError('a fake cluster with podNetwork "loopback" has IPv4 pods only (IPv6 has a single loopback address)');
    }
    const service = new FakeService(this, this.#addresses, definition);
    this.#services.set(`${service.namespace}/${service.name}`, service);
    if (definition.replicas) service.scale(definition.replicas);
    this.touch();
    return service;
  }

  /** Delete a Service: its names become NXDOMAIN. */
  deleteService(name: string, namespace = 'default'): void {
    this.#services.delete(`${namespace}/${name}`);
    this.touch();
  }

  /** Simulate an outage of the whole DNS: every query is dropped or answered SERVFAIL/REFUSED; `null` ends it. */
  outage(mode: OutageMode | null): void {
    this.#outage = mode;
  }

  /** Observe every query received. Returns a function that stops observing. */
  onQuery(listener: (query: IncomingQuery) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stop serving and release every socket. Idempotent. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#server?.close();
  }

  /** @internal A Service changed: bump the SOA serial, as CoreDNS does on every API change. */
  touch(): void {
    this.#serial++;
  }

  #answer(query: IncomingQuery): ZoneAnswer | 'drop' {
    if (query.transport === 'udp') this.#stats.udpQueries++;
    else this.#stats.tcpQueries++;
    for (const listener of this.#listeners) listener(query);
    if (this.#outage === 'drop') return 'drop';
    if (this.#outage === 'servfail' || this.#outage === 'refused') {
      return { rcode: this.#outage === 'servfail' ? 2 : 5, answers: [], authorities: [], additionals: [] };
    }
    return answerQuestion(
      {
        clusterDomain: this.clusterDomain,
        ttl: this.ttl,
        serial: this.#serial,
        srvGlue: this.#srvGlue,
        services: [...this.#services.values()].map((service) => service.toZone()),
      },
      query.name,
      query.type,
    );
  }
}

/**
 * Start a fake cluster DNS on a free loopback port (UDP and TCP). Answers as CoreDNS's
 * `kubernetes` plugin does for headless Services.
 *
 * @example
 * ```ts
 * const cluster = await createFakeCluster();
 * const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
 * // createDiscovery({ service: 'mysql', port: 'mysql', nameservers: [cluster.nameserver], … })
 * mysql.scale(5);
 * await cluster.close();
 * ```
 */
export async function createFakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const cluster = new FakeCluster(options);
  await cluster.listen(options.host ?? '127.0.0.1');
  return cluster;
}
