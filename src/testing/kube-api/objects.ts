/**
 * The Service and Pod objects of the fake cluster, shaped as `GET /api/v1/…` returns them (the
 * field names and defaults of `k8s.io/api/core/v1`). Pure: the store adds `resourceVersion`.
 *
 * @module
 */
import { isIP } from 'node:net';
import { TERMINATION_GRACE_SECONDS, type FakePod } from '../fake-pod';
import type { FakePort } from '../zone';
import type { ApiServiceState, KubeObject } from './cluster-state';

/** Go's JSON encoder writes map keys in order: so do we. */
export function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `TCP`, `UDP` or `SCTP`, as the API spells a protocol. */
export function apiProtocol(port: FakePort): string {
  return (port.protocol ?? 'tcp').toUpperCase();
}

/** The headless Service. */
export function serviceObject(service: ApiServiceState): KubeObject {
  return {
    metadata: {
      name: service.name,
      namespace: service.namespace,
      uid: service.uid,
      creationTimestamp: service.creationTimestamp,
      labels: sortedRecord(service.selector),
    },
    spec: {
      ports: service.ports.map((port) => ({
        ...(port.name ? { name: port.name } : {}),
        protocol: apiProtocol(port),
        port: port.port,
        targetPort: port.port,
      })),
      selector: sortedRecord(service.selector),
      clusterIP: 'None',
      clusterIPs: ['None'],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ...(service.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ipFamilies: [...service.ipFamilies],
      ipFamilyPolicy: service.ipFamilies.length > 1 ? 'PreferDualStack' : 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

function condition(type: string, status: boolean, since: string): Record<string, unknown> {
  return { type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: since };
}

/** A pod of the Service's StatefulSet. */
export function podObject(service: ApiServiceState, pod: FakePod): KubeObject {
  const ips = pod.addresses.map((ip) => ({ ip }));
  const nodeIndex = Number(pod.nodeName.replace(/\D/g, '')) || 0;
  // Node addresses on loopback: a client that dials one by mistake sends nothing off the machine.
  const hostIP = `127.0.1.${nodeIndex + 1}`;
  return {
    metadata: {
      name: pod.name,
      generateName: `${service.statefulSet}-`,
      namespace: service.namespace,
      uid: pod.uid,
      creationTimestamp: pod.creationTimestamp,
      ...(pod.deletionTimestamp === null ? {} : { deletionTimestamp: pod.deletionTimestamp, deletionGracePeriodSeconds: TERMINATION_GRACE_SECONDS }),
      labels: sortedRecord({
        ...service.selector,
        'apps.kubernetes.io/pod-index': String(pod.ordinal),
        'controller-revision-hash': `${service.statefulSet}-6d4b8f7c9`,
        'statefulset.kubernetes.io/pod-name': pod.name,
      }),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: service.statefulSet, uid: service.statefulSetUid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      containers: [
        {
          name: service.statefulSet,
          image: 'registry.k8s.io/pause:3.10',
          ports: service.ports.map((port) => ({ ...(port.name ? { name: port.name } : {}), containerPort: port.port, protocol: apiProtocol(port) })),
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: pod.nodeName,
      ...(service.hostnames ? { hostname: pod.name, subdomain: service.name } : {}),
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', true, pod.creationTimestamp),
        condition('Initialized', true, pod.creationTimestamp),
        condition('Ready', pod.ready, pod.creationTimestamp),
        condition('ContainersReady', pod.ready, pod.creationTimestamp),
        condition('PodScheduled', true, pod.creationTimestamp),
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: pod.addresses[0],
      podIPs: ips,
      startTime: pod.creationTimestamp,
      qosClass: 'BestEffort',
    },
  };
}

/** The pod's address of a family, if it has one. */
export function addressOf(pod: FakePod, family: 'IPv4' | 'IPv6'): string | undefined {
  return pod.addresses.find((address) => isIP(address) === (family === 'IPv4' ? 4 : 6));
}
