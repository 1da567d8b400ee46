/**
 * Objects a well-behaved API server never sends for a Service, for testing that a client reports
 * and ignores them: an endpoint without addresses, a slice owned by another Service that carries
 * this Service's label, an object of the wrong kind, a line that is not JSON. Hand them to
 * `FakeKubernetesApi.putObject` (stored: seen by lists and watches) or `injectWatchEvent` /
 * `injectWatchLine` (sent once on the open watches).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from './cluster-state';
import { CONTROLLER_NAME, HEADLESS_LABEL, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './endpoint-slices';

/** A Service by name and namespace (a `FakeService` is one). */
export interface ServiceRef {
  /** The Service's name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** A watch event line that is cut short: not valid JSON. */
export const MALFORMED_WATCH_LINE = '{"type":"MODIFIED","object":{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"trunc';

function slice(service: ServiceRef, name: string, owner: { name: string; uid: string }, endpoints: unknown[]): KubeObject {
  return {
    metadata: {
      name,
      generateName: `${owner.name}-`,
      namespace: service.namespace,
      labels: { [MANAGED_BY_LABEL]: CONTROLLER_NAME, [SERVICE_NAME_LABEL]: service.name, [HEADLESS_LABEL]: '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: '', protocol: 'TCP', port: 9 }],
  };
}

/**
 * A slice labelled for `service` whose one endpoint has no `addresses` (the API requires 1 to
 * 100): named `<service>-noaddr`, for pod `<service>-99`.
 */
export function endpointSliceWithoutAddresses(service: ServiceRef & { readonly uid?: string }): KubeObject {
  return slice(service, `${service.name}-noaddr`, { name: service.name, uid: service.uid ?? randomUUID() }, [
    {
      conditions: { ready: true, serving: true, terminating: false },
      hostname: `${service.name}-99`,
      targetRef: { kind: 'Pod', namespace: service.namespace, name: `${service.name}-99`, uid: randomUUID() },
    },
  ]);
}

/**
 * A slice that carries `service`'s `kubernetes.io/service-name` label but is owned by the Service
 * `owner` (a copy made by hand, a mirroring tool gone wrong), with one ready endpoint of pod
 * `<owner>-0` at 127.0.0.99 (loopback, so a client that wrongly dials it sends nothing out): named `<owner>-foreign`.
 */
export function foreignEndpointSlice(service: ServiceRef, owner: string): KubeObject {
  return slice(service, `${owner}-foreign`, { name: owner, uid: randomUUID() }, [
    {
      addresses: ['127.0.0.99'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: `${owner}-0`,
      targetRef: { kind: 'Pod', namespace: service.namespace, name: `${owner}-0`, uid: randomUUID() },
    },
  ]);
}

/** A ConfigMap that carries `service`'s slice label: not an EndpointSlice, whatever its labels say. */
export function wrongKindObject(service: ServiceRef): KubeObject {
  return {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: `${service.name}-not-a-slice`, namespace: service.namespace, labels: { [SERVICE_NAME_LABEL]: service.name } },
    data: { note: 'not an EndpointSlice' },
  };
}
