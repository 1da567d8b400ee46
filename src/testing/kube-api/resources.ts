/**
 * The resources the fake API serves, with what the real API says of each: group, version,
 * kind, list kind, and the object a bookmark carries (the type's zero value with only
 * `metadata.resourceVersion` set, as the API server's JSON encoder writes it).
 *
 * @module
 */
import type { KubeObject } from './cluster-state';

/** A resource the fake Kubernetes API serves. */
export type KubeResource = 'endpointslices' | 'services' | 'pods';

/** What the API says of a resource. */
export interface ResourceInfo {
  readonly resource: KubeResource;
  /** `''` for the core group. */
  readonly group: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly listKind: string;
  /** The URL prefix of the group version: `/api/v1` or `/apis/<group>/<version>`. */
  readonly prefix: string;
  /** Whether the server counts `metadata.generation` (objects with a spec it tracks). */
  readonly generation: boolean;
  /** A bookmark's object: the zero value of the type with only `metadata.resourceVersion`. */
  bookmark(resourceVersion: string): KubeObject;
}

const zeroMetadata = (resourceVersion: string): Record<string, unknown> => ({ resourceVersion, creationTimestamp: null });

export const RESOURCES: Readonly<Record<KubeResource, ResourceInfo>> = {
  endpointslices: {
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    prefix: '/apis/discovery.k8s.io/v1',
    generation: true,
    bookmark: (rv) => ({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: zeroMetadata(rv), addressType: '', endpoints: null, ports: null }),
  },
  services: {
    resource: 'services',
    group: '',
    apiVersion: 'v1',
    kind: 'Service',
    listKind: 'ServiceList',
    prefix: '/api/v1',
    generation: false,
    bookmark: (rv) => ({ kind: 'Service', apiVersion: 'v1', metadata: zeroMetadata(rv), spec: {}, status: { loadBalancer: {} } }),
  },
  pods: {
    resource: 'pods',
    group: '',
    apiVersion: 'v1',
    kind: 'Pod',
    listKind: 'PodList',
    prefix: '/api/v1',
    generation: false,
    bookmark: (rv) => ({ kind: 'Pod', apiVersion: 'v1', metadata: zeroMetadata(rv), spec: { containers: null }, status: {} }),
  },
};

/** `endpointslices.discovery.k8s.io`, or `pods` for the core group: how RBAC messages name a resource. */
export function qualifiedName(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/** What `GET /version` answers (a recent release; the fake serves the v1 APIs every supported release has). */
export const KUBERNETES_VERSION: KubeObject = {
  major: '1',
  minor: '35',
  gitVersion: 'v1.35.0+headless-discovery-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-12-17T00:00:00Z',
  goVersion: 'go1.25.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};
