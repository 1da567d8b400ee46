/**
 * From EndpointSlices to observed endpoints: each endpoint of a slice is mapped (named by its
 * pod, with its conditions, UID and placement), then every slice of the Service is merged,
 * keeping one copy of an endpoint that two slices hold during a transition (the copy written
 * last: it is the current one). An endpoint that cannot be used (no addresses, an address that
 * is not one) is a problem, and its last good copy stays: bad input never removes a peer.
 *
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ObservedEndpoint } from '../membership/observation';
import { isDnsLabel, isDnsSubdomain } from '../names';
import { asRecord, type EndpointSlice, type SliceProblem } from './endpoint-slice';
import type { SliceMapping } from './settings';

/** An observed endpoint and the key that says which endpoint of the Service it is. */
export interface KeyedEndpoint {
  /** `<addressType>/<pod name or first address>`: the same pod in two slices of one family has one key. */
  readonly key: string;
  readonly endpoint: ObservedEndpoint;
}

/** A slice's endpoints, and what was wrong with some of them. */
export interface MappedSlice {
  readonly endpoints: readonly KeyedEndpoint[];
  readonly problems: readonly SliceProblem[];
}

/** The conditions, as the API documents their nil values: `ready` and `serving` true, `terminating` false. */
function condition(conditions: Record<string, unknown> | undefined, name: string): boolean | undefined {
  const value = conditions?.[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** An IPv6 address in canonical text form (lower case, `::` compression), as DNS sources give it. */
export function canonical(address: string, family: 4 | 6): string {
  return family === 4 ? address : new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The port of `slice` for the configured named port, the numeric port, or `null`. */
function slicePort(ports: readonly unknown[], mapping: SliceMapping): number | null {
  if (mapping.portName === null) return mapping.port;
  for (const entry of ports) {
    const port = asRecord(entry);
    const protocol = typeof port?.['protocol'] === 'string' ? port['protocol'].toLowerCase() : 'tcp';
    const number = port?.['port'];
    if (port?.['name'] === mapping.portName && protocol === mapping.protocol && typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 65_535) {
      return number;
    }
  }
  return null;
}

/** The endpoints of one slice, in the families `mapping` keeps; `previous` are its last mapped ones (for the last good copy of a bad endpoint). */
export function mapSlice(slice: EndpointSlice, mapping: SliceMapping, previous: readonly KeyedEndpoint[] = []): MappedSlice {
  const family = slice.addressType === 'IPv4' ? 4 : slice.addressType === 'IPv6' ? 6 : null;
  // FQDN slices (deprecated, written by hand) name no pod addresses.
  if (family === null || (mapping.family !== 'both' && mapping.family !== family)) return { endpoints: [], problems: [] };
  const port = slicePort(slice.ports, mapping);
  const endpoints: KeyedEndpoint[] = [];
  const problems: SliceProblem[] = [];
  const keep = (key: string): void => {
    const last = previous.find((candidate) => candidate.key === key);
    if (last) endpoints.push(last);
  };
  for (const [index, entry] of slice.endpoints.entries()) {
    const endpoint = asRecord(entry);
    const where = `endpoint ${index} of the EndpointSlice ${slice.name}`;
    if (!endpoint) {
      problems.push({ key: `endpoint:${slice.name}:${index}`, message: `The ${where} is not an object.` });
      continue;
    }
    const targetRef = asRecord(endpoint['targetRef']);
    const podName = targetRef?.['kind'] === 'Pod' && typeof targetRef['name'] === 'string' ? targetRef['name'] : undefined;
    const hostname = typeof endpoint['hostname'] === 'string' ? endpoint['hostname'] : undefined;
    if ((podName !== undefined && !isDnsSubdomain(podName)) || (hostname !== undefined && !isDnsLabel(hostname))) {
      problems.push({ key: `name:${slice.name}:${index}`, message: `The ${where} has a pod name or hostname that is not a DNS name.` });
      continue;
    }
    const pod = podName ?? hostname;
    const addresses = Array.isArray(endpoint['addresses']) ? (endpoint['addresses'] as unknown[]) : [];
    const valid = addresses.filter((address): address is string => typeof address === 'string' && (family === 4 ? isIPv4(address) : isIPv6(address)));
    if (valid.length === 0 || valid.length !== addresses.length) {
      const what = addresses.length === 0 ? 'has no addresses' : `has an address that is not an ${slice.addressType} address`;
      problems.push({ key: `addresses:${slice.name}:${pod ?? index}`, message: `The ${where}${pod === undefined ? '' : ` (${pod})`} ${what}.` });
      if (pod !== undefined) keep(`${slice.addressType}/${pod}`);
      continue;
    }
    const canonicalAddresses = valid.map((address) => canonical(address, family));
    const key = `${slice.addressType}/${pod ?? (canonicalAddresses[0] as string)}`;
    const conditions = asRecord(endpoint['conditions']);
    const uid = typeof targetRef?.['uid'] === 'string' && targetRef['uid'] !== '' ? targetRef['uid'] : undefined;
    const nodeName = typeof endpoint['nodeName'] === 'string' && endpoint['nodeName'] !== '' ? endpoint['nodeName'] : undefined;
    const zone = typeof endpoint['zone'] === 'string' && endpoint['zone'] !== '' ? endpoint['zone'] : undefined;
    endpoints.push({
      key,
      endpoint: {
        host: hostname === undefined ? null : `${hostname}.${mapping.serviceDomain}`,
        addresses: canonicalAddresses,
        port,
        ...(pod === undefined ? {} : { pod }),
        // `serving` is the pod's Ready condition even where `ready` is forced true (publishNotReadyAddresses).
        ready: condition(conditions, 'serving') ?? condition(conditions, 'ready') ?? true,
        draining: condition(conditions, 'terminating') ?? false,
        ...(uid === undefined ? {} : { uid }),
        ...(nodeName === undefined ? {} : { nodeName }),
        ...(zone === undefined ? {} : { zone }),
      },
    });
  }
  return { endpoints, problems };
}

/** One slice's mapped endpoints, and when it was last written (a counter: higher is later). */
export interface StoredSlice {
  readonly written: number;
  readonly endpoints: readonly KeyedEndpoint[];
}

/** Every endpoint of the Service once: of two copies in two slices, the one written last. */
export function mergeSlices(slices: Iterable<StoredSlice>): ObservedEndpoint[] {
  const newestFirst = [...slices].sort((a, b) => b.written - a.written);
  const merged = new Map<string, ObservedEndpoint>();
  for (const slice of newestFirst) {
    for (const { key, endpoint } of slice.endpoints) if (!merged.has(key)) merged.set(key, endpoint);
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, endpoint]) => endpoint);
}
