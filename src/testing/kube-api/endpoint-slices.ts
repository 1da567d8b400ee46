/**
 * The EndpointSlice controller of the fake cluster (after `k8s.io/endpointslice`'s reconciler):
 * one address family per slice, at most `maxEndpointsPerSlice` endpoints in each, endpoints
 * kept in the slice they are in, new ones filling the slices that have room before a new slice
 * is made, a placeholder slice without endpoints when the Service has none, the controller's
 * labels and owner reference, and conditions computed as `podToEndpoint` computes them.
 *
 * @module
 */
import type { FakePod } from '../fake-pod';
import type { ApiServiceState, KubeObject } from './cluster-state';
import { addressOf, apiProtocol, sortedRecord } from './objects';

/** The label that ties a slice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label of slices the controller manages. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The value of {@link MANAGED_BY_LABEL} on the controller's slices. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** The label the controller puts on the slices of a headless Service. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

type Family = 'IPv4' | 'IPv6';

interface SliceRecord {
  readonly name: string;
  readonly family: Family;
  pods: string[];
  /** A slice holding copies of endpoints that are also in another slice. */
  readonly duplicate: boolean;
}

interface ServiceSlices {
  readonly uid: string;
  slices: SliceRecord[];
}

// Kubernetes' `utilrand` alphabet (no vowels, no 0/1/3): what generateName suffixes look like.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The `conditions` of a pod's endpoint, as `podToEndpoint` computes them. */
export function endpointConditions(service: Pick<ApiServiceState, 'publishNotReadyAddresses'>, pod: FakePod): { ready: boolean; serving: boolean; terminating: boolean } {
  const serving = pod.ready;
  const terminating = pod.terminating;
  return { ready: service.publishNotReadyAddresses || (serving && !terminating), serving, terminating };
}

/** Keeps which slice holds which endpoint, and builds the slices of every Service. */
export class EndpointSliceController {
  readonly #max: number;
  readonly #state = new Map<string, ServiceSlices>();
  readonly #duplicates = new Map<string, Set<string>>();
  readonly #names = new Set<string>();
  #seed = 0x2545f491;

  constructor(maxEndpointsPerSlice: number) {
    this.#max = maxEndpointsPerSlice;
  }

  /** Have `pod`'s endpoints also appear in an extra slice of its Service (or stop, with `on: false`). */
  duplicate(namespace: string, service: string, pod: string, on: boolean): void {
    const key = `${namespace}/${service}`;
    const set = this.#duplicates.get(key) ?? new Set<string>();
    if (on) set.add(pod);
    else set.delete(pod);
    this.#duplicates.set(key, set);
  }

  /** The slices every Service should have now, keyed `<namespace>/<name>`. */
  reconcile(services: Iterable<ApiServiceState>, now: string): Map<string, KubeObject> {
    const desired = new Map<string, KubeObject>();
    const seen = new Set<string>();
    for (const service of services) {
      const key = `${service.namespace}/${service.name}`;
      seen.add(key);
      let state = this.#state.get(key);
      if (state?.uid !== service.uid) {
        state = { uid: service.uid, slices: [] };
        this.#state.set(key, state);
      }
      this.#assign(service, state);
      const pods = new Map(service.pods.map((pod) => [pod.name, pod]));
      for (const slice of state.slices) {
        desired.set(`${service.namespace}/${slice.name}`, this.#sliceObject(service, slice, pods, now));
      }
    }
    for (const key of this.#state.keys()) if (!seen.has(key)) this.#state.delete(key);
    return desired;
  }

  #assign(service: ApiServiceState, state: ServiceSlices): void {
    const regular: SliceRecord[] = [];
    for (const family of new Set<Family>([...service.ipFamilies, ...state.slices.map((slice) => slice.family)])) {
      const wanted = service.ipFamilies.includes(family) ? service.pods.filter((pod) => addressOf(pod, family) !== undefined).map((pod) => pod.name) : [];
      const slices = state.slices.filter((slice) => slice.family === family && !slice.duplicate);
      for (const slice of slices) slice.pods = slice.pods.filter((pod) => wanted.includes(pod));
      const placed = new Set(slices.flatMap((slice) => slice.pods));
      const fresh = wanted.filter((pod) => !placed.has(pod));
      for (const slice of slices) {
        while (slice.pods.length < this.#max && fresh.length > 0) slice.pods.push(fresh.shift() as string);
      }
      while (fresh.length > 0) slices.push({ name: this.#name(service.name), family, pods: fresh.splice(0, this.#max), duplicate: false });
      regular.push(...slices);
    }
    let kept = regular.filter((slice) => slice.pods.length > 0);
    if (kept.length === 0) {
      // No endpoints at all: the controller keeps one placeholder, of the primary family.
      const primary = service.ipFamilies[0] ?? 'IPv4';
      kept = [regular.find((slice) => slice.family === primary) ?? { name: this.#name(service.name), family: primary, pods: [], duplicate: false }];
    }
    const duplicated = [...(this.#duplicates.get(`${service.namespace}/${service.name}`) ?? [])];
    const copies: SliceRecord[] = [];
    for (const family of service.ipFamilies) {
      const pods = duplicated.filter((name) => kept.some((slice) => slice.family === family && slice.pods.includes(name)));
      if (pods.length === 0) continue;
      const existing = state.slices.find((slice) => slice.duplicate && slice.family === family);
      copies.push({ name: existing?.name ?? this.#name(service.name), family, pods, duplicate: true });
    }
    state.slices = [...kept, ...copies];
  }

  #sliceObject(service: ApiServiceState, slice: SliceRecord, pods: ReadonlyMap<string, FakePod>, now: string): KubeObject {
    const endpoints = slice.pods.flatMap((name) => {
      const pod = pods.get(name);
      const address = pod && addressOf(pod, slice.family);
      if (!pod || address === undefined) return [];
      return [
        {
          addresses: [address],
          conditions: endpointConditions(service, pod),
          ...(service.hostnames ? { hostname: pod.name } : {}),
          targetRef: { kind: 'Pod', namespace: service.namespace, name: pod.name, uid: pod.uid },
          nodeName: pod.nodeName,
          zone: pod.zone,
        },
      ];
    });
    const ports = service.ports.map((port) => ({ name: port.name ?? '', protocol: apiProtocol(port), port: port.port }));
    return {
      metadata: {
        name: slice.name,
        generateName: `${service.name.slice(0, 58)}-`,
        namespace: service.namespace,
        labels: sortedRecord({ ...service.selector, [MANAGED_BY_LABEL]: CONTROLLER_NAME, [SERVICE_NAME_LABEL]: service.name, [HEADLESS_LABEL]: '' }),
        ...(endpoints.length > 0 ? { annotations: { [TRIGGER_TIME]: now } } : {}),
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType: slice.family,
      // Empty lists come back from storage as null, as the API server returns them.
      endpoints: endpoints.length > 0 ? endpoints : null,
      ports: endpoints.length > 0 && ports.length > 0 ? ports : null,
    };
  }

  /** `<service>-<5 characters>`, as `generateName` makes them (deterministic, never repeated). */
  #name(service: string): string {
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i++) {
        this.#seed = (Math.imul(this.#seed, 1_103_515_245) + 12_345) >>> 0;
        suffix += ALPHABET[(this.#seed >>> 16) % ALPHABET.length];
      }
      const name = `${service.slice(0, 58)}-${suffix}`;
      if (this.#names.has(name)) continue;
      this.#names.add(name);
      return name;
    }
  }
}

/** The annotation the controller stamps on every slice it writes: volatile, so not a change by itself. */
export const VOLATILE_ANNOTATIONS: readonly string[] = [TRIGGER_TIME];
