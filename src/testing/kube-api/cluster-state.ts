/**
 * What the fake Kubernetes API reads of the fake cluster: the same Services and pods the DNS
 * serves, so the two always describe one cluster.
 *
 * @module
 */
import type { FakePod } from '../fake-pod';
import type { FakePort } from '../zone';

/** A Service and its pods, as the API objects are built from them. */
export interface ApiServiceState {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly creationTimestamp: string;
  readonly statefulSet: string;
  readonly statefulSetUid: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly FakePort[];
  readonly publishNotReadyAddresses: boolean;
  /** The first is the primary family (that of the placeholder slice). */
  readonly ipFamilies: readonly ('IPv4' | 'IPv6')[];
  readonly hostnames: boolean;
  readonly pods: readonly FakePod[];
}

/** Where the API reads the cluster from. */
export interface ClusterStateSource {
  /** Every Service of the cluster, now. */
  services(): Iterable<ApiServiceState>;
}

/** A JSON object of the API (an EndpointSlice, a Service, a Pod, a Status…). */
export interface KubeObject {
  /** Absent on the items of a list response, as the API server sends them. */
  readonly kind?: string;
  /** Absent on the items of a list response, as the API server sends them. */
  readonly apiVersion?: string;
  /** `name`, `namespace`, `uid`, `resourceVersion`, `labels`, … */
  readonly metadata?: KubeMetadata;
  /** The rest of the object (`spec`, `status`, `endpoints`, …). */
  readonly [field: string]: unknown;
}

/** The fields of `metadata` the fake API reads (others are kept as they are). */
export interface KubeMetadata {
  /** The object's name. */
  readonly name?: string;
  /** Its namespace. */
  readonly namespace?: string;
  /** Its UID. */
  readonly uid?: string;
  /** Set by the server on every write. */
  readonly resourceVersion?: string;
  /** Its labels (what `labelSelector` matches). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Its annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Any other metadata field. */
  readonly [field: string]: unknown;
}
