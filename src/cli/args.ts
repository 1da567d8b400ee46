/**
 * Command-line options shared by `watch` and `doctor`, read from flags and, for every flag, from
 * an environment variable with the `HEADLESS_DISCOVERY_` prefix (so the same command works in a
 * pod spec). Flags win over the environment.
 *
 * @module
 */
import type { DiscoveryOptions, ReadinessOption } from '../index';

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** `node:util` parseArgs definitions of the shared flags. */
export const SHARED_FLAGS = {
  namespace: { type: 'string', short: 'n' },
  port: { type: 'string', short: 'p' },
  protocol: { type: 'string' },
  'cluster-domain': { type: 'string' },
  nameserver: { type: 'string', multiple: true },
  'pod-name': { type: 'string' },
  'ordinal-start': { type: 'string' },
  'expected-replicas': { type: 'string' },
  interval: { type: 'string' },
  readiness: { type: 'string' },
  'include-not-ready': { type: 'boolean' },
  'resolv-conf': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The environment variable of each flag that has one. */
export const FLAG_ENV: Readonly<Record<string, string>> = {
  service: 'HEADLESS_DISCOVERY_SERVICE',
  namespace: 'HEADLESS_DISCOVERY_NAMESPACE',
  port: 'HEADLESS_DISCOVERY_PORT',
  protocol: 'HEADLESS_DISCOVERY_PROTOCOL',
  'cluster-domain': 'HEADLESS_DISCOVERY_CLUSTER_DOMAIN',
  nameserver: 'HEADLESS_DISCOVERY_NAMESERVERS',
  'pod-name': 'HEADLESS_DISCOVERY_POD_NAME',
  'ordinal-start': 'HEADLESS_DISCOVERY_ORDINAL_START',
  'expected-replicas': 'HEADLESS_DISCOVERY_EXPECTED_REPLICAS',
  interval: 'HEADLESS_DISCOVERY_INTERVAL_MS',
  readiness: 'HEADLESS_DISCOVERY_READINESS',
  'include-not-ready': 'HEADLESS_DISCOVERY_INCLUDE_NOT_READY',
  json: 'HEADLESS_DISCOVERY_JSON',
  'resolv-conf': 'HEADLESS_DISCOVERY_RESOLV_CONF',
};

/** Parsed flag values, as `parseArgs` returns them for {@link SHARED_FLAGS}. */
export interface SharedValues {
  readonly [flag: string]: string | boolean | string[] | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A flag's value, else its environment variable's. */
function pick(values: SharedValues, env: Env, flag: string): string | undefined {
  const value = values[flag];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  const variable = FLAG_ENV[flag];
  const fromEnv = variable === undefined ? undefined : env[variable]?.trim();
  return fromEnv === '' ? undefined : fromEnv;
}

/** A boolean flag, else its environment variable (`1`, `true`, `yes` / `0`, `false`, `no`). */
export function flagOn(values: SharedValues, env: Env, flag: string): boolean {
  if (values[flag] === true) return true;
  const variable = FLAG_ENV[flag];
  const raw = variable === undefined ? undefined : env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new UsageError(`${variable ?? flag} must be true or false, got "${raw}"`);
}

function integer(values: SharedValues, env: Env, flag: string): number | undefined {
  const raw = pick(values, env, flag);
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw new UsageError(`--${flag} must be a whole number, got "${raw}"`);
  return Number(raw);
}

/** `tcp`, `tcp:<port>` or `http:<path>` (optionally `http:<port><path>`, e.g. `http:8080/ready`). */
export function parseReadiness(raw: string): ReadinessOption {
  if (raw === 'tcp') return { tcp: true };
  const tcp = /^tcp:(\d{1,5})$/.exec(raw);
  if (tcp) return { tcp: { port: Number(tcp[1]) } };
  const http = /^http:(\d{1,5})?(\/\S*)$/.exec(raw);
  if (http) return { http: { path: http[2] as string, ...(http[1] === undefined ? {} : { port: Number(http[1]) }) } };
  throw new UsageError(`--readiness must be "tcp", "tcp:<port>" or "http:[<port>]<path>" (e.g. http:/ready), got "${raw}"`);
}

/** Build discovery options from the service argument, flags and environment. */
export function toDiscoveryOptions(positionals: readonly string[], values: SharedValues, env: Env): DiscoveryOptions {
  const service = positionals[0] ?? env[FLAG_ENV['service'] as string]?.trim();
  if (!service) throw new UsageError('a service name is required (or HEADLESS_DISCOVERY_SERVICE)');
  if (positionals.length > 1) throw new UsageError(`expected one service name, got ${positionals.length}: ${positionals.join(' ')}`);
  const nameservers = pick(values, env, 'nameserver')?.split(/[\s,]+/).filter(Boolean);
  const readiness = pick(values, env, 'readiness');
  const resolvConf = pick(values, env, 'resolv-conf');
  const options: Record<string, unknown> = {
    service,
    namespace: pick(values, env, 'namespace'),
    port: pick(values, env, 'port'),
    protocol: pick(values, env, 'protocol'),
    clusterDomain: pick(values, env, 'cluster-domain'),
    nameservers,
    podName: pick(values, env, 'pod-name'),
    ordinalStart: integer(values, env, 'ordinal-start'),
    expectedReplicas: integer(values, env, 'expected-replicas'),
    intervalMs: integer(values, env, 'interval'),
    readiness: readiness === undefined ? undefined : parseReadiness(readiness),
    includeNotReady: flagOn(values, env, 'include-not-ready') || undefined,
    environment: resolvConf === undefined ? undefined : { resolvConfPath: resolvConf },
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as unknown as DiscoveryOptions;
}
