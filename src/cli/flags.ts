/**
 * Every flag of the command, in one table: how `parseArgs` reads it, its environment variable,
 * what `--help` says about it and the discovery option it sets. The parser's definitions, the
 * variables read and the help rows are all derived from this table, so they cannot disagree.
 *
 * @module
 */
import type { ParseArgsConfig } from 'node:util';
import type { DiscoveryOptions, KubernetesOptions } from '../index';

/** A discovery option a flag sets: a top-level one, or a field of the `kubernetes` option. */
export type FlagOption = keyof DiscoveryOptions | `kubernetes.${keyof KubernetesOptions}`;

/** How a flag's value is read: text, a repeatable list, a whole number, or on/off. */
export type FlagKind = 'string' | 'list' | 'integer' | 'boolean';

/** One flag of the command. */
export interface Flag {
  /** The long name, without `--`. */
  readonly name: string;
  /** The one-letter alias, without `-`. */
  readonly short?: string;
  readonly kind: FlagKind;
  /** The placeholder of its value in `--help`, e.g. `<ms>`. */
  readonly value?: string;
  /** The `HEADLESS_DISCOVERY_*` variable read when the flag is not given. */
  readonly env?: string;
  /** What it means, for `--help`. */
  readonly meaning: string;
  /** The default, as `--help` states it. */
  readonly default?: string;
  /** The discovery option it sets: an invalid value of that option is reported as this flag's. */
  readonly option?: FlagOption;
  /** For a whole number: the form expected, e.g. `a whole number of milliseconds (e.g. 2000)`. */
  readonly form?: string;
}

const MILLISECONDS = 'a whole number of milliseconds';

/** The flags of `watch` and `doctor`, in the order `--help` lists them. */
export const SHARED_FLAG_LIST: readonly Flag[] = [
  {
    name: 'namespace',
    short: 'n',
    kind: 'string',
    value: '<ns>',
    env: 'HEADLESS_DISCOVERY_NAMESPACE',
    meaning: 'the Service namespace',
    default: "POD_NAMESPACE, the pod's namespace, default",
    option: 'namespace',
  },
  { name: 'port', short: 'p', kind: 'string', value: '<name|number>', env: 'HEADLESS_DISCOVERY_PORT', meaning: 'named port → SRV, number → A/AAAA', option: 'port' },
  { name: 'protocol', kind: 'string', value: '<tcp|udp|sctp>', env: 'HEADLESS_DISCOVERY_PROTOCOL', meaning: 'protocol of a named port', default: 'tcp', option: 'protocol' },
  {
    name: 'source',
    kind: 'string',
    value: '<list>',
    env: 'HEADLESS_DISCOVERY_SOURCE',
    meaning: 'where to look for peers, in order, comma-separated: kubernetes, srv, address, ordinals, static',
    default: 'srv,address with a named port, else address',
    option: 'sources',
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    value: '<path>',
    env: 'HEADLESS_DISCOVERY_KUBECONFIG',
    meaning: 'the kubeconfig for the Kubernetes API (watch: with kubernetes in --source)',
    default: "KUBECONFIG, the pod's service account, ~/.kube/config",
    option: 'kubernetes.kubeconfig',
  },
  {
    name: 'context',
    kind: 'string',
    value: '<name>',
    env: 'HEADLESS_DISCOVERY_CONTEXT',
    meaning: 'the kubeconfig context to use (watch: with kubernetes in --source)',
    default: "the kubeconfig's current-context",
    option: 'kubernetes.context',
  },
  {
    name: 'cluster-domain',
    kind: 'string',
    value: '<zone>',
    env: 'HEADLESS_DISCOVERY_CLUSTER_DOMAIN',
    meaning: 'the cluster DNS zone',
    default: 'from resolv.conf, else cluster.local',
    option: 'clusterDomain',
  },
  {
    name: 'nameserver',
    kind: 'list',
    value: '<ip[:port]>',
    env: 'HEADLESS_DISCOVERY_NAMESERVERS',
    meaning: 'a DNS server, repeatable; the variable takes a comma- or space-separated list',
    default: 'resolv.conf',
    option: 'nameservers',
  },
  {
    name: 'timeout',
    kind: 'integer',
    value: '<ms>',
    env: 'HEADLESS_DISCOVERY_DNS_TIMEOUT_MS',
    meaning: 'how long each DNS query waits for its answer',
    default: 'resolv.conf options timeout:, else 5000',
    option: 'dnsTimeoutMs',
    form: `${MILLISECONDS} (e.g. 2000)`,
  },
  {
    name: 'attempts',
    kind: 'integer',
    value: '<n>',
    env: 'HEADLESS_DISCOVERY_DNS_ATTEMPTS',
    meaning: 'rounds over the nameservers per lookup',
    default: 'resolv.conf options attempts:, else 2',
    option: 'dnsAttempts',
    form: 'a whole number of rounds (e.g. 1)',
  },
  { name: 'pod-name', kind: 'string', value: '<name>', env: 'HEADLESS_DISCOVERY_POD_NAME', meaning: 'this pod', default: 'POD_NAME, HOSTNAME', option: 'podName' },
  {
    name: 'ordinal-start',
    kind: 'integer',
    value: '<n>',
    env: 'HEADLESS_DISCOVERY_ORDINAL_START',
    meaning: "the StatefulSet's .spec.ordinals.start",
    default: '0',
    option: 'ordinalStart',
    form: 'a whole number (e.g. 1)',
  },
  {
    name: 'expected-replicas',
    kind: 'integer',
    value: '<n>',
    env: 'HEADLESS_DISCOVERY_EXPECTED_REPLICAS',
    meaning: 'how many members to expect',
    option: 'expectedReplicas',
    form: 'a whole number (e.g. 3)',
  },
  {
    name: 'interval',
    kind: 'integer',
    value: '<ms>',
    env: 'HEADLESS_DISCOVERY_INTERVAL_MS',
    meaning: 'time between polls, for watch',
    default: '5000',
    option: 'intervalMs',
    form: `${MILLISECONDS} (e.g. 5000)`,
  },
  { name: 'readiness', kind: 'string', value: '<probe>', env: 'HEADLESS_DISCOVERY_READINESS', meaning: 'tcp | tcp:<port> | http:[<port>]<path>', option: 'readiness' },
  { name: 'include-not-ready', kind: 'boolean', env: 'HEADLESS_DISCOVERY_INCLUDE_NOT_READY', meaning: 'not-ready peers are members', option: 'includeNotReady' },
  {
    name: 'resolv-conf',
    kind: 'string',
    value: '<path>',
    env: 'HEADLESS_DISCOVERY_RESOLV_CONF',
    meaning: "read this file as resolv.conf, e.g. a copy of a pod's",
    default: '/etc/resolv.conf',
    option: 'environment',
  },
  {
    name: 'explain',
    kind: 'string',
    value: '<pod>',
    env: 'HEADLESS_DISCOVERY_EXPLAIN',
    meaning: 'why this pod is or is not a member: after every poll (watch), after the checks (doctor)',
  },
  { name: 'json', kind: 'boolean', env: 'HEADLESS_DISCOVERY_JSON', meaning: 'machine-readable output' },
  { name: 'help', short: 'h', kind: 'boolean', meaning: 'this help' },
];

const byName = new Map(SHARED_FLAG_LIST.map((flag) => [flag.name, flag]));

/** The shared flag called `name`; throws for a name that is not in the table (a bug). */
export function flag(name: string): Flag {
  const found = byName.get(name);
  if (!found) throw new Error(`no flag --${name}`);
  return found;
}

/** The flags of `demo`: the DNS timing of its discovery, and help. */
export const DEMO_FLAG_LIST: readonly Flag[] = [flag('timeout'), flag('attempts'), flag('help')];

/** `node:util` parseArgs definitions of `flags`. */
export function parseArgsOptions(flags: readonly Flag[]): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    flags.map((entry) => [
      entry.name,
      {
        type: entry.kind === 'boolean' ? ('boolean' as const) : ('string' as const),
        ...(entry.short === undefined ? {} : { short: entry.short }),
        ...(entry.kind === 'list' ? { multiple: true } : {}),
      },
    ]),
  );
}

/**
 * The flag that sets the discovery option `option` (`nameservers[1]` is `nameservers`'s,
 * `kubernetes.context` is `--context`'s), if one does.
 */
export function flagOfOption(option: string): Flag | undefined {
  const path = /^[A-Za-z]+(?:\.[A-Za-z]+)?/.exec(option)?.[0];
  const base = /^[A-Za-z]+/.exec(option)?.[0];
  const setting = (wanted: string | undefined): Flag | undefined => SHARED_FLAG_LIST.find((entry) => entry.option !== undefined && entry.option === wanted);
  return setting(path) ?? setting(base);
}
