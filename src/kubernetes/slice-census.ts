/**
 * A Service's EndpointSlices counted as the doctor reports them: one entry per pod (its
 * endpoints of both families, and a copy another slice holds during a transition, counted
 * once), with its three conditions as the API reference reads their nil values (`ready` and
 * `serving` true, `terminating` false). `ready` is what CoreDNS publishes; `serving` is the
 * pod's own readiness, true even where `publishNotReadyAddresses` forces `ready`. The source
 * maps slices its own way (`slice-endpoints.ts`); this never drops or keeps a peer, it counts.
 *
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import { compareAddresses } from '../membership/identity';
import { asRecord, readEndpointSlice } from './endpoint-slice';
import type { SliceFamily } from './settings';
import { canonical } from './slice-endpoints';

/** A port of a slice. */
export interface SlicePort {
  /** `''` for an unnamed port. */
  readonly name: string;
  readonly port: number | undefined;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
}

/** One slice of the Service. */
export interface CensusSlice {
  readonly name: string;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  /** Its endpoints, as listed (0 for the controller's placeholder). */
  readonly endpoints: number;
  readonly ports: readonly SlicePort[];
}

/** One pod (or unnamed endpoint) of the Service, over every slice that holds it. */
export interface CensusEndpoint {
  /** The pod (`targetRef.name`), else the endpoint's `hostname`, else its first address. */
  readonly name: string;
  /** `targetRef.name` of a Pod. */
  readonly pod: string | undefined;
  /** The endpoint's `hostname`: its per-pod DNS name is `<hostname>.<service>…`. */
  readonly hostname: string | undefined;
  /** Its addresses of the families counted, IPv4 first. */
  readonly addresses: readonly string[];
  /** `conditions.ready`: what DNS publishes. */
  readonly ready: boolean;
  /** `conditions.serving` (else `ready`): the pod's Ready condition. */
  readonly serving: boolean;
  /** `conditions.terminating`: the pod is shutting down. */
  readonly terminating: boolean;
  readonly nodeName: string | undefined;
  readonly zone: string | undefined;
  /** The slices that hold it. */
  readonly slices: readonly string[];
}

/** What the Service's slices say. */
export interface SliceCensus {
  readonly slices: readonly CensusSlice[];
  /** By name (`mysql-2` before `mysql-10`). */
  readonly endpoints: readonly CensusEndpoint[];
  /** Names held by two slices of one address family at once (a transition: counted once). */
  readonly duplicated: readonly string[];
  /** What was ignored and why: an object that is not a slice of this Service, an endpoint without a usable address. */
  readonly problems: readonly string[];
}

interface Mutable {
  name: string;
  pod: string | undefined;
  hostname: string | undefined;
  addresses: Set<string>;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string | undefined;
  zone: string | undefined;
  slices: Set<string>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const flag = (conditions: Record<string, unknown> | undefined, name: string): boolean | undefined =>
  typeof conditions?.[name] === 'boolean' ? (conditions[name] as boolean) : undefined;

/** Count the endpoints of `items` (a list's items), the EndpointSlices of `service`, in the address families of `family`. */
export function takeCensus(items: readonly unknown[], service: string, family: SliceFamily): SliceCensus {
  const slices: CensusSlice[] = [];
  const problems: string[] = [];
  const byName = new Map<string, Mutable>();
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const item of items) {
    const read = readEndpointSlice(item, service);
    if (!read.ok) {
      problems.push(read.problem.message);
      continue;
    }
    const slice = read.slice;
    slices.push({ name: slice.name, addressType: slice.addressType, endpoints: slice.endpoints.length, ports: slice.ports.flatMap(readPort) });
    const own = slice.addressType === 'IPv4' ? 4 : slice.addressType === 'IPv6' ? 6 : null;
    if (own === null) {
      problems.push(`The EndpointSlice ${slice.name} has addressType FQDN (deprecated): it names no pod address, so it is not counted.`);
      continue;
    }
    if (family !== 'both' && family !== own) continue;
    for (const [index, entry] of slice.endpoints.entries()) {
      const endpoint = asRecord(entry);
      const targetRef = asRecord(endpoint?.['targetRef']);
      const pod = targetRef?.['kind'] === 'Pod' ? text(targetRef['name']) : undefined;
      const hostname = text(endpoint?.['hostname']);
      const raw = Array.isArray(endpoint?.['addresses']) ? (endpoint['addresses'] as unknown[]) : [];
      const addresses = raw.filter((address): address is string => typeof address === 'string' && (own === 4 ? isIPv4(address) : isIPv6(address)));
      if (addresses.length === 0) {
        problems.push(`Endpoint ${index}${pod === undefined ? '' : ` (${pod})`} of the EndpointSlice ${slice.name} has no usable ${slice.addressType} address: not counted.`);
        continue;
      }
      const canonicalAddresses = addresses.map((address) => canonical(address, own));
      const name = pod ?? hostname ?? (canonicalAddresses[0] as string);
      const key = `${slice.addressType}/${name}`;
      if (seen.has(key)) duplicated.add(name);
      seen.add(key);
      const conditions = asRecord(endpoint?.['conditions']);
      const ready = flag(conditions, 'ready') ?? true;
      const serving = flag(conditions, 'serving') ?? ready;
      const terminating = flag(conditions, 'terminating') ?? false;
      const known = byName.get(name);
      if (known) {
        for (const address of canonicalAddresses) known.addresses.add(address);
        known.slices.add(slice.name);
        known.ready &&= ready;
        known.serving &&= serving;
        known.terminating ||= terminating;
        continue;
      }
      byName.set(name, {
        name,
        pod,
        hostname,
        addresses: new Set(canonicalAddresses),
        ready,
        serving,
        terminating,
        nodeName: text(endpoint?.['nodeName']),
        zone: text(endpoint?.['zone']),
        slices: new Set([slice.name]),
      });
    }
  }
  const endpoints = [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
    .map((entry): CensusEndpoint => ({ ...entry, addresses: [...entry.addresses].sort(compareAddresses), slices: [...entry.slices] }));
  return { slices, endpoints, duplicated: [...duplicated].sort(), problems };
}

function readPort(entry: unknown): SlicePort[] {
  const port = asRecord(entry);
  if (!port) return [];
  return [{ name: text(port['name']) ?? '', port: typeof port['port'] === 'number' ? port['port'] : undefined, protocol: text(port['protocol']) ?? 'TCP' }];
}
