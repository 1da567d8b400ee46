/**
 * A Service of the fake cluster and its StatefulSet-like pods: the controls a test changes them
 * with (scale, restart, readiness, termination, delete, address families). The DNS and the
 * Kubernetes API both read the same state.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AddressAllocator } from './addresses';
import { apiTimestamp, newPod, terminatingPod, type FakePod } from './fake-pod';
import type { ApiServiceState } from './kube-api/cluster-state';
import type { FakePort, ZoneService } from './zone';

/** What a Service needs of its cluster. */
export interface ServiceHost {
  readonly clusterDomain: string;
  /** A Service changed: bump the SOA serial. */
  touch(): void;
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
  /** The Service's `spec.selector`, which its pods carry as labels (and the Service as its own labels). Default: `{ app: <statefulSet> }`. */
  readonly selector?: Readonly<Record<string, string>>;
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
  /** The Service's `metadata.uid` (its EndpointSlices' owner). */
  readonly uid = randomUUID();
  /** The Service's `spec.selector`. */
  readonly selector: Readonly<Record<string, string>>;
  readonly #createdAt = apiTimestamp(Date.now());
  readonly #statefulSetUid = randomUUID();
  #definition: Required<Pick<FakeServiceDefinition, 'ports' | 'publishNotReadyAddresses' | 'ipFamilies' | 'hostnames'>>;
  readonly #cluster: ServiceHost;
  readonly #addresses: AddressAllocator;
  #pods: FakePod[] = [];

  /** @internal Use `FakeCluster.defineService()`. */
  constructor(cluster: ServiceHost, addresses: AddressAllocator, definition: FakeServiceDefinition) {
    this.#cluster = cluster;
    this.#addresses = addresses;
    this.name = definition.name;
    this.namespace = definition.namespace ?? 'default';
    this.statefulSet = definition.statefulSet ?? definition.name;
    this.ordinalStart = definition.ordinalStart ?? 0;
    this.selector = { ...(definition.selector ?? { app: this.statefulSet }) };
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
   * addresses and UIDs), the others are removed at once (`terminate()` first plays a graceful
   * scale-down).
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

  /** Mark a pod ready or not (not-ready pods leave DNS unless `publishNotReadyAddresses`; in the API, `serving` follows). */
  setReady(podName: string, ready: boolean): this {
    return this.#set(this.#pods.map((pod) => (pod.name === podName ? { ...pod, ready } : pod)), podName);
  }

  /**
   * Re-create a pod: same name and ordinal, ready, not terminating, with a new UID and new
   * addresses, or with `addresses` (to play an address reused by another pod, or two pods
   * trading addresses).
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

  /**
   * Start deleting a pod gracefully, as `kubectl delete pod` does: its `deletionTimestamp` is set
   * and it stays until {@link deletePod} (or `scale()` below it) removes it. In the API its
   * endpoints stay with `terminating: true` (and `ready: false`, unless the Service publishes
   * not-ready addresses); DNS drops it, as CoreDNS drops endpoints that are not ready.
   * `restart()` replaces it with a new incarnation that is not terminating.
   */
  terminate(podName: string): this {
    const now = Date.now();
    return this.#set(this.#pods.map((pod) => (pod.name === podName ? terminatingPod(pod, now) : pod)), podName);
  }

  /** Delete a pod (until the next `scale()` re-creates it). */
  deletePod(podName: string): this {
    return this.#set(this.#pods.filter((pod) => pod.name !== podName), podName);
  }

  /** @internal The zone's view of this Service. */
  toZone(): ZoneService {
    return { name: this.name, namespace: this.namespace, ...this.#definition, pods: this.#pods };
  }

  /** @internal The Kubernetes API's view of this Service. */
  toApi(): ApiServiceState {
    return {
      ...this.toZone(),
      uid: this.uid,
      creationTimestamp: this.#createdAt,
      statefulSet: this.statefulSet,
      statefulSetUid: this.#statefulSetUid,
      selector: this.selector,
      ipFamilies: this.#definition.ipFamilies,
      pods: this.#pods,
    };
  }

  #newPod(ordinal: number, ready: boolean): FakePod {
    return newPod(`${this.statefulSet}-${ordinal}`, ordinal, this.#addresses.allocate(this.#definition.ipFamilies), ready);
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

