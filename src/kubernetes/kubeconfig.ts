/**
 * Kubeconfig credentials, for use outside the cluster (from a laptop), read by
 * `@kubernetes/client-node`: it parses the files, and turns a context's cluster and user into
 * request options (CA and client certificates, tokens and token files, exec credential plugins
 * such as `aws eks get-token`, auth providers, proxies), which no code of ours should redo.
 * The files are merged as kubectl merges a `KUBECONFIG` list: the first file to define a name
 * (or the current context) wins. A 401 makes the next connect read everything again, so a
 * refreshed token file or exec credential is picked up.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { dirname } from 'node:path';
import { credentialsError, type CredentialFacts } from './api-errors';
import {
  CLIENT_INSTALL_COMMAND,
  CLIENT_PACKAGE,
  loadClientPackage,
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigUser,
  type KubeConfigLike,
} from './client-package';
import type { Credentials } from './credentials';
import type { KubeconfigSource } from './settings';

/** A context's kubeconfig, ready to authenticate requests. */
interface Loaded {
  readonly config: KubeConfigLike;
  readonly server: URL;
  readonly description: string;
}

/** Credentials from kubeconfig files. */
export function kubeconfigCredentials(source: KubeconfigSource, readFile: (path: string) => string | undefined): Credentials {
  const files = source.paths.join(':');
  let loading: Promise<Loaded> | undefined;
  let description = `the kubeconfig ${files} (${source.from})`;
  let agent: HttpAgent | undefined;

  async function connect(): Promise<{ server: URL; options: RequestOptions }> {
    loading ??= load(source, readFile).catch((error: unknown) => {
      loading = undefined; // the file may be fixed before the next attempt
      throw error;
    });
    const loaded = await loading;
    description = loaded.description;
    const options: RequestOptions = {};
    try {
      await loaded.config.applyToHTTPSOptions(options);
    } catch (error) {
      throw credentialsError(`The credentials of ${loaded.description} could not be obtained: ${String((error as Error)?.message ?? error)}.`, error);
    }
    // Before 1.4, the package made an HTTPS agent even for an http:// server.
    if (loaded.server.protocol === 'http:' && options.agent instanceof HttpsAgent) options.agent = false;
    if (options.agent instanceof HttpAgent) agent = options.agent;
    return { server: loaded.server, options };
  }

  return {
    connect,
    unauthorized: () => {
      loading = undefined;
    },
    facts: (): CredentialFacts => ({ subject: undefined, description }),
    close: () => {
      agent?.destroy();
      agent = undefined;
    },
  };
}

async function load(source: KubeconfigSource, readFile: (path: string) => string | undefined): Promise<Loaded> {
  const client = await loadClientPackage().catch((error: unknown) => {
    throw credentialsError(`${CLIENT_PACKAGE} could not be loaded to read the kubeconfig (${String((error as Error)?.message ?? error)}); ${CLIENT_INSTALL_COMMAND}.`, error);
  });
  const clusters: KubeconfigCluster[] = [];
  const users: KubeconfigUser[] = [];
  const contexts: KubeconfigContext[] = [];
  let currentContext: string | undefined;
  for (const path of source.paths) {
    const text = readFile(path);
    if (text === undefined) throw credentialsError(`The kubeconfig file ${path} (${source.from}) is missing or unreadable.`);
    const file = new client.KubeConfig();
    try {
      file.loadFromString(text);
    } catch (error) {
      throw credentialsError(`The kubeconfig file ${path} is not valid: ${String((error as Error)?.message ?? error)}.`, error);
    }
    file.makePathsAbsolute(dirname(path));
    addNew(clusters, file.clusters);
    addNew(users, file.users);
    addNew(contexts, file.contexts);
    currentContext ||= file.currentContext || undefined;
  }
  const files = source.paths.join(':');
  const name = source.context ?? currentContext;
  const known = contexts.length === 0 ? 'none' : contexts.slice(0, 10).map((context) => `"${context.name}"`).join(', ');
  if (name === undefined) throw credentialsError(`The kubeconfig ${files} sets no current-context; set the kubernetes.context option (contexts: ${known}).`);
  const context = contexts.find((candidate) => candidate.name === name);
  if (!context) throw credentialsError(`The kubeconfig ${files} has no context "${name}" (contexts: ${known}).`);
  const clusterIndex = clusters.findIndex((candidate) => candidate.name === context.cluster);
  const cluster = clusters[clusterIndex];
  if (!cluster) throw credentialsError(`The context "${name}" of the kubeconfig ${files} names the cluster "${context.cluster}", which is not defined there.`);
  const server = parseServer(cluster.server);
  if (!server) throw credentialsError(`The cluster "${cluster.name}" of the kubeconfig ${files} has the server ${JSON.stringify(cluster.server)}; expected an http:// or https:// URL.`);
  if (server.protocol === 'http:') {
    // kubectl talks plain HTTP to an http:// server (`kubectl proxy`, a test server); the package
    // refuses unless TLS checks are off, which mean nothing without TLS.
    clusters[clusterIndex] = { ...cluster, skipTLSVerify: true };
  }
  const config = new client.KubeConfig();
  config.loadFromOptions({ clusters, users, contexts, currentContext: name });
  return { config, server, description: `the user "${context.user}" of context "${name}" in the kubeconfig ${files}` };
}

/** Add the entries of `more` whose names `into` does not have yet: the first file to define a name wins. */
function addNew<T extends { readonly name: string }>(into: T[], more: readonly T[] | undefined): void {
  for (const entry of more ?? []) if (!into.some((known) => known.name === entry.name)) into.push(entry);
}

function parseServer(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
