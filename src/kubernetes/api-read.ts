/**
 * One-shot reads of the Kubernetes API, for the doctor: GET one Service, list the Pods a label
 * selector picks, list a Service's EndpointSlices. Each connects with the credentials (a 401
 * reads them again and tries once more, as the list/watch loop does) and resolves with the
 * parsed body; a Service that is not there (404) resolves `null`. Every other failure rejects
 * with a {@link KubernetesApiError} whose message says what to do (a 403 names the missing RBAC
 * rule). The `kubernetes` source does not use these: it lists and watches (`list-watch.ts`).
 *
 * @module
 */
import { KubernetesApiError } from '../errors';
import { statusError, unreachableError, type ApiRequest, type ApiResource } from './api-errors';
import type { Credentials } from './credentials';
import { asRecord, parseJson } from './endpoint-slice';
import { readBody, sendGet } from './http-request';
import { endpointSlicesPath } from './list-watch';

/** How long a read may take and what aborts it. */
export interface ReadOptions {
  /** Aborting it aborts the request: the read rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** How long the response headers (and then each silence in the body) may take, in ms. */
  readonly timeoutMs: number;
}

/** The biggest body read (a list of a few thousand pods). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** The longest error body read. */
const MAX_ERROR_BYTES = 64 * 1024;

/** `/api/v1/namespaces/<ns>/services/<name>` */
export function servicePath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`;
}

/** `/api/v1/namespaces/<ns>/pods?labelSelector=<selector>` */
export function podsPath(namespace: string, labelSelector: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?${new URLSearchParams({ labelSelector }).toString()}`;
}

/** The Service object, or `null` when the API says there is none (404). */
export async function getService(credentials: Credentials, namespace: string, name: string, options: ReadOptions): Promise<Record<string, unknown> | null> {
  const read = await readJson(credentials, { verb: 'get', resource: 'services', namespace }, servicePath(namespace, name), options);
  if (read.status === 404) return null;
  const object = asRecord(read.body);
  if (!object || (object['kind'] !== undefined && object['kind'] !== 'Service')) throw notA('Service', read.request);
  return object;
}

/** The Pods of `namespace` that `labelSelector` (e.g. `app=mysql,tier=db`) picks. */
export async function listPods(credentials: Credentials, namespace: string, labelSelector: string, options: ReadOptions): Promise<readonly unknown[]> {
  const read = await readJson(credentials, { verb: 'list', resource: 'pods', namespace }, podsPath(namespace, labelSelector), options);
  return items(read, 'PodList');
}

/** The EndpointSlices labelled `kubernetes.io/service-name=<service>` in `namespace`, as the API stores them (unchecked). */
export async function listEndpointSlices(credentials: Credentials, namespace: string, service: string, options: ReadOptions): Promise<readonly unknown[]> {
  const read = await readJson(credentials, { verb: 'list', resource: 'endpointslices', namespace }, endpointSlicesPath(namespace, service), options);
  return items(read, 'EndpointSliceList');
}

/** A read's outcome: the status and the parsed body (`undefined` when it is not JSON). */
interface Read {
  readonly status: number;
  readonly body: unknown;
  readonly request: ApiRequest;
}

/**
 * GET `path`; resolves with 200 and 404 answers, rejects with every other one (and when there
 * is no answer). A 401 reads the credentials again and tries once more.
 */
async function readJson(credentials: Credentials, what: { readonly verb: 'get' | 'list'; readonly resource: ApiResource; readonly namespace: string }, path: string, options: ReadOptions): Promise<Read> {
  for (let attempt = 1; ; attempt++) {
    options.signal.throwIfAborted();
    const endpoint = await credentials.connect();
    const request: ApiRequest = { ...what, server: endpoint.server.href.replace(/\/+$/, '') };
    const failed = (error: unknown): never => {
      options.signal.throwIfAborted();
      throw unreachableError(request, error, credentials.facts());
    };
    const exchange = await sendGet(endpoint, path, options.signal, options.timeoutMs).catch(failed);
    const status = exchange.response.statusCode ?? 0;
    const text = await readBody(exchange, status === 200 ? MAX_BODY_BYTES : MAX_ERROR_BYTES).catch(failed);
    const body = parseJson(text);
    if (status === 401 && attempt === 1) {
      credentials.unauthorized();
      continue;
    }
    if (status === 200 || (status === 404 && what.verb === 'get')) return { status, body, request };
    throw statusError(request, status, body, credentials.facts());
  }
}

function items(read: Read, kind: string): readonly unknown[] {
  const list = asRecord(read.body);
  const found = list?.['items'] ?? [];
  if (!list || (list['kind'] !== undefined && list['kind'] !== kind) || !Array.isArray(found)) throw notA(kind, read.request);
  return found;
}

function notA(kind: string, request: ApiRequest): KubernetesApiError {
  return new KubernetesApiError(
    'ERR_K8S_BAD_OBJECT',
    `${request.verb} ${request.resource ?? 'endpointslices'}`,
    `The Kubernetes API at ${request.server} answered the ${request.verb} of ${request.resource ?? 'endpointslices'} in namespace "${request.namespace}" with something that is not a ${kind}.`,
  );
}
