/**
 * The fake cluster's state, written into the API's store as the controllers would write it:
 * the Services, their pods, and the EndpointSlices the slice controller makes of them. Run after
 * every change of the cluster; what changed becomes watch events, in the order a cluster makes
 * them (a Service, then its pods, then their slices; deletions the other way round).
 *
 * @module
 */
import { apiTimestamp } from '../fake-pod';
import type { ServiceRef } from './bad-input';
import type { ClusterStateSource, KubeObject } from './cluster-state';
import { EndpointSliceController } from './endpoint-slices';
import { podObject, serviceObject } from './objects';
import type { ObjectStore } from './store';

/** Keeps the store in step with the cluster. */
export class ClusterMirror {
  readonly #source: ClusterStateSource;
  readonly #store: ObjectStore;
  readonly #slices: EndpointSliceController;

  constructor(source: ClusterStateSource, store: ObjectStore, maxEndpointsPerSlice: number) {
    this.#source = source;
    this.#store = store;
    this.#slices = new EndpointSliceController(maxEndpointsPerSlice);
  }

  /** Rebuild every object from the cluster's state; write only what changed. */
  sync(): void {
    const services = [...this.#source.services()];
    const serviceObjects = new Map(services.map((service) => [`${service.namespace}/${service.name}`, serviceObject(service)]));
    const pods = new Map<string, KubeObject>();
    for (const service of services) for (const pod of service.pods) pods.set(`${service.namespace}/${pod.name}`, podObject(service, pod));
    const slices = this.#slices.reconcile(services, apiTimestamp(Date.now()));
    const goneServices = this.#store.putManaged('services', serviceObjects);
    const gonePods = this.#store.putManaged('pods', pods);
    this.#store.removeKeys('endpointslices', this.#store.putManaged('endpointslices', slices));
    this.#store.removeKeys('pods', gonePods);
    this.#store.removeKeys('services', goneServices);
  }

  /** Have a pod's endpoints also appear in an extra slice of its Service (or stop), and sync. */
  duplicate(service: ServiceRef, pod: string, on: boolean): void {
    this.#slices.duplicate(service.namespace, service.name, pod, on);
    this.sync();
  }
}
