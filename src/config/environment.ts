/**
 * What a pod knows about itself: its name, namespace, cluster domain and resolver
 * configuration, each with where it came from (so a diagnosis can say why a value is what it is).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { Nameserver } from '../dns/types';
import { firstLabel } from '../names';
import { CA_PATH, DISCOVERY_DEFAULTS, NAMESPACE_PATH, RESOLV_CONF_PATH, TOKEN_PATH } from './defaults';
import type { EnvironmentSources } from './options';
import { applyResolverEnv, parseResolvConf, type ResolverOptions } from './resolv-conf';

/** A value and where it came from: `env:POD_NAME`, `file:/etc/resolv.conf`, `hostname` or `default`. */
export interface Sourced<T> {
  readonly value: T;
  readonly from: string;
}

/** What the pod environment says. */
export interface PodEnvironment {
  readonly podName: Sourced<string>;
  readonly namespace: Sourced<string>;
  readonly clusterDomain: Sourced<string>;
  readonly nameservers: Sourced<readonly Nameserver[]>;
  readonly search: Sourced<readonly string[]>;
  readonly resolverOptions: Sourced<ResolverOptions>;
  /** `HEADLESS_DISCOVERY_EXPECTED_REPLICAS` as set (a chart usually sets it to the StatefulSet's replicas), unparsed. */
  readonly expectedReplicas: Sourced<string | undefined>;
  /** `HEADLESS_DISCOVERY_STATIC_PEERS` as set (comma- or space-separated peers), unparsed. */
  readonly staticPeers: Sourced<string | undefined>;
  /** `HEADLESS_DISCOVERY_NAMESERVERS` as set (comma- or space-separated), unparsed: overrides resolv.conf. */
  readonly nameserversOverride: Sourced<string | undefined>;
  /** Where the Kubernetes API and its credentials are, for the `kubernetes` source. */
  readonly kubernetesApi: KubernetesApiEnvironment;
}

/** What the environment says of the Kubernetes API: unparsed, validated by the `kubernetes` option. */
export interface KubernetesApiEnvironment {
  /** `KUBERNETES_SERVICE_HOST`, set by the kubelet in every pod. */
  readonly serviceHost: Sourced<string | undefined>;
  /** `KUBERNETES_SERVICE_PORT`. */
  readonly servicePort: Sourced<string | undefined>;
  /** `KUBECONFIG`: kubeconfig files separated by `:`. */
  readonly kubeconfig: Sourced<string | undefined>;
  /** `HOME`, under which `.kube/config` is looked for. */
  readonly home: Sourced<string | undefined>;
  /** The service-account token file. */
  readonly tokenPath: string;
  /** The service-account CA file. */
  readonly caPath: string;
  /** How the files are read (the environment's reader). */
  readonly readFile: (path: string) => string | undefined;
}

/** Environment variable for the `expectedReplicas` option. */
export const EXPECTED_REPLICAS_ENV = 'HEADLESS_DISCOVERY_EXPECTED_REPLICAS';
/** Environment variable for the `staticPeers` option. */
export const STATIC_PEERS_ENV = 'HEADLESS_DISCOVERY_STATIC_PEERS';
/** Environment variable for the `nameservers` option (instead of resolv.conf). */
export const NAMESERVERS_ENV = 'HEADLESS_DISCOVERY_NAMESERVERS';

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The pod environment, read synchronously and lazily: each file is read the first time a value
 * that needs it is asked for, and once (so a discovery whose options say everything reads
 * nothing). Never throws for a missing file: every value has a fallback, and the caller
 * validates what it needs.
 */
export function readEnvironment(sources: EnvironmentSources = {}): PodEnvironment {
  const env = sources.env ?? process.env;
  const readFile = sources.readFile ?? readTextFile;
  const resolvConfPath = sources.resolvConfPath ?? RESOLV_CONF_PATH;
  const namespacePath = sources.namespacePath ?? NAMESPACE_PATH;

  const resolvConf = once(() => {
    const text = readFile(resolvConfPath);
    const from = text === undefined ? `missing file:${resolvConfPath}` : `file:${resolvConfPath}`;
    return { from, conf: applyResolverEnv(parseResolvConf(text ?? ''), env) };
  });
  const searchFrom = (): string => (env['LOCALDOMAIN'] === undefined ? resolvConf().from : 'env:LOCALDOMAIN');
  const namespace = once(() => readNamespace(env, readFile, namespacePath));

  return lazily({
    podName: () => readPodName(env, sources.hostname ?? osHostname),
    namespace,
    clusterDomain: () => clusterDomainFromSearch(resolvConf().conf.search, namespace().value, searchFrom()),
    nameservers: () => ({ value: resolvConf().conf.nameservers, from: resolvConf().from }),
    search: () => ({ value: resolvConf().conf.search, from: searchFrom() }),
    resolverOptions: () => ({
      value: resolvConf().conf.options,
      from: env['RES_OPTIONS'] === undefined ? resolvConf().from : `${resolvConf().from} + env:RES_OPTIONS`,
    }),
    expectedReplicas: () => fromEnv(env, EXPECTED_REPLICAS_ENV),
    staticPeers: () => fromEnv(env, STATIC_PEERS_ENV),
    nameserversOverride: () => fromEnv(env, NAMESERVERS_ENV),
    kubernetesApi: () => ({
      serviceHost: fromEnv(env, 'KUBERNETES_SERVICE_HOST'),
      servicePort: fromEnv(env, 'KUBERNETES_SERVICE_PORT'),
      kubeconfig: fromEnv(env, 'KUBECONFIG'),
      home: fromEnv(env, 'HOME'),
      tokenPath: sources.tokenPath ?? TOKEN_PATH,
      caPath: sources.caPath ?? CA_PATH,
      readFile,
    }),
  });
}

function once<T>(compute: () => T): () => T {
  let value: { readonly is: T } | undefined;
  return () => (value ??= { is: compute() }).is;
}

/** An object whose every property is computed on first read, then kept. */
function lazily<T extends object>(getters: { readonly [K in keyof T]: () => T[K] }): T {
  const target = {} as T;
  for (const key of Object.keys(getters) as (keyof T)[]) {
    const get = once(getters[key]);
    Object.defineProperty(target, key, { get, enumerable: true });
  }
  return target;
}

function fromEnv(env: Readonly<Record<string, string | undefined>>, name: string): Sourced<string | undefined> {
  const value = env[name]?.trim();
  return value ? { value, from: `env:${name}` } : { value: undefined, from: 'default' };
}

function readPodName(env: Readonly<Record<string, string | undefined>>, hostname: () => string): Sourced<string> {
  for (const name of ['POD_NAME', 'HOSTNAME'] as const) {
    const value = env[name]?.trim();
    // Pods with `setHostnameAsFQDN: true` have the FQDN as host name; the pod name is its first label.
    if (value) return { value: firstLabel(value), from: `env:${name}` };
  }
  return { value: firstLabel(hostname()), from: 'hostname' };
}

function readNamespace(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string | undefined,
  path: string,
): Sourced<string> {
  const fromEnv = env['POD_NAMESPACE']?.trim();
  if (fromEnv) return { value: fromEnv, from: 'env:POD_NAMESPACE' };
  const fromFile = readFile(path)?.trim();
  if (fromFile) return { value: fromFile, from: `file:${path}` };
  return { value: DISCOVERY_DEFAULTS.namespace, from: 'default' };
}

/**
 * The kubelet writes `search <ns>.svc.<zone> svc.<zone> <zone>` for ClusterFirst pods, so the
 * zone follows `<ns>.svc.` in the first entry, or `svc.` in the second.
 */
function clusterDomainFromSearch(search: readonly string[], namespace: string, from: string): Sourced<string> {
  const own = search.find((entry) => entry.startsWith(`${namespace}.svc.`));
  if (own) return { value: own.slice(`${namespace}.svc.`.length), from };
  const shared = search.find((entry) => entry.startsWith('svc.') && entry.length > 4);
  if (shared) return { value: shared.slice(4), from };
  return { value: DISCOVERY_DEFAULTS.clusterDomain, from: 'default' };
}
