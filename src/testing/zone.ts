/**
 * What CoreDNS's `kubernetes` plugin answers for a cluster state (pure). The rules follow
 * CoreDNS (`plugin/kubernetes`, `plugin/backend_lookup.go`) as described in the project's
 * Kubernetes DNS notes: only ready endpoints unless `publishNotReadyAddresses`, NXDOMAIN for a
 * headless Service without ready endpoints, NODATA for an existing name of another type, SRV
 * with priority 0 and weight floor(100 / N), target addresses in the additional section.
 *
 * @module
 */
import { isIP } from 'node:net';
import { reverseName } from '../dns/reverse';
import { dashedName } from '../names';

/** A port of a Service. Only named ports have SRV records. */
export interface FakePort {
  /** The port's name: named ports get SRV records. */
  readonly name?: string;
  /** The port number. */
  readonly port: number;
  /** Default: `tcp`. */
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
}

/** What DNS needs of a pod (the fake cluster's pods, `FakePod`, carry more). */
export interface ZonePod {
  /** `<statefulSet>-<ordinal>`. */
  readonly name: string;
  /** Its StatefulSet ordinal. */
  readonly ordinal: number;
  /** Its pod IPs (one per family). */
  readonly addresses: readonly string[];
  /** Whether it is ready (not-ready pods are left out of DNS unless the Service publishes them). */
  readonly ready: boolean;
  /** Whether it is terminating (its deletionTimestamp is set). Default: false. */
  readonly terminating?: boolean;
}

/** A headless Service and the pods it selects. */
export interface ZoneService {
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly FakePort[];
  readonly publishNotReadyAddresses: boolean;
  /** False for pods without a hostname (Deployment-style): they are named by their dashed IP. */
  readonly hostnames: boolean;
  readonly pods: readonly ZonePod[];
}

/** The whole zone. */
export interface ZoneState {
  readonly clusterDomain: string;
  readonly ttl: number;
  /** SOA serial: changes with every change of the cluster. */
  readonly serial: number;
  /** Which SRV answers carry glue: all, none, or those of at most this many targets. Default: all. */
  readonly srvGlue?: 'all' | 'none' | number;
  readonly services: readonly ZoneService[];
}

/** A resource record to put on the wire. Names are absolute, lower-case, with a trailing dot. */
export type ZoneRecord =
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly ttl: number; readonly address: string }
  | {
      readonly type: 'SRV';
      readonly name: string;
      readonly ttl: number;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: 'PTR'; readonly name: string; readonly ttl: number; readonly target: string }
  | {
      readonly type: 'SOA';
      readonly name: string;
      readonly ttl: number;
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    };

/** The answer to one question. */
export interface ZoneAnswer {
  readonly rcode: number;
  readonly answers: readonly ZoneRecord[];
  readonly authorities: readonly ZoneRecord[];
  readonly additionals: readonly ZoneRecord[];
}

const NOERROR = 0;
const NXDOMAIN = 3;
const REFUSED = 5;

/** An endpoint: one address of one visible pod, with the name DNS gives it. */
interface Endpoint {
  readonly hostname: string;
  readonly address: string;
}

/**
 * Whether DNS lists a pod: CoreDNS serves the endpoints whose `ready` condition is true, and the
 * EndpointSlice controller writes `ready = publishNotReadyAddresses || (serving && !terminating)`.
 */
export function isListed(service: Pick<ZoneService, 'publishNotReadyAddresses'>, pod: ZonePod): boolean {
  return service.publishNotReadyAddresses || (pod.ready && pod.terminating !== true);
}

function endpoints(service: ZoneService): Endpoint[] {
  return service.pods
    .filter((pod) => isListed(service, pod))
    .flatMap((pod) =>
      pod.addresses.map((address) => ({ hostname: service.hostnames ? pod.name : dashedName(address), address })),
    );
}

/** Answer `qtype` for `qname` (any case, with or without the trailing dot). */
export function answerQuestion(state: ZoneState, qname: string, qtype: string): ZoneAnswer {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const zone = state.clusterDomain.toLowerCase();
  const soa: ZoneRecord = {
    type: 'SOA',
    name: `${zone}.`,
    ttl: Math.min(state.ttl, 300),
    mname: `ns.dns.${zone}.`,
    rname: `hostmaster.${zone}.`,
    serial: state.serial,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: state.ttl,
  };
  const negative = (rcode: number): ZoneAnswer => ({ rcode, answers: [], authorities: [soa], additionals: [] });
  const positive = (answers: ZoneRecord[], additionals: ZoneRecord[] = []): ZoneAnswer =>
    answers.length === 0 ? negative(NOERROR) : { rcode: NOERROR, answers, authorities: [], additionals };

  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return reverse(state, name, qtype, negative, positive);
  if (name !== zone && !name.endsWith(`.${zone}`)) return { rcode: REFUSED, answers: [], authorities: [], additionals: [] };

  const labels = name === zone ? [] : name.slice(0, -(zone.length + 1)).split('.');
  const svcIndex = labels.lastIndexOf('svc');
  // `<zone>`, `svc.<zone>`, `<ns>.svc.<zone>` exist but hold no records (NODATA).
  if (labels.length === 0 || (svcIndex === labels.length - 1 && labels.length <= 2)) return negative(NOERROR);
  if (svcIndex !== labels.length - 1 || labels.length < 3) return negative(NXDOMAIN);

  const namespace = labels[labels.length - 2] as string;
  const serviceName = labels[labels.length - 3] as string;
  const service = state.services.find((candidate) => candidate.name === serviceName && candidate.namespace === namespace);
  if (!service) return negative(NXDOMAIN);
  const serviceHost = `${serviceName}.${namespace}.svc.${zone}`;
  const visible = endpoints(service);
  const prefix = labels.slice(0, -3);

  if (prefix.length === 0) {
    if (visible.length === 0) return negative(NXDOMAIN);
    if (qtype === 'SRV') return withGlue(state, srv(state.ttl, `${serviceHost}.`, serviceHost, visible, service.ports, negative, positive));
    return positive(addressRecords(`${serviceHost}.`, state.ttl, visible, qtype));
  }
  if (prefix.length === 1) {
    const own = visible.filter((endpoint) => endpoint.hostname === prefix[0]);
    if (own.length === 0) return negative(NXDOMAIN);
    return positive(addressRecords(`${prefix[0]}.${serviceHost}.`, state.ttl, own, qtype));
  }
  if (prefix.length === 2 && prefix[0]?.startsWith('_') && prefix[1]?.startsWith('_')) {
    const portName = prefix[0].slice(1);
    const protocol = prefix[1].slice(1);
    const ports = service.ports.filter(
      (port) => port.name !== undefined && port.name.toLowerCase() === portName && (port.protocol ?? 'tcp') === protocol,
    );
    if (ports.length === 0 || visible.length === 0) return negative(NXDOMAIN);
    if (qtype !== 'SRV') return negative(NOERROR);
    return withGlue(state, srv(state.ttl, `${name}.`, serviceHost, visible, ports, negative, positive));
  }
  return negative(NXDOMAIN);
}

/** Drop the additional section where the zone's `srvGlue` says the server would. */
function withGlue(state: ZoneState, answer: ZoneAnswer): ZoneAnswer {
  const glue = state.srvGlue ?? 'all';
  const keep = glue === 'all' || (typeof glue === 'number' && answer.answers.length <= glue);
  return keep ? answer : { ...answer, additionals: [] };
}

function addressRecords(owner: string, ttl: number, list: readonly Endpoint[], qtype: string): ZoneRecord[] {
  const family = qtype === 'A' ? 4 : qtype === 'AAAA' ? 6 : 0;
  const seen = new Set<string>();
  const records: ZoneRecord[] = [];
  for (const endpoint of list) {
    if (isIP(endpoint.address) !== family || seen.has(endpoint.address)) continue;
    seen.add(endpoint.address);
    records.push({ type: family === 4 ? 'A' : 'AAAA', name: owner, ttl, address: endpoint.address });
  }
  return records;
}

function srv(
  ttl: number,
  owner: string,
  serviceHost: string,
  list: readonly Endpoint[],
  ports: readonly FakePort[],
  negative: (rcode: number) => ZoneAnswer,
  positive: (answers: ZoneRecord[], additionals?: ZoneRecord[]) => ZoneAnswer,
): ZoneAnswer {
  if (ports.length === 0) return negative(NOERROR);
  // Every (address × port) entry counts 100 before dedup, so weight = floor(100 / N), minimum 1.
  const weight = Math.max(1, Math.floor(100 / (list.length * ports.length)));
  const answers: ZoneRecord[] = [];
  const additionals: ZoneRecord[] = [];
  const seenTargets = new Set<string>();
  const seenGlue = new Set<string>();
  for (const port of ports) {
    for (const endpoint of list) {
      const target = `${endpoint.hostname}.${serviceHost}.`;
      const glueKey = `${target}/${endpoint.address}`;
      if (!seenGlue.has(glueKey)) {
        seenGlue.add(glueKey);
        additionals.push({ type: isIP(endpoint.address) === 4 ? 'A' : 'AAAA', name: target, ttl, address: endpoint.address });
      }
      const key = `${target}/${port.port}`;
      if (seenTargets.has(key)) continue;
      seenTargets.add(key);
      answers.push({ type: 'SRV', name: owner, ttl, priority: 0, weight, port: port.port, target });
    }
  }
  return positive(answers, additionals);
}

function reverse(
  state: ZoneState,
  name: string,
  qtype: string,
  negative: (rcode: number) => ZoneAnswer,
  positive: (answers: ZoneRecord[]) => ZoneAnswer,
): ZoneAnswer {
  const answers: ZoneRecord[] = [];
  for (const service of state.services) {
    for (const endpoint of endpoints(service)) {
      if (reverseName(endpoint.address) !== `${name}.`) continue;
      const target = `${endpoint.hostname}.${service.name}.${service.namespace}.svc.${state.clusterDomain.toLowerCase()}.`;
      answers.push({ type: 'PTR', name: `${name}.`, ttl: state.ttl, target });
    }
  }
  if (answers.length === 0) return negative(NXDOMAIN);
  return qtype === 'PTR' ? positive(answers) : negative(NOERROR);
}
