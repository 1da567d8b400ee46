/**
 * Discovery options: their types, defaults (in one place) and validation. Everything is checked
 * once, at construction, so a bad value fails before the first poll with a stable `code`.
 *
 * @module
 */
import { InvalidOptionError } from './errors';
import { isDnsLabel, isDnsSubdomain } from './dns/name';
import { formatNameserver, parseNameserver } from './dns/nameserver';
import type { Nameserver } from './dns/types';
import { readEnvironment, type EnvironmentSources, type PodEnvironment } from './environment';
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
   * `'[fd00::a]:5353'`. Default: the `nameserver` lines of `/etc/resolv.conf`.
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
export interface DiscoveryConfig {
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
  readonly intervalMs: number;
  readonly jitter: number;
  readonly signal: AbortSignal | undefined;
}

/** Defaults that do not come from the environment. */
export const DEFAULTS = Object.freeze({
  intervalMs: 5000,
  jitter: 0.1,
  ordinalStart: 0,
  protocol: 'tcp' as const,
  dnsTimeoutMs: 5000,
  dnsAttempts: 2,
});

/** Lowest accepted `intervalMs`: below it, a discovery would be a load test of the cluster DNS. */
export const MIN_INTERVAL_MS = 100;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'service', 'namespace', 'clusterDomain', 'port', 'protocol', 'statefulSet', 'ordinalStart',
  'podName', 'nameservers', 'dnsTimeoutMs', 'dnsAttempts', 'intervalMs', 'jitter', 'signal',
  'environment',
]);

/** Kubernetes port names are IANA service names: ≤ 15 of [a-z0-9-], at least one letter, no leading, trailing or double '-'. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * Validate `options`, fill in defaults from the pod environment, and return the config the
 * runtime uses. Throws {@link InvalidOptionError} (`code: 'ERR_INVALID_OPTION'`) naming the
 * option and the expected form.
 */
export function resolveOptions(options: DiscoveryOptions): DiscoveryConfig {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'expected an object such as { service: "mysql" }.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidOptionError(key, `unknown option. Known options: ${[...KNOWN_OPTIONS].join(', ')}.`);
    }
  }

  const service = requireLabel('service', options.service, 'the headless Service name, e.g. "mysql"');
  const signal = optionalSignal(options.signal);
  const environment = readEnvironment(options.environment);

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

  return {
    service,
    namespace,
    clusterDomain,
    serviceDomain: `${service}.${namespace}.svc.${clusterDomain}`,
    port: resolvePort(options.port, options.protocol),
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
    intervalMs: integerIn('intervalMs', options.intervalMs, DEFAULTS.intervalMs, MIN_INTERVAL_MS, 86_400_000),
    jitter: numberIn('jitter', options.jitter, DEFAULTS.jitter, 0, 0.5),
    signal,
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

function requireLabel(option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !isDnsLabel(value)) {
    throw new InvalidOptionError(
      option,
      `got ${describe(value)}; expected an RFC 1123 label (1–63 lower-case letters, digits or "-", starting and ending with a letter or digit): ${example}.`,
    );
  }
  return value;
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
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionError('nameservers', 'expected a non-empty array such as ["10.96.0.10", "[fd00::a]:53"].');
  }
  return value.map((entry: unknown, index) => {
    const parsed = typeof entry === 'string' ? parseNameserver(entry) : undefined;
    if (!parsed) {
      throw new InvalidOptionError(
        `nameservers[${index}]`,
        `got ${describe(entry)}; expected an IP address with an optional port: "10.96.0.10", "10.96.0.10:53", "fd00::a" or "[fd00::a]:53".`,
      );
    }
    return parsed;
  });
}

function integerIn(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected an integer from ${min} to ${max}.`);
  }
  return value;
}

function numberIn(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected a number from ${min} to ${max}.`);
  }
  return value;
}

function optionalSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new InvalidOptionError('signal', `got ${describe(value)}; expected an AbortSignal.`);
  }
  return value;
}

/** A one-line description of a config, for logs and the demo. */
export function describeConfig(config: DiscoveryConfig): string {
  const query =
    config.port.kind === 'named'
      ? `SRV _${config.port.name}._${config.port.protocol}.${config.serviceDomain}`
      : `A/AAAA ${config.serviceDomain}`;
  return `${query} via ${config.nameservers.map(formatNameserver).join(', ')}`;
}
