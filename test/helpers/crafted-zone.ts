/**
 * A headless Service's zone, answered by hand for the raw DNS server (raw-dns-server.ts), so a
 * test can change any one answer (a silent per-pod name, a foreign SRV target, a Service address
 * set that disagrees with the pods) while everything else answers as CoreDNS would. Its state is
 * plain mutable data: change it between polls.
 */
import { response, type ReceivedQuery, type RecordSpec } from './raw-dns-server';

/** A pod: its name (the first label of its DNS name) and its one IPv4 address. */
export interface CraftedPod {
  readonly name: string;
  address: string;
}

export interface CraftedZoneOptions {
  readonly service: string;
  readonly namespace?: string;
  readonly zone?: string;
  /** The named port: SRV is asked at `_<portName>._tcp.<service>…`. */
  readonly portName: string;
  readonly port: number;
  /** `mysql-0` … `mysql-(replicas-1)`, at 10.244.<i / 250>.<i % 250 + 1>. */
  readonly replicas: number;
  /** Put every in-zone target's A record in the SRV answer's additional section. Default: false. */
  readonly glue?: boolean;
}

export interface CraftedZone {
  /** `mysql.default.svc.cluster.local` */
  readonly serviceHost: string;
  /** `_mysql._tcp.mysql.default.svc.cluster.local` */
  readonly srvName: string;
  readonly zone: string;
  readonly pods: CraftedPod[];
  /** The SRV targets, when they are not every pod's host (foreign ones, say). */
  targets: string[] | undefined;
  /** The Service's A set, when it is not every pod's address. */
  serviceAddresses: string[] | undefined;
  /** A records of names besides the pods' (foreign targets), by lower-case name. */
  readonly extra: Map<string, string>;
  /** PTR names of addresses besides the pods', by address. */
  readonly extraPtr: Map<string, string>;
  glue: boolean;
  /** `mysql-1.mysql.default.svc.cluster.local` */
  podHost(name: string): string;
  /** The lower-case name without its trailing dot. */
  normalize(name: string): string;
  /** True when `query` asks for the addresses of a pod's own name (A or AAAA). */
  isPodQuery(query: ReceivedQuery): boolean;
  /** The reply CoreDNS would send for this state (TC=1 with no records when it does not fit UDP). */
  answer(query: ReceivedQuery): Buffer;
}

const A = 1;
const AAAA = 28;
const PTR = 12;
const SRV = 33;

/** `d.c.b.a.in-addr.arpa` of an IPv4 address. */
export function reverseV4(address: string): string {
  return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
}

export function podAddress(index: number): string {
  return `10.244.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export function craftedZone(options: CraftedZoneOptions): CraftedZone {
  const namespace = options.namespace ?? 'default';
  const zoneName = options.zone ?? 'cluster.local';
  const serviceHost = `${options.service}.${namespace}.svc.${zoneName}`;
  const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, '');
  const pods: CraftedPod[] = Array.from({ length: options.replicas }, (_, index) => ({ name: `${options.service}-${index}`, address: podAddress(index) }));

  const zone: CraftedZone = {
    serviceHost,
    srvName: `_${options.portName}._tcp.${serviceHost}`,
    zone: zoneName,
    pods,
    targets: undefined,
    serviceAddresses: undefined,
    extra: new Map(),
    extraPtr: new Map(),
    glue: options.glue ?? false,
    podHost: (name) => `${name}.${serviceHost}`,
    normalize,
    isPodQuery: (query) => (query.type === A || query.type === AAAA) && pods.some((pod) => zone.podHost(pod.name) === normalize(query.name)),
    answer(query) {
      const name = normalize(query.name);
      const soa: RecordSpec = { type: 'SOA', name: zoneName, minimum: 5 };
      const nodata = () => response(query, { authorities: [soa] });
      const nxdomain = () => response(query, { rcode: 3, authorities: [soa] });
      const addressOf = (host: string): string | undefined =>
        pods.find((pod) => zone.podHost(pod.name) === normalize(host))?.address ?? zone.extra.get(normalize(host));
      let reply: Buffer;
      if (name === zone.srvName && query.type === SRV) {
        const targets = (zone.targets ?? pods.map((pod) => zone.podHost(pod.name))).map((target) => target.replace(/\.$/, ''));
        const weight = Math.max(1, Math.floor(100 / Math.max(1, targets.length)));
        const glue: RecordSpec[] = [];
        if (zone.glue) {
          for (const target of targets) {
            const address = normalize(target).endsWith(`.${zoneName}`) ? addressOf(target) : undefined;
            if (address) glue.push({ type: 'A', name: target, address });
          }
        }
        reply = response(query, {
          answers: targets.map((target) => ({ type: 'SRV', name: zone.srvName, target, port: options.port, weight })),
          additionals: glue,
        });
      } else if (name === serviceHost) {
        const addresses = zone.serviceAddresses ?? pods.map((pod) => pod.address);
        if (addresses.length === 0) reply = nxdomain();
        else if (query.type === A) reply = response(query, { answers: addresses.map((address) => ({ type: 'A', name: serviceHost, address })) });
        else reply = nodata();
      } else if (addressOf(name) !== undefined && (query.type === A || query.type === AAAA)) {
        reply = query.type === A ? response(query, { answers: [{ type: 'A', name, address: addressOf(name) as string }] }) : nodata();
      } else if (query.type === PTR && name.endsWith('.in-addr.arpa')) {
        const pod = pods.find((candidate) => reverseV4(candidate.address) === name);
        const address = name.replace(/\.in-addr\.arpa$/, '').split('.').reverse().join('.');
        const domain = pod ? zone.podHost(pod.name) : zone.extraPtr.get(address);
        reply = domain ? response(query, { answers: [{ type: 'PTR', name, domain }] }) : nxdomain();
      } else if (name === zoneName || name.endsWith(`.${zoneName}`)) {
        reply = addressOf(name) !== undefined || pods.some((pod) => zone.podHost(pod.name) === name) ? nodata() : nxdomain();
      } else {
        reply = response(query, { rcode: 5 });
      }
      if (query.transport === 'udp' && reply.length > (query.ednsUdpSize ?? 512)) return response(query, { truncated: true });
      return reply;
    },
  };
  return zone;
}
