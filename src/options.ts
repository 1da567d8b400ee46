/**
 * Discovery options: their types, defaults (in one place) and validation. Everything is checked
 * once, at construction, so a bad value fails before the first poll with a stable `code`.
 *
 * @module
 */
import { InvalidOptionError } from './errors';
import { isDnsSubdomain } from './dns/name';
import { denseArray, describe, integerIn, optionalSignal, ownRecord, rejectUnknownKeys, requireLabel } from './option-checks';
import type { SourceName } from './membership/types';
import { resolvePolicyOptions, type PolicyConfig } from './policy-options';
import type { ReadinessOption } from './readiness/config';
import type { AddressFamily } from './sources/address-lookup';
import { formatNameserver, parseNameserver } from './dns/nameserver';
import type { Nameserver } from './dns/types';
import { readEnvironment, type EnvironmentSources, type PodEnvironment } from './environment';
import { resolveEnvironmentSources } from './environment-sources';
import { deriveStatefulSet } from './membership/identity';

/** Options of {@link createDiscovery} and {@link discover}. Only `service` is required. */
export interface DiscoveryOptions {
  /** Name of the headless Service (`clusterIP: None`), an RFC 1123 label such as `mysql`. Required. */
  readonly service: string;
  /** Namespace of the Service. Default: `POD_NAMESPACE`, then the service-account namespace file, then `default`. */
  readonly namespace?: string;
  /** Cluster DNS zone. Default: derived from the resolv.conf search list (`<ns>.svc.<zone>`), else `cluster.local`. */
  readonly clusterDomain?: string;
  /**
   * The Service port. A **name** (`'mysql'`, as in the Service's `ports[].name`) selects SRV
   * discovery (`_mysql._tcp.<service>…`: one query returns every pod, its port and address).
   * A **number** selects A/AAAA discovery of the Service name, with that port on every peer.
   * Default: none (A/AAAA discovery, `peer.port` is `null`).
   */
  readonly port?: string | number;
  /** Protocol of a named port: `tcp` (default), `udp` or `sctp`. */
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
  /**
   * The StatefulSet whose pods are the members (pods are named `<statefulSet>-<ordinal>`).
   * Default: derived from this pod's name when it has that shape, else the service name.
   */
  readonly statefulSet?: string;
  /** The StatefulSet's `.spec.ordinals.start`: the seed's ordinal. Default: `0`. */
  readonly ordinalStart?: number;
  /** This pod's name. Default: `POD_NAME`, then `HOSTNAME`, then `os.hostname()` (up to the first dot). */
  readonly podName?: string;
  /**
   * DNS servers to query, in order: `'10.96.0.10'`, `'10.96.0.10:5353'`, `'fd00::a'`,
   * `'[fd00::a]:5353'`. Default: `HEADLESS_DISCOVERY_NAMESERVERS` (comma- or space-separated),
   * else the `nameserver` lines of `/etc/resolv.conf`.
   */
  readonly nameservers?: readonly string[];
  /** Per-try DNS timeout in ms. Default: resolv.conf `options timeout:` (× 1000), else 5000. */
  readonly dnsTimeoutMs?: number;
  /** Rounds over the nameserver list per lookup. Default: resolv.conf `options attempts:`, else 2. */
  readonly dnsAttempts?: number;
  /** Milliseconds between polls (before jitter). Default: 5000. Minimum: 100. */
  readonly intervalMs?: number;
  /** Random spread of each interval, as a fraction (0.1 = ±10 %), so pods do not poll in lock-step. Default: 0.1. Range 0–0.5. */
  readonly jitter?: number;
  /** Interval while fewer members than `expectedReplicas` are present, so scale-ups are seen quickly. Default: `min(1000, intervalMs)`. */
  readonly fastIntervalMs?: number;
  /** Longest interval reached by backing off while every poll fails (interval × 2 per failed poll). Default: `max(60000, intervalMs)`. */
  readonly maxIntervalMs?: number;
  /**
   * The floor: no two polls start closer together than this, whatever asks for them (`refresh()`
   * storms, fast polling). Default: `min(1000, fastIntervalMs)`. Minimum: 100.
   */
  readonly minIntervalMs?: number;
  /** Retries of a quick failure (SERVFAIL, network error) within one poll, with backoff. Default: 2. Range 0–10. */
  readonly retries?: number;
  /**
   * Where peers are looked for, in order of preference: when a source fails (not NXDOMAIN: a
   * failure), the next one is tried in the same poll. `'srv'` (needs a named port),
   * `'address'` (A/AAAA of the Service name, names from PTR), `'ordinals'` (A/AAAA of
   * `<statefulSet>-<i>.<service>…` for `expectedReplicas` ordinals from `ordinalStart`),
   * `'static'` (`staticPeers`). Default: `['srv', 'address']` with a named port, else `['address']`.
   */
  readonly sources?: readonly SourceName[];
  /**
   * Peers for the `'static'` source: fully qualified names or IP addresses, with an optional port
   * (`'db-0.db.default.svc.cluster.local:5432'`, `'10.0.0.7'`, `'[fd00::7]:5432'`). Default:
   * `HEADLESS_DISCOVERY_STATIC_PEERS` (comma- or space-separated).
   */
  readonly staticPeers?: readonly string[];
  /**
   * How many members the cluster should have (usually the StatefulSet's `replicas`). While fewer
   * are present the membership is `degraded` and polls run at `fastIntervalMs`; the `'ordinals'`
   * source looks up this many pods. Default: `HEADLESS_DISCOVERY_EXPECTED_REPLICAS`, else unknown.
   */
  readonly expectedReplicas?: number;
  /** Address families to use: `4`, `6` or `'both'` (a dual-stack pod is one peer with both addresses). Default: `'both'`. */
  readonly family?: AddressFamily;
  /**
   * A peer missing from DNS leaves only after this many consecutive successful polls without it
   * (a peer back within the window produces no event). Default: 2. Range 1–100.
   */
  readonly leaveAfterPolls?: number;
  /** …and only after it has been missing for at least this many milliseconds. Default: 0. */
  readonly leaveAfterMs?: number;
  /**
   * A poll that would remove more than this fraction of the peers at once is held until the next
   * poll confirms it (a half-empty answer is more often a glitch than a scale-down). Default: 0.5;
   * 1 turns the guard off.
   */
  readonly maxRemovalFraction?: number;
  /**
   * Whether peers that are not ready count as members (drive `join`/`leave`, can be the seed).
   * `membership.peers` always holds everyone seen and `membership.ready` the ready ones.
   * Default: `false`.
   */
  readonly includeNotReady?: boolean;
  /** After this many milliseconds of failing polls, emit `staleTooLong` once (the membership is still kept). Default: never. */
  readonly maxStaleMs?: number;
  /**
   * Probe peers' readiness yourself (for Services with `publishNotReadyAddresses: true`, whose DNS
   * lists pods before they are ready): `{ tcp: true }`, `{ http: { path: '/ready' } }`,
   * `{ check: async (peer, signal) => … }` or just the function, each with optional `periodMs`
   * (10000), `timeoutMs` (1000), `successThreshold` (1), `failureThreshold` (3) and `concurrency`
   * (16), as Kubernetes probes. Default: none (every peer DNS lists is ready).
   */
  readonly readiness?: ReadinessOption;
  /** Aborting this signal closes the discovery. */
  readonly signal?: AbortSignal;
  /**
   * Where the pod environment is read from (environment variables, resolv.conf and namespace
   * file paths, hostname). Default: the real process environment and files. Meant for tests.
   */
  readonly environment?: EnvironmentSources;
}

/** How the Service is queried, decided from the `port` option. */
export type PortSpec =
  | { readonly kind: 'named'; readonly name: string; readonly protocol: 'tcp' | 'udp' | 'sctp' }
  | { readonly kind: 'number'; readonly number: number }
  | { readonly kind: 'none' };

/** Validated options with every default applied. Internal: the runtime works from this only. */
export interface DiscoveryConfig extends PolicyConfig {
  readonly service: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  /** `<service>.<namespace>.svc.<clusterDomain>`, no trailing dot. */
  readonly serviceDomain: string;
  readonly port: PortSpec;
  readonly statefulSet: string;
  readonly ordinalStart: number;
  readonly podName: string;
  readonly nameservers: readonly Nameserver[];
  readonly dnsTimeoutMs: number;
  readonly dnsAttempts: number;
  readonly signal: AbortSignal | undefined;
}

/** Defaults that do not come from the environment. */
export const DEFAULTS = Object.freeze({
  ordinalStart: 0,
  protocol: 'tcp' as const,
  dnsTimeoutMs: 5000,
  dnsAttempts: 2,
});

/** At most this many nameservers: resolv.conf itself keeps three. */
const MAX_NAMESERVERS = 16;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'service', 'namespace', 'clusterDomain', 'port', 'protocol', 'statefulSet', 'ordinalStart',
  'podName', 'nameservers', 'dnsTimeoutMs', 'dnsAttempts', 'intervalMs', 'jitter', 'signal',
  'environment', 'fastIntervalMs', 'maxIntervalMs', 'minIntervalMs', 'retries', 'sources', 'staticPeers',
  'expectedReplicas', 'family', 'leaveAfterPolls', 'leaveAfterMs', 'maxRemovalFraction', 'includeNotReady',
  'maxStaleMs', 'readiness',
]);

/** Kubernetes port names are IANA service names: ≤ 15 of [a-z0-9-], at least one letter, no leading, trailing or double '-'. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * Validate `options`, fill in defaults from the pod environment, and return the config the
 * runtime uses. Throws {@link InvalidOptionError} (`code: 'ERR_INVALID_OPTION'`) naming the
 * option and the expected form.
 */
export function resolveOptions(given: DiscoveryOptions): DiscoveryConfig {
  const record = ownRecord('options', given, 'an object such as { service: "mysql" }');
  rejectUnknownKeys('', record, KNOWN_OPTIONS);
  const options = record as unknown as DiscoveryOptions;

  const service = requireLabel('service', options.service, 'the headless Service name, e.g. "mysql"');
  const signal = optionalSignal(options.signal);
  const environment = readEnvironment(resolveEnvironmentSources(options.environment));

  const namespace =
    options.namespace === undefined
      ? labelFromEnvironment('namespace', environment.namespace.value, environment.namespace.from)
      : requireLabel('namespace', options.namespace, 'a namespace name, e.g. "default"');
  const clusterDomain = normalizeDomain(
    options.clusterDomain === undefined ? environment.clusterDomain.value : options.clusterDomain,
    options.clusterDomain === undefined ? `clusterDomain (from ${environment.clusterDomain.from})` : 'clusterDomain',
  );
  const podName = resolvePodName(options.podName, environment);
  const statefulSet =
    options.statefulSet === undefined
      ? (deriveStatefulSet(podName) ?? service)
      : requireLabel('statefulSet', options.statefulSet, 'the StatefulSet name, e.g. "mysql"');

  const port = resolvePort(options.port, options.protocol);
  const behaviour = resolvePolicyOptions(
    options,
    { named: port.kind === 'named', number: port.kind === 'number' ? port.number : null },
    environment,
  );

  return {
    service,
    namespace,
    clusterDomain,
    serviceDomain: `${service}.${namespace}.svc.${clusterDomain}`,
    port,
    statefulSet,
    ordinalStart: integerIn('ordinalStart', options.ordinalStart, DEFAULTS.ordinalStart, 0, 2_147_483_647),
    podName,
    nameservers: resolveNameservers(options.nameservers, environment),
    dnsTimeoutMs: integerIn(
      'dnsTimeoutMs',
      options.dnsTimeoutMs,
      environment.resolverOptions.value.timeoutMs ?? DEFAULTS.dnsTimeoutMs,
      10,
      60_000,
    ),
    dnsAttempts: integerIn(
      'dnsAttempts',
      options.dnsAttempts,
      environment.resolverOptions.value.attempts ?? DEFAULTS.dnsAttempts,
      1,
      10,
    ),
    signal,
    ...behaviour,
  };
}

function labelFromEnvironment(option: string, value: string, from: string): string {
  return requireLabel(`${option} (from ${from})`, value, `set the "${option}" option explicitly`);
}

function normalizeDomain(value: unknown, option: string): string {
  const domain = typeof value === 'string' && value.endsWith('.') ? value.slice(0, -1) : value;
  if (typeof domain !== 'string' || !isDnsSubdomain(domain)) {
    throw new InvalidOptionError(
      option,
      `got ${describe(value)}; expected a DNS domain of RFC 1123 labels, e.g. "cluster.local".`,
    );
  }
  return domain;
}

function resolvePodName(value: unknown, environment: PodEnvironment): string {
  if (value !== undefined) {
    if (typeof value !== 'string' || !isDnsSubdomain(value)) {
      throw new InvalidOptionError(
        'podName',
        `got ${describe(value)}; expected a pod name (RFC 1123 labels), e.g. "mysql-1".`,
      );
    }
    return value;
  }
  const fromEnvironment = environment.podName.value.toLowerCase();
  if (!isDnsSubdomain(fromEnvironment)) {
    throw new InvalidOptionError(
      `podName (from ${environment.podName.from})`,
      `got ${describe(environment.podName.value)}, which is not a pod name; set the "podName" option (or POD_NAME) explicitly.`,
    );
  }
  return fromEnvironment;
}

function resolvePort(port: unknown, protocol: unknown): PortSpec {
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') {
    throw new InvalidOptionError('protocol', `got ${describe(protocol)}; expected "tcp", "udp" or "sctp".`);
  }
  if (port === undefined) {
    if (protocol !== undefined) {
      throw new InvalidOptionError('protocol', 'expected no protocol without a port: it only applies to a named port (set "port" to the Service port name).');
    }
    return { kind: 'none' };
  }
  const numeric = typeof port === 'string' && /^\d{1,5}$/.test(port) ? Number(port) : port;
  if (typeof numeric === 'number') {
    if (!Number.isInteger(numeric) || numeric < 1 || numeric > 65_535) {
      throw new InvalidOptionError('port', `got ${describe(port)}; expected a port number from 1 to 65535, or a port name.`);
    }
    if (protocol !== undefined) {
      throw new InvalidOptionError('protocol', 'expected no protocol with a numeric port: it only applies to a named port (SRV).');
    }
    return { kind: 'number', number: numeric };
  }
  if (typeof numeric !== 'string' || !PORT_NAME.test(numeric)) {
    throw new InvalidOptionError(
      'port',
      `got ${describe(port)}; expected the Service port's name (1–15 lower-case letters, digits or "-", with at least one letter, e.g. "mysql") or a number.`,
    );
  }
  return { kind: 'named', name: numeric, protocol: (protocol as 'tcp' | 'udp' | 'sctp' | undefined) ?? DEFAULTS.protocol };
}

function resolveNameservers(value: unknown, environment: PodEnvironment): Nameserver[] {
  let option = 'nameservers';
  if (value === undefined && environment.nameserversOverride.value !== undefined) {
    option = `nameservers (from ${environment.nameserversOverride.from})`;
    value = environment.nameserversOverride.value.split(/[\s,]+/).filter(Boolean);
  }
  if (value === undefined) {
    const found = environment.nameservers.value;
    if (found.length === 0) {
      throw new InvalidOptionError(
        'nameservers',
        `none found (${environment.nameservers.from} has no usable "nameserver" line); pass nameservers such as ["10.96.0.10"].`,
      );
    }
    return [...found];
  }
  return denseArray(option, value, MAX_NAMESERVERS, '["10.96.0.10", "[fd00::a]:53"]').map((entry: unknown, index) => {
    const parsed = typeof entry === 'string' ? parseNameserver(entry) : undefined;
    if (!parsed) {
      throw new InvalidOptionError(
        `${option}[${index}]`,
        `got ${describe(entry)}; expected an IP address with an optional port: "10.96.0.10", "10.96.0.10:53", "fd00::a" or "[fd00::a]:53".`,
      );
    }
    return parsed;
  });
}

/** A one-line description of a config, for logs and the demo. */
export function describeConfig(config: DiscoveryConfig): string {
  const query =
    config.port.kind === 'named'
      ? `SRV _${config.port.name}._${config.port.protocol}.${config.serviceDomain}`
      : `A/AAAA ${config.serviceDomain}`;
  return `${query} via ${config.nameservers.map(formatNameserver).join(', ')}`;
}
