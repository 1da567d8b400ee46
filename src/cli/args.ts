/**
 * Reading the flags of `watch`, `doctor` and `demo` (see `flags.ts`) into discovery options: each
 * from its flag, else from its `HEADLESS_DISCOVERY_*` environment variable (so the same command
 * works in a pod spec). Flags win over the environment. A bad value is a {@link UsageError}
 * naming where it came from (the flag, or the variable) and the form expected.
 *
 * @module
 */
import type { DiscoveryOptions, KubernetesOptions, ReadinessOption, SourceName } from '../index';
import { flag, flagOfOption, type Flag } from './flags';
import { closest } from './suggest';

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Parsed flag values, as `parseArgs` returns them. */
export interface SharedValues {
  readonly [flag: string]: string | boolean | string[] | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variable that names the headless Service when no argument does. */
export const SERVICE_ENV = 'HEADLESS_DISCOVERY_SERVICE';

/** A flag's raw value and where it came from (`--flag`, or the variable's name). */
export interface RawValue {
  readonly text: string;
  readonly from: string;
}

/** A flag's value, else its environment variable's (blank counts as unset). */
export function readFlag(values: SharedValues, env: Env, entry: Flag): RawValue | undefined {
  const value = values[entry.name];
  if (value === true) return { text: 'true', from: `--${entry.name}` };
  if (typeof value === 'string') return { text: value, from: `--${entry.name}` };
  if (Array.isArray(value)) return { text: value.join(','), from: `--${entry.name}` };
  const fromEnv = entry.env === undefined ? undefined : env[entry.env]?.trim();
  return fromEnv === undefined || fromEnv === '' ? undefined : { text: fromEnv, from: entry.env as string };
}

function text(values: SharedValues, env: Env, name: string): string | undefined {
  return readFlag(values, env, flag(name))?.text;
}

/** A boolean flag, else its environment variable (`1`, `true`, `yes` / `0`, `false`, `no`). */
export function flagOn(values: SharedValues, env: Env, name: string): boolean {
  if (values[name] === true) return true;
  const variable = flag(name).env;
  const raw = variable === undefined ? undefined : env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new UsageError(`${variable ?? name} must be true or false (or 1/0, yes/no), got "${raw}"`);
}

/** A whole-number flag; its range is the option's, checked by the library. */
function integer(values: SharedValues, env: Env, name: string): number | undefined {
  const entry = flag(name);
  const raw = readFlag(values, env, entry);
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw.text)) throw new UsageError(`${raw.from} must be ${entry.form ?? 'a whole number'}, got "${raw.text}"`);
  return Number(raw.text);
}

/** `tcp`, `tcp:<port>` or `http:<path>` (optionally `http:<port><path>`, e.g. `http:8080/ready`). */
export function parseReadiness(raw: string, from = '--readiness'): ReadinessOption {
  if (raw === 'tcp') return { tcp: true };
  const tcp = /^tcp:(\d{1,5})$/.exec(raw);
  if (tcp) return { tcp: { port: Number(tcp[1]) } };
  const http = /^http:(\d{1,5})?(\/\S*)$/.exec(raw);
  if (http) return { http: { path: http[2] as string, ...(http[1] === undefined ? {} : { port: Number(http[1]) }) } };
  throw new UsageError(`${from} must be "tcp", "tcp:<port>" or "http:[<port>]<path>" (e.g. http:/ready), got "${raw}"`);
}

/** The DNS timing flags (`--timeout`, `--attempts`) as discovery options; what `demo` takes. */
export function dnsTiming(values: SharedValues, env: Env): Pick<DiscoveryOptions, 'dnsTimeoutMs' | 'dnsAttempts'> {
  const dnsTimeoutMs = integer(values, env, 'timeout');
  const dnsAttempts = integer(values, env, 'attempts');
  return { ...(dnsTimeoutMs === undefined ? {} : { dnsTimeoutMs }), ...(dnsAttempts === undefined ? {} : { dnsAttempts }) };
}

/** Build discovery options from the service argument, flags and environment. */
export function toDiscoveryOptions(positionals: readonly string[], values: SharedValues, env: Env): DiscoveryOptions {
  const service = positionals[0] ?? env[SERVICE_ENV]?.trim();
  if (!service) throw new UsageError(`a service name is required (or ${SERVICE_ENV})`);
  if (positionals.length > 1) throw new UsageError(`expected one service name, got ${positionals.length}: ${positionals.join(' ')}`);
  const readiness = readFlag(values, env, flag('readiness'));
  const resolvConf = text(values, env, 'resolv-conf');
  return withoutUnset({
    service,
    namespace: text(values, env, 'namespace'),
    port: text(values, env, 'port'),
    protocol: text(values, env, 'protocol'),
    clusterDomain: text(values, env, 'cluster-domain'),
    nameservers: text(values, env, 'nameserver')?.split(/[\s,]+/).filter(Boolean),
    podName: text(values, env, 'pod-name'),
    ...dnsTiming(values, env),
    ordinalStart: integer(values, env, 'ordinal-start'),
    expectedReplicas: integer(values, env, 'expected-replicas'),
    intervalMs: integer(values, env, 'interval'),
    sources: sourceList(values, env),
    kubernetes: kubernetesOption(values, env),
    readiness: readiness === undefined ? undefined : parseReadiness(readiness.text, readiness.from),
    includeNotReady: flagOn(values, env, 'include-not-ready') || undefined,
    environment: resolvConf === undefined ? undefined : { resolvConfPath: resolvConf },
  }) as unknown as DiscoveryOptions;
}

/**
 * `--source kubernetes,srv` as the `sources` option: the names as given, in order, for the
 * library to check (an unknown or repeated name is its error, reported as this flag's).
 */
function sourceList(values: SharedValues, env: Env): string[] | undefined {
  return text(values, env, 'source')
    ?.split(',')
    .map((name) => name.trim());
}

/** Every source name; the compiler checks the list against `SourceName` both ways. */
const SOURCE_NAMES = Object.keys({ kubernetes: true, srv: true, address: true, ordinals: true, static: true } satisfies Record<SourceName, true>);

/**
 * ` Did you mean "kubernetes"?` when the library refused the source name at `sources[<i>]` and
 * it is a typo of one; else nothing.
 */
export function sourceTypo(option: string, values: SharedValues, env: Env): string {
  const index = /^sources\[(\d+)\]$/.exec(option)?.[1];
  const typed = index === undefined ? undefined : sourceList(values, env)?.[Number(index)];
  const guess = typed === undefined || typed === '' || SOURCE_NAMES.includes(typed) ? undefined : closest(typed, SOURCE_NAMES);
  return guess === undefined ? '' : ` Did you mean "${guess}"?`;
}

/** `--kubeconfig` and `--context` as the `kubernetes` option, when either is given. */
function kubernetesOption(values: SharedValues, env: Env): KubernetesOptions | undefined {
  const kubeconfig = text(values, env, 'kubeconfig');
  const context = text(values, env, 'context');
  if (kubeconfig === undefined && context === undefined) return undefined;
  return { ...(kubeconfig === undefined ? {} : { kubeconfig }), ...(context === undefined ? {} : { context }) };
}

/**
 * Where the value of the discovery option `option` came from on this command line: `--flag` or
 * the variable's name, or `undefined` when no flag sets it or it was not given.
 */
export function originOf(option: string, values: SharedValues, env: Env): string | undefined {
  const entry = flagOfOption(option);
  return entry === undefined ? undefined : readFlag(values, env, entry)?.from;
}

function withoutUnset<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
