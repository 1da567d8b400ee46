/**
 * Validating the options and filling in defaults from the pod environment: the identity part
 * (Service, namespace, zone, pod, StatefulSet, port, nameservers, DNS timing) here, the
 * behaviour part in `behaviour.ts`. Everything is checked once, at construction, so a bad value
 * fails before the first poll with a stable `code`.
 *
 * @module
 */
import { parseNameserver } from '../dns/nameserver';
import type { Nameserver } from '../dns/types';
import { InvalidOptionError } from '../errors';
import { deriveStatefulSet, isDnsSubdomain } from '../names';
import { resolveBehaviour } from './behaviour';
import { denseArray, describe, integerIn, optionalSignal, ownRecord, rejectUnknownKeys, requireLabel } from './checks';
import { DISCOVERY_DEFAULTS } from './defaults';
import type { DiscoveryConfig, PortSpec } from './discovery-config';
import { readEnvironment, type PodEnvironment } from './environment';
import { resolveEnvironmentSources } from './environment-option';
import { resolveKubernetes } from './kubernetes-option';
import { OPTION_KEYS, type DiscoveryOptions } from './options';

/** At most this many nameservers: resolv.conf itself keeps three. */
const MAX_NAMESERVERS = 16;

/** Kubernetes port names are IANA service names: ≤ 15 of [a-z0-9-], at least one letter, no leading, trailing or double '-'. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * Validate `options`, fill in defaults from the pod environment, and return the config the
 * runtime uses. Throws {@link InvalidOptionError} (`code: 'ERR_INVALID_OPTION'`) naming the
 * option and the expected form.
 */
export function resolveOptions(given: DiscoveryOptions): DiscoveryConfig {
  const record = ownRecord('options', given, 'an object such as { service: "mysql" }');
  rejectUnknownKeys('', record, OPTION_KEYS);
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
  const behaviour = resolveBehaviour(
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
    ordinalStart: integerIn('ordinalStart', options.ordinalStart, DISCOVERY_DEFAULTS.ordinalStart, 0, 2_147_483_647),
    podName,
    nameservers: resolveNameservers(options.nameservers, environment),
    // The fallbacks read resolv.conf: only when the option is not given.
    dnsTimeoutMs:
      options.dnsTimeoutMs === undefined
        ? (environment.resolverOptions.value.timeoutMs ?? DISCOVERY_DEFAULTS.dnsTimeoutMs)
        : integerIn('dnsTimeoutMs', options.dnsTimeoutMs, DISCOVERY_DEFAULTS.dnsTimeoutMs, 10, 60_000),
    dnsAttempts:
      options.dnsAttempts === undefined
        ? (environment.resolverOptions.value.attempts ?? DISCOVERY_DEFAULTS.dnsAttempts)
        : integerIn('dnsAttempts', options.dnsAttempts, DISCOVERY_DEFAULTS.dnsAttempts, 1, 10),
    signal,
    ...behaviour,
    kubernetes: resolveKubernetes(options.kubernetes, behaviour.sources.includes('kubernetes'), { service, namespace }, environment),
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
  return { kind: 'named', name: numeric, protocol: (protocol as 'tcp' | 'udp' | 'sctp' | undefined) ?? DISCOVERY_DEFAULTS.protocol };
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
