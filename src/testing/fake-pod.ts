/**
 * A pod of the fake cluster, as both the DNS and the Kubernetes API see it: one incarnation of a
 * StatefulSet member (a restart is a new incarnation, with a new UID), placed on a node and a
 * zone, and possibly terminating.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ZonePod } from './zone';

/** A pod as the fake cluster holds it. */
export interface FakePod extends ZonePod {
  /** `<statefulSet>-<ordinal>`. */
  readonly name: string;
  /** Its StatefulSet ordinal. */
  readonly ordinal: number;
  /** Its pod IPs (one per family, the Service's first family first). */
  readonly addresses: readonly string[];
  /** Its `Ready` condition: the endpoint's `serving`. Not-ready pods are left out of DNS unless the Service publishes them. */
  readonly ready: boolean;
  /** `metadata.uid`: new for every incarnation (`restart()`, and re-creation by `scale()`). */
  readonly uid: string;
  /** `spec.nodeName`: `node-<ordinal % 3>`. */
  readonly nodeName: string;
  /** The zone of its node (`topology.kubernetes.io/zone`): `zone-a`, `zone-b` or `zone-c`, with the node. */
  readonly zone: string;
  /** `metadata.creationTimestamp` of this incarnation (RFC 3339, whole seconds). */
  readonly creationTimestamp: string;
  /** `metadata.deletionTimestamp` once `terminate()` marked it for deletion, else `null`. */
  readonly deletionTimestamp: string | null;
  /** Whether it is terminating (`deletionTimestamp` set): gone from DNS unless the Service publishes not-ready addresses, `terminating: true` in its EndpointSlices. */
  readonly terminating: boolean;
}

/** Grace period of a terminating pod, as `terminationGracePeriodSeconds` defaults to. */
export const TERMINATION_GRACE_SECONDS = 30;

const NODES = 3;
const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

/** A timestamp as the API writes it: RFC 3339 in UTC, whole seconds. */
export function apiTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A new incarnation of the pod of `ordinal`: a new UID, on the node its ordinal places it on. */
export function newPod(name: string, ordinal: number, addresses: readonly string[], ready: boolean, now = Date.now()): FakePod {
  const node = ((ordinal % NODES) + NODES) % NODES;
  return {
    name,
    ordinal,
    addresses,
    ready,
    uid: randomUUID(),
    nodeName: `node-${node}`,
    zone: ZONES[node] as string,
    creationTimestamp: apiTimestamp(now),
    deletionTimestamp: null,
    terminating: false,
  };
}

/** The same pod, marked for deletion at `now` (the API's deletionTimestamp is when the grace period ends). */
export function terminatingPod(pod: FakePod, now = Date.now()): FakePod {
  if (pod.terminating) return pod;
  return { ...pod, terminating: true, deletionTimestamp: apiTimestamp(now + TERMINATION_GRACE_SECONDS * 1000) };
}
