/**
 * A fake Kubernetes cluster DNS on loopback: define headless Services backed by StatefulSet-like
 * pods, change them (scale, restart, readiness, termination, delete), simulate outages, and
 * query it with any DNS client — or, once `startKubernetesApi()` has started it, through a fake
 * Kubernetes API that serves the same state.
 *
 * @module
 */
import { formatNameserver } from '../dns/nameserver';
import { AddressAllocator, type PodNetwork } from './addresses';
import type { FakePod } from './fake-pod';
import { FakeService, type FakeServiceDefinition } from './fake-service';
import { FakeKubernetesApi, type FakeKubernetesApiOptions } from './kube-api/fake-kubernetes-api';
import { LoopbackDnsServer, type IncomingQuery, type OutageMode } from './server';
import { answerQuestion, type FakePort, type ZoneAnswer } from './zone';

export { FakeService };
export type { FakePod, FakePort, FakeServiceDefinition, IncomingQuery, OutageMode, PodNetwork };

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

/** Query counters since the cluster started. */
export interface FakeClusterStats {
  /** Queries received over UDP. */
  readonly udpQueries: number;
  /** Queries received over TCP. */
  readonly tcpQueries: number;
  /** Replies sent with TC=1 because the answer did not fit. */
  readonly truncated: number;
}

/** A running fake cluster DNS. Create it with {@link createFakeCluster}. */
export class FakeCluster implements AsyncDisposable {
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
  #api: FakeKubernetesApi | undefined;
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

  /**
   * Start a fake Kubernetes API (HTTPS on loopback) that serves this cluster's Services, Pods
   * and EndpointSlices: every `defineService`, `scale`, `setReady`, `restart`, `terminate`,
   * `deletePod`, `setIpFamilies` and `deleteService` changes what it serves and becomes watch
   * events, so DNS and API always describe the same cluster. `close()` stops it too.
   */
  async startKubernetesApi(options: FakeKubernetesApiOptions = {}): Promise<FakeKubernetesApi> {
    if (this.#api) throw new Error('the fake Kubernetes API of this cluster is already started');
    this.#api = await FakeKubernetesApi.start({ services: () => [...this.#services.values()].map((service) => service.toApi()) }, options);
    return this.#api;
  }

  /** The fake Kubernetes API, once `startKubernetesApi()` has started it. */
  get kubernetesApi(): FakeKubernetesApi | undefined {
    return this.#api;
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

  /** Delete a Service: its names become NXDOMAIN; in the API, the Service, its pods and its slices are deleted. */
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
    await Promise.all([this.#server?.close(), this.#api?.close()]);
  }

  /** `await using cluster = await createFakeCluster()` closes it at the end of the scope (`await using`: Node 24 and later). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal A Service changed: bump the SOA serial, as CoreDNS does on every API change, and update the API's objects. */
  touch(): void {
    this.#serial++;
    this.#api?.sync();
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
