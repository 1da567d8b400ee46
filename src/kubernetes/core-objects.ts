/**
 * The core `v1` Service and Pod as the doctor reads them: the fields that decide what DNS and
 * the EndpointSlice controller make of a headless Service (type, clusterIP, selector, ports,
 * `publishNotReadyAddresses`) and of its pods (readiness, termination, owner, hostname and
 * subdomain, addresses). Pure: a field of the wrong shape reads as absent.
 *
 * @module
 */
import { asRecord, objectName } from './endpoint-slice';

/** A port of a Service's `spec.ports`. */
export interface ServicePortSpec {
  /** `''` for an unnamed port (only a Service with one port may leave it unnamed). */
  readonly name: string;
  readonly port: number | undefined;
  /** `TCP`, `UDP` or `SCTP` (default `TCP`). */
  readonly protocol: string;
  /** The pod port, a number or a container port's name; `undefined`: the same as `port`. */
  readonly targetPort: number | string | undefined;
}

/** A Service, as the doctor reads it. */
export interface ServiceSpec {
  readonly name: string;
  /** `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`. */
  readonly type: string;
  /** `None` for a headless Service; `undefined` for an ExternalName one. */
  readonly clusterIP: string | undefined;
  /** The target of an ExternalName Service. */
  readonly externalName: string | undefined;
  /** `spec.selector`; `null` when it has none (its EndpointSlices are then written by hand). */
  readonly selector: Readonly<Record<string, string>> | null;
  readonly ports: readonly ServicePortSpec[];
  readonly publishNotReadyAddresses: boolean;
}

/** A Pod, as the doctor reads it. */
export interface PodSummary {
  readonly name: string;
  /** `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`. */
  readonly phase: string;
  /** Its `Ready` condition is `True`. */
  readonly ready: boolean;
  /** `metadata.deletionTimestamp` is set: it is shutting down. */
  readonly terminating: boolean;
  /** The StatefulSet that controls it (`ownerReferences`), if one does. */
  readonly statefulSet: string | undefined;
  readonly hostname: string | undefined;
  readonly subdomain: string | undefined;
  readonly nodeName: string | undefined;
  /** `status.podIPs` (else `podIP`). */
  readonly addresses: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function stringRecord(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The Service `object` describes, or `undefined` when it has no name. */
export function readService(object: unknown): ServiceSpec | undefined {
  const name = objectName(object);
  if (name === undefined) return undefined;
  const spec = asRecord(asRecord(object)?.['spec']) ?? {};
  const selector = stringRecord(spec['selector']);
  const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
  return {
    name,
    type: text(spec['type']) ?? 'ClusterIP',
    clusterIP: text(spec['clusterIP']),
    externalName: text(spec['externalName']),
    selector: selector === undefined || Object.keys(selector).length === 0 ? null : selector,
    ports: ports.flatMap((entry): ServicePortSpec[] => {
      const port = asRecord(entry);
      if (!port) return [];
      const target = port['targetPort'];
      return [
        {
          name: text(port['name']) ?? '',
          port: typeof port['port'] === 'number' ? port['port'] : undefined,
          protocol: text(port['protocol']) ?? 'TCP',
          targetPort: typeof target === 'number' || (typeof target === 'string' && target !== '') ? target : undefined,
        },
      ];
    }),
    publishNotReadyAddresses: spec['publishNotReadyAddresses'] === true,
  };
}

/** The Pod `object` describes, or `undefined` when it has no name. */
export function readPod(object: unknown): PodSummary | undefined {
  const name = objectName(object);
  if (name === undefined) return undefined;
  const record = asRecord(object) ?? {};
  const metadata = asRecord(record['metadata']) ?? {};
  const spec = asRecord(record['spec']) ?? {};
  const status = asRecord(record['status']) ?? {};
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  const ready = conditions.some((condition) => asRecord(condition)?.['type'] === 'Ready' && asRecord(condition)?.['status'] === 'True');
  const owners = Array.isArray(metadata['ownerReferences']) ? metadata['ownerReferences'] : [];
  const owner = owners.map(asRecord).find((reference) => reference?.['kind'] === 'StatefulSet' && reference['controller'] === true);
  const podIPs = Array.isArray(status['podIPs']) ? status['podIPs'].flatMap((entry) => text(asRecord(entry)?.['ip']) ?? []) : [];
  const podIP = text(status['podIP']);
  return {
    name,
    phase: text(status['phase']) ?? 'Unknown',
    ready,
    terminating: text(metadata['deletionTimestamp']) !== undefined,
    statefulSet: text(owner?.['name']),
    hostname: text(spec['hostname']),
    subdomain: text(spec['subdomain']),
    nodeName: text(spec['nodeName']),
    addresses: podIPs.length > 0 ? podIPs : podIP === undefined ? [] : [podIP],
    labels: stringRecord(metadata['labels']) ?? {},
  };
}

/** A selector as `kubectl -l` and `labelSelector` take it: `app=mysql,tier=db`, keys sorted. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
