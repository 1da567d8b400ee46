/**
 * Kubernetes objects shaped as the API serves them (discovery.k8s.io/v1 EndpointSlices, their
 * list, watch events, Status errors; ../shared/k8s-dns-facts.md §5), and the files a client reads
 * its credentials from: a kubeconfig, and a pod's service-account directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One endpoint of a slice, as the EndpointSlice controller writes it for a pod. */
export interface PodEndpointSpec {
  readonly pod: string;
  readonly address: string | readonly string[];
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
  readonly uid?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  /** Default: the pod name (a StatefulSet pod under its governing Service); `null` leaves it out. */
  readonly hostname?: string | null;
}

/** An endpoint as the controller writes it: `ready` = serving and not terminating (unless given). */
export function podEndpoint(spec: PodEndpointSpec): Record<string, unknown> {
  const serving = spec.serving ?? spec.ready ?? true;
  const terminating = spec.terminating ?? false;
  return {
    addresses: typeof spec.address === 'string' ? [spec.address] : [...spec.address],
    conditions: { ready: spec.ready ?? (serving && !terminating), serving, terminating },
    ...(spec.hostname === null ? {} : { hostname: spec.hostname ?? spec.pod }),
    targetRef: { kind: 'Pod', namespace: 'default', name: spec.pod, uid: spec.uid ?? `uid-${spec.pod}` },
    nodeName: spec.nodeName ?? 'node-a',
    ...(spec.zone === undefined ? {} : { zone: spec.zone }),
  };
}

/** A slice of `service`. */
export function endpointSlice(
  name: string,
  service: string,
  endpoints: readonly unknown[],
  options: { readonly addressType?: string; readonly ports?: readonly unknown[]; readonly resourceVersion?: string } = {},
): Record<string, unknown> {
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name,
      namespace: 'default',
      generateName: `${service}-`,
      resourceVersion: options.resourceVersion ?? '1',
      labels: {
        'kubernetes.io/service-name': service,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'service.kubernetes.io/headless': '',
      },
    },
    addressType: options.addressType ?? 'IPv4',
    endpoints,
    ports: options.ports ?? [{ name: 'peer', protocol: 'TCP', port: 7000 }],
  };
}

/** A list response (its items without kind/apiVersion, as the API may send them). */
export function sliceList(items: readonly Record<string, unknown>[], resourceVersion: string): Record<string, unknown> {
  return {
    kind: 'EndpointSliceList',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: { resourceVersion },
    items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item),
  };
}

/** A watch event. */
export function watchEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Record<string, unknown>, resourceVersion: string): Record<string, unknown> {
  const metadata = { ...(object['metadata'] as Record<string, unknown>), resourceVersion };
  return { type, object: { ...object, metadata } };
}

/** A bookmark: only the resourceVersion is set. */
export function bookmark(resourceVersion: string): Record<string, unknown> {
  return { type: 'BOOKMARK', object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion } } };
}

/** A `Status` object, as error responses and ERROR events carry. */
export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** The ERROR event of an expired resourceVersion. */
export function expiredEvent(): Record<string, unknown> {
  return { type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (2)') };
}

/** A JWT-shaped service-account token (not signed: the test servers only compare it). */
export function serviceAccountToken(namespace: string, name: string, serial = 1): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'test' })}.${part({ sub: `system:serviceaccount:${namespace}:${name}`, serial })}.c2lnbmF0dXJl`;
}

/** A temporary directory, removed by the returned function. */
export function temporaryDirectory(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'headless-discovery-k8s-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A pod's service-account files in `directory`: `token`, `ca.crt`, `namespace`. */
export function writeServiceAccount(directory: string, files: { readonly token: string; readonly ca: string; readonly namespace?: string }): { tokenPath: string; caPath: string; namespacePath: string } {
  const paths = { tokenPath: join(directory, 'token'), caPath: join(directory, 'ca.crt'), namespacePath: join(directory, 'namespace') };
  writeFileSync(paths.tokenPath, files.token);
  writeFileSync(paths.caPath, files.ca);
  writeFileSync(paths.namespacePath, files.namespace ?? 'default');
  return paths;
}

/** One context of a kubeconfig. */
export interface KubeconfigContextSpec {
  readonly name: string;
  readonly server: string;
  /** The CA, as certificate-authority-data. */
  readonly ca?: string;
  readonly token?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

/** Write a kubeconfig with these contexts (the first is current unless `current` says otherwise); returns its path. */
export function writeKubeconfig(directory: string, contexts: readonly KubeconfigContextSpec[], options: { readonly current?: string | null; readonly file?: string } = {}): string {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const context of contexts) {
    lines.push(`- name: ${context.name}-cluster`, '  cluster:', `    server: ${JSON.stringify(context.server)}`);
    if (context.ca !== undefined) lines.push(`    certificate-authority-data: ${b64(context.ca)}`);
    if (context.insecureSkipTlsVerify) lines.push('    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const context of contexts) {
    lines.push(`- name: ${context.name}-user`, '  user:');
    if (context.token !== undefined) lines.push(`    token: ${JSON.stringify(context.token)}`);
    if (context.clientCert !== undefined) lines.push(`    client-certificate-data: ${b64(context.clientCert)}`);
    if (context.clientKey !== undefined) lines.push(`    client-key-data: ${b64(context.clientKey)}`);
    if (context.token === undefined && context.clientCert === undefined) lines.push('    {}');
  }
  lines.push('contexts:');
  for (const context of contexts) {
    lines.push(`- name: ${context.name}`, '  context:', `    cluster: ${context.name}-cluster`, `    user: ${context.name}-user`, '    namespace: default');
  }
  const current = options.current === undefined ? contexts[0]?.name : options.current;
  if (current !== null && current !== undefined) lines.push(`current-context: ${current}`);
  const path = join(directory, options.file ?? 'config');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
