/**
 * Zone files and named.conf for the BIND harness (bind-cluster.mjs), pure: the state of fake
 * Services in, text out. The records are the ones CoreDNS's `kubernetes` plugin serves for
 * headless Services (the project's Kubernetes DNS notes §1.2–1.3, and src/testing/zone.ts, which
 * answers the same questions in the fake cluster):
 *
 * - `<svc>.<ns>.svc.<zone>` A/AAAA, one per distinct visible address (ready, or any with
 *   publishNotReadyAddresses); SRV for every port there too (a CoreDNS extension);
 * - `<hostname>.<svc>.<ns>.svc.<zone>` A/AAAA, the hostname being the pod name, or the dashed
 *   address for pods without a hostname;
 * - `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV 0 floor(100/N) port target, for named ports;
 * - a PTR per visible address, in the `in-addr.arpa` and `ip6.arpa` zones.
 *
 * A Service without a visible address gets no record at all: any record under its name would
 * make it an empty non-terminal, which BIND answers NOERROR/NODATA, where CoreDNS says NXDOMAIN.
 */
import { isIP } from 'node:net';

/** The zones the harness serves, besides the cluster zone. */
export const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

/** Pod name of a hostname-less endpoint, as CoreDNS builds it (src/names.ts dashedName). */
export function dashedName(address) {
  const dashed = address.toLowerCase().replace(/[.:]/g, '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

/** The 32 hex digits of an IPv6 address. */
function expandIPv6(address) {
  const [head = '', rest] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.padStart(4, '0')).join('');
}

/** `5.1.244.10.in-addr.arpa.` or the nibble form under `ip6.arpa.`. */
export function reverseName(address) {
  if (isIP(address) === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa.`;
  return `${[...expandIPv6(address)].reverse().join('.')}.ip6.arpa.`;
}

/** The visible endpoints of a Service: one per address of each listed pod, with its DNS hostname. */
function endpoints(service) {
  return service.pods
    .filter((pod) => (pod.ready && !pod.terminating) || service.publishNotReadyAddresses)
    .flatMap((pod) => pod.addresses.map((address) => ({ hostname: service.hostnames ? pod.name : dashedName(address), address })));
}

/**
 * SRV records of `owner` for `ports`, as CoreDNS computes them: every (address × port) entry
 * counts before deduplication, so a dual-stack pod halves the weight; one RR per target+port.
 */
function srvRecords(owner, serviceHost, list, ports) {
  const weight = Math.max(1, Math.floor(100 / (list.length * ports.length)));
  const lines = new Set();
  for (const port of ports) {
    for (const endpoint of list) lines.add(`${owner} IN SRV 0 ${weight} ${port.port} ${endpoint.hostname}.${serviceHost}.`);
  }
  return [...lines];
}

const addressType = (address) => (isIP(address) === 4 ? 'A' : 'AAAA');

/** The forward and reverse record lines of one Service (`{ forward, reverse }`), empty when nothing is visible. */
export function serviceRecords(service, clusterDomain) {
  const list = endpoints(service);
  if (list.length === 0) return { forward: [], reverse: [] };
  const serviceHost = `${service.name}.${service.namespace}.svc.${clusterDomain}`;
  const forward = new Set();
  for (const { address } of list) forward.add(`${serviceHost}. IN ${addressType(address)} ${address}`);
  for (const { hostname, address } of list) forward.add(`${hostname}.${serviceHost}. IN ${addressType(address)} ${address}`);
  if (service.ports.length > 0) for (const line of srvRecords(`${serviceHost}.`, serviceHost, list, service.ports)) forward.add(line);
  const byOwner = new Map();
  for (const port of service.ports) {
    if (port.name === undefined) continue; // unnamed ports have no SRV of their own
    const owner = `_${port.name.toLowerCase()}._${port.protocol ?? 'tcp'}.${serviceHost}.`;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), port]);
  }
  for (const [owner, ports] of byOwner) for (const line of srvRecords(owner, serviceHost, list, ports)) forward.add(line);
  const reverse = list.map(({ hostname, address }) => `${reverseName(address)} IN PTR ${hostname}.${serviceHost}.`);
  return { forward: [...forward], reverse: [...new Set(reverse)] };
}

/** The SOA and NS lines that open every zone: CoreDNS's SOA, MINIMUM = TTL. */
function zoneHead(origin, state) {
  const { clusterDomain, ttl, serial } = state;
  return [
    `$TTL ${ttl}`,
    `${origin}. ${Math.min(ttl, 300)} IN SOA ns.dns.${clusterDomain}. hostmaster.${clusterDomain}. ${serial} 7200 1800 86400 ${ttl}`,
    `${origin}. IN NS ns.dns.${clusterDomain}.`,
  ];
}

/**
 * Every zone file: `[{ zone, file, text }]` for the cluster zone and the reverse zones.
 *
 * @param state `{ clusterDomain, ttl, serial, nameserverAddress, services }`, services in the
 *   shape of the fake cluster's `FakeService.toZone()` (name, namespace, ports,
 *   publishNotReadyAddresses, hostnames, pods).
 */
export function renderZones(state) {
  const { clusterDomain, nameserverAddress } = state;
  const forward = [
    ...zoneHead(clusterDomain, state),
    // The NS needs an address for BIND to load the zone; it is the harness's own loopback address.
    `ns.dns.${clusterDomain}. IN ${addressType(nameserverAddress)} ${nameserverAddress}`,
    `dns-version.${clusterDomain}. 28800 IN TXT "1.1.0"`,
  ];
  const reverse = { 'in-addr.arpa': zoneHead('in-addr.arpa', state), 'ip6.arpa': zoneHead('ip6.arpa', state) };
  for (const service of state.services) {
    const records = serviceRecords(service, clusterDomain);
    forward.push(...records.forward);
    for (const line of records.reverse) reverse[line.includes('.ip6.arpa. ') ? 'ip6.arpa' : 'in-addr.arpa'].push(line);
  }
  return [
    { zone: clusterDomain, file: `${clusterDomain}.db`, text: `${forward.join('\n')}\n` },
    ...REVERSE_ZONES.map((zone) => ({ zone, file: `${zone}.db`, text: `${reverse[zone].join('\n')}\n` })),
  ];
}

/**
 * named.conf for one harness instance: everything named writes stays in `directory`, it listens
 * on one loopback address and port only, serves the zones authoritatively and nothing else.
 */
export function renderNamedConf({ directory, host, port, minimalResponses, zones }) {
  const v6 = host.includes(':');
  return `options {
  directory "${directory}";
  pid-file "${directory}/named.pid";
  lock-file "${directory}/named.lock";
  session-keyfile "${directory}/session.key";
  managed-keys-directory "${directory}";
  listen-on ${v6 ? '{ none; }' : `port ${port} { 127.0.0.1; }`};
  listen-on-v6 ${v6 ? `port ${port} { ::1; }` : '{ none; }'};
  recursion no;
  notify no;
  allow-transfer { none; };
  dnssec-validation no;
  empty-zones-enable no;
  // BIND 9.18.28+ refuses to load an RRset of more than 100 records (CVE-2024-1737); a 300-pod
  // Service has 300 A records at its name, which CoreDNS serves without a limit.
  max-records-per-type 0;
${minimalResponses ? '  minimal-responses yes;\n' : ''}};
// No control channel: several instances run side by side, and sync() reloads with SIGHUP.
controls { };
${zones.map(({ zone, file }) => `zone "${zone}" { type primary; file "${directory}/${file}"; };`).join('\n')}
`;
}
