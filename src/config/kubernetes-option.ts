/**
 * The `kubernetes` option and where the `kubernetes` source's credentials come from, decided
 * once, at construction: the option's kubeconfig, else `KUBECONFIG`, else the pod's service
 * account (`KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`), else `~/.kube/config`. A
 * kubeconfig is read with `@kubernetes/client-node`, so with one the package must be installed:
 * that is checked here (synchronously, without loading it), not at the first poll.
 *
 * @module
 */
import { isIP } from 'node:net';
import { delimiter, join } from 'node:path';
import { InvalidOptionError } from '../errors';
import { checkClientPackage, CLIENT_PACKAGE } from '../kubernetes/client-package';
import type { CredentialSource, KubernetesSettings } from '../kubernetes/settings';
import { isDnsSubdomain } from '../names';
import { describe, ownRecord, rejectUnknownKeys } from './checks';
import { DEFAULT_KUBECONFIG, KUBERNETES_TIMING } from './defaults';
import type { KubernetesApiEnvironment, PodEnvironment } from './environment';
import type { KubernetesOptions } from './options';

const KEYS: ReadonlySet<string> = new Set(Object.keys({ kubeconfig: true, context: true } satisfies Record<keyof KubernetesOptions, true>));
const MAX_PATH = 4096;
const EXAMPLE = 'an object such as { kubeconfig: "/home/me/.kube/config", context: "kind-dev" }';

/** The Service the source watches. */
export interface WatchedService {
  readonly service: string;
  readonly namespace: string;
}

/**
 * Validate the `kubernetes` option and decide the credentials, when the source is `wanted`
 * (`null` otherwise; the option without the source is an error).
 */
export function resolveKubernetes(value: unknown, wanted: boolean, watched: WatchedService, environment: PodEnvironment): KubernetesSettings | null {
  if (!wanted) {
    if (value !== undefined) throw new InvalidOptionError('kubernetes', 'it is set but "kubernetes" is not among sources; expected it there too, e.g. sources: ["kubernetes", "srv"].');
    return null;
  }
  const record = value === undefined ? {} : ownRecord('kubernetes', value, EXAMPLE);
  rejectUnknownKeys('kubernetes.', record, KEYS);
  const kubeconfig = record['kubeconfig'] === undefined ? undefined : filePath('kubernetes.kubeconfig', record['kubeconfig']);
  const context = record['context'] === undefined ? undefined : contextName(record['context']);
  const api = environment.kubernetesApi;
  const credentials = credentialSource(kubeconfig, context, api);
  if (credentials.kind === 'kubeconfig') {
    const client = checkClientPackage();
    if (!client.usable) {
      throw new InvalidOptionError('sources', `"kubernetes" reads the kubeconfig ${describe(credentials.paths.join(':'))} (${credentials.from}) with ${CLIENT_PACKAGE}, but ${client.reason}.`);
    }
  }
  return { service: watched.service, namespace: watched.namespace, credentials, readFile: api.readFile, timing: KUBERNETES_TIMING };
}

function filePath(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH || value.includes('\u0000')) {
    throw new InvalidOptionError(option, `got ${describe(value)}; expected a file path (1–${MAX_PATH} characters, no NUL), e.g. "/home/me/.kube/config".`);
  }
  return value;
}

function contextName(value: unknown): string {
  // kubectl allows any name; control characters would only garble the messages that quote it.
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidOptionError('kubernetes.context', `got ${describe(value)}; expected the name of a kubeconfig context (1–253 characters, no control characters), e.g. "kind-dev".`);
  }
  return value;
}

function credentialSource(kubeconfig: string | undefined, context: string | undefined, api: KubernetesApiEnvironment): CredentialSource {
  if (kubeconfig !== undefined) return { kind: 'kubeconfig', paths: [kubeconfig], context: context ?? null, from: 'kubernetes.kubeconfig' };
  const listed = api.kubeconfig.value?.split(delimiter).filter(Boolean) ?? [];
  if (listed.length > 0) return { kind: 'kubeconfig', paths: listed, context: context ?? null, from: api.kubeconfig.from };
  const home = api.home.value;
  const inHome = home === undefined ? undefined : join(home, DEFAULT_KUBECONFIG);
  if (context !== undefined) {
    if (inHome === undefined) throw new InvalidOptionError('kubernetes.context', 'a context needs a kubeconfig, and none was found; expected the kubernetes.kubeconfig option, KUBECONFIG or HOME.');
    return { kind: 'kubeconfig', paths: [inHome], context, from: `~/${DEFAULT_KUBECONFIG}` };
  }
  const host = api.serviceHost.value;
  const port = api.servicePort.value;
  if (host !== undefined && port !== undefined) return { kind: 'in-cluster', server: inClusterServer(host, port), tokenPath: api.tokenPath, caPath: api.caPath };
  if (inHome !== undefined && api.readFile(inHome) !== undefined) return { kind: 'kubeconfig', paths: [inHome], context: null, from: `~/${DEFAULT_KUBECONFIG}` };
  return { kind: 'none', looked: `no kubernetes.kubeconfig option, no KUBECONFIG, no KUBERNETES_SERVICE_HOST and no ~/${DEFAULT_KUBECONFIG}` };
}

/** `https://<host>:<port>` as client-go builds it (`net.JoinHostPort`: an IPv6 host in brackets). */
function inClusterServer(host: string, port: string): string {
  const lower = host.toLowerCase();
  if (isIP(lower) === 0 && !isDnsSubdomain(lower)) {
    throw new InvalidOptionError('kubernetes (from env:KUBERNETES_SERVICE_HOST)', `got ${describe(host)}; expected an IP address or a host name.`);
  }
  const number = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(number >= 1 && number <= 65_535)) {
    throw new InvalidOptionError('kubernetes (from env:KUBERNETES_SERVICE_PORT)', `got ${describe(port)}; expected a port number from 1 to 65535.`);
  }
  return `https://${isIP(lower) === 6 ? `[${lower}]` : lower}:${number}`;
}
