/**
 * Credentials for the fake API, in the two forms a client finds them: a kubeconfig file (as on a
 * laptop) and a service-account directory with `token`, `ca.crt` and `namespace` plus the
 * `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT` variables (as in a pod). The directory is
 * laid out as the kubelet's atomic writer lays out a projected volume: each file is a symlink
 * through `..data` to a timestamped directory, and a rotation swaps `..data` in one rename.
 *
 * @module
 */
import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where in a pod the service-account volume is mounted. */
export const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What a kubeconfig says. */
export interface KubeconfigContent {
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
  readonly namespace: string;
  readonly context: string;
}

// JSON strings are valid YAML double-quoted scalars: no YAML library needed.
const quote = (text: string): string => JSON.stringify(text);

/** A kubeconfig (YAML) with one cluster, one user with a bearer token and one context. */
export function kubeconfigYaml(content: KubeconfigContent): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${quote(content.context)}`,
    '  cluster:',
    `    server: ${quote(content.server)}`,
    `    certificate-authority-data: ${quote(Buffer.from(content.caPem).toString('base64'))}`,
    'users:',
    `- name: ${quote(`${content.context}-user`)}`,
    '  user:',
    `    token: ${quote(content.token)}`,
    'contexts:',
    `- name: ${quote(content.context)}`,
    '  context:',
    `    cluster: ${quote(content.context)}`,
    `    user: ${quote(`${content.context}-user`)}`,
    `    namespace: ${quote(content.namespace)}`,
    `current-context: ${quote(content.context)}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** A fresh temporary directory. */
export function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'headless-discovery-kube-'));
}

/** The files of a service-account volume, by name. */
export type ServiceAccountFiles = Readonly<Record<'token' | 'ca.crt' | 'namespace', string>>;

/**
 * Write the volume's files into `directory` as the kubelet does: into a new `..<timestamp>`
 * directory, then `..data` renamed to point at it, then the old one removed. The file names
 * (`token`, …) are symlinks to `..data/<name>`, made once.
 */
export async function writeProjectedVolume(directory: string, files: ServiceAccountFiles): Promise<void> {
  await mkdir(directory, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${Math.random().toString(36).slice(2, 8)}`;
  await mkdir(join(directory, stamp));
  for (const [name, text] of Object.entries(files)) await writeFile(join(directory, stamp, name), text, { mode: 0o644 });
  const previous = await readlink(join(directory, '..data')).catch(() => null);
  await symlink(stamp, join(directory, '..data_tmp'));
  await rename(join(directory, '..data_tmp'), join(directory, '..data'));
  if (previous === null) {
    for (const name of Object.keys(files)) await symlink(join('..data', name), join(directory, name));
  } else {
    await rm(join(directory, previous), { recursive: true, force: true });
  }
}

/** A pod's view of the fake API, written by `FakeKubernetesApi.writeInClusterFiles()`. */
export interface InClusterCredentials {
  /** The directory that stands for `/` (client-node's `loadFromCluster(root)` takes it as its prefix). */
  readonly root: string;
  /** `<root>/var/run/secrets/kubernetes.io/serviceaccount`. */
  readonly directory: string;
  /** `<directory>/token`. */
  readonly tokenPath: string;
  /** `<directory>/ca.crt`. */
  readonly caPath: string;
  /** `<directory>/namespace`. */
  readonly namespacePath: string;
  /** The variables the kubelet sets in every container, pointing at the fake API. */
  readonly env: {
    /** `127.0.0.1` or `::1` (no brackets, as in a pod). */
    readonly KUBERNETES_SERVICE_HOST: string;
    /** The port. */
    readonly KUBERNETES_SERVICE_PORT: string;
    /** The same port. */
    readonly KUBERNETES_SERVICE_PORT_HTTPS: string;
  };
  /** The token in the file now. */
  readonly token: string;
  /**
   * Rotate the token as the kubelet does (a new file behind the `..data` symlink), and have the
   * server accept the new one. The previous token stays accepted (projected tokens stay valid
   * until they expire) unless `revokePrevious`. Resolves with the new token.
   */
  rotateToken(options?: { readonly token?: string; readonly revokePrevious?: boolean }): Promise<string>;
}

/** What writing in-cluster files needs of the server. */
export interface InClusterServer {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
  readonly tokens: readonly string[];
  acceptTokens(tokens: Iterable<string>): void;
  newToken(): string;
}

/** Write the service-account volume under `root` and return its description. */
export async function writeInClusterCredentials(root: string, server: InClusterServer, namespace: string, initialToken: string): Promise<InClusterCredentials> {
  const directory = join(root, SERVICE_ACCOUNT_PATH);
  let token = initialToken;
  if (!server.tokens.includes(token)) server.acceptTokens([...server.tokens, token]);
  const files = (value: string): ServiceAccountFiles => ({ token: value, 'ca.crt': `${server.caPem.trimEnd()}\n`, namespace });
  await writeProjectedVolume(directory, files(token));
  const port = String(server.port);
  return {
    root,
    directory,
    tokenPath: join(directory, 'token'),
    caPath: join(directory, 'ca.crt'),
    namespacePath: join(directory, 'namespace'),
    env: { KUBERNETES_SERVICE_HOST: server.host, KUBERNETES_SERVICE_PORT: port, KUBERNETES_SERVICE_PORT_HTTPS: port },
    get token() {
      return token;
    },
    async rotateToken(options = {}) {
      const next = options.token ?? server.newToken();
      const previous = token;
      // As the kubelet: the new token is valid before it is in the file; the old one stays valid unless revoked.
      server.acceptTokens([...server.tokens, next]);
      await writeProjectedVolume(directory, files(next));
      token = next;
      if (options.revokePrevious === true && previous !== next) server.acceptTokens(server.tokens.filter((old) => old !== previous));
      return next;
    },
  };
}
