/**
 * The diagnosis's view of the Kubernetes API: the credentials (see `api-credentials.ts`) and
 * the one-shot reads the API checks make through `kubernetes/api-read.ts`, each reported as
 * what the running check waits for. A read never throws what the API did: it resolves with the
 * outcome, a value or a `KubernetesApiError`; only an abort of the diagnosis rejects.
 *
 * @module
 */
import { KubernetesApiError } from '../errors';
import { getService, listEndpointSlices, listPods, podsPath, servicePath, type ReadOptions } from '../kubernetes/api-read';
import { readPod, readService, type PodSummary, type ServiceSpec } from '../kubernetes/core-objects';
import { createCredentials } from '../kubernetes/credential-source';
import type { Credentials } from '../kubernetes/credentials';
import { endpointSlicesPath } from '../kubernetes/list-watch';
import { subjectInForbidden, type ApiSubject } from '../kubernetes/rbac';
import type { ApiCredentials } from './api-credentials';

/** What a read came to: the value, or what the API (or the way to it) said. */
export type ApiOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KubernetesApiError };

/** The API, as the checks of one diagnosis read it. */
export interface DiagnosisApi {
  /** The credentials, or why there are none. */
  readonly credentials: ApiCredentials;
  /** Where the credentials come from, for the evidence, e.g. `the user "me" of context "kind-dev" in the kubeconfig /home/me/.kube/config`. */
  describe(): string;
  /** Who the credentials are, when known (from a refusal's message, else the credentials). */
  subject(error?: KubernetesApiError): ApiSubject | undefined;
  /** The Service (`null`: there is none). */
  service(): Promise<ApiOutcome<ServiceSpec | null>>;
  /** The pods `selector` (`app=mysql,…`) picks. */
  pods(selector: string): Promise<ApiOutcome<readonly PodSummary[]>>;
  /** The Service's EndpointSlices, as listed (unchecked). */
  slices(): Promise<ApiOutcome<readonly unknown[]>>;
  /** Release the credentials' agents. */
  close(): void;
}

/** Open the API for one diagnosis; `onWaiting` hears the request in flight (`GET <path>`), then `[]`. */
export function openDiagnosisApi(found: ApiCredentials, signal: AbortSignal, onWaiting: (requests: readonly string[]) => void): DiagnosisApi {
  const settings = found.usable ? found.settings : undefined;
  let credentials: Credentials | undefined;
  const connect = (): Credentials => {
    if (!settings) throw new Error('no Kubernetes credentials: the API checks must not read the API');
    credentials ??= createCredentials(settings.credentials, settings);
    return credentials;
  };
  const options = (): ReadOptions => ({ signal, timeoutMs: settings?.timing.requestTimeoutMs ?? 10_000 });

  async function read<T>(path: string, work: (client: Credentials) => Promise<T>): Promise<ApiOutcome<T>> {
    onWaiting([`GET ${path}`]);
    try {
      return { ok: true, value: await work(connect()) };
    } catch (error) {
      signal.throwIfAborted();
      if (error instanceof KubernetesApiError) return { ok: false, error };
      return { ok: false, error: new KubernetesApiError('ERR_K8S_API', `GET ${path}`, `The Kubernetes API could not be read (please report this): ${String(error)}`, { cause: error }) };
    } finally {
      onWaiting([]);
    }
  }

  const namespace = settings?.namespace ?? '';
  const service = settings?.service ?? '';
  return {
    credentials: found,
    describe: () => (credentials ?? (settings ? connect() : undefined))?.facts().description ?? 'none',
    subject: (error) => (error === undefined ? undefined : subjectInForbidden(error.message)) ?? credentials?.facts().subject,
    service: () =>
      read(servicePath(namespace, service), async (client) => {
        const object = await getService(client, namespace, service, options());
        return object === null ? null : (readService(object) ?? null);
      }),
    pods: (selector) =>
      read(podsPath(namespace, selector), async (client) => (await listPods(client, namespace, selector, options())).flatMap((item) => readPod(item) ?? [])),
    slices: () => read(endpointSlicesPath(namespace, service), (client) => listEndpointSlices(client, namespace, service, options())),
    close: () => credentials?.close(),
  };
}
