/**
 * Turning what went wrong with a request into a {@link KubernetesApiError} whose message says
 * what to do: the API could not be reached, refused the credentials (401), lacks an RBAC rule
 * (403), answered another error status, or sent something that is not what it should be.
 *
 * @module
 */
import { KubernetesApiError } from '../errors';
import { doctorForbiddenMessage } from './doctor-rbac';
import { forbiddenMessage, subjectInForbidden, type ApiSubject } from './rbac';

/** The resources this library reads: the source's EndpointSlices, and the doctor's Service and Pods. */
export type ApiResource = 'endpointslices' | 'services' | 'pods';

/** One request to the API, as the messages describe it. */
export interface ApiRequest {
  /** `list` or `watch` (the source), `get` or `list` (the doctor's one-shot reads). */
  readonly verb: 'list' | 'watch' | 'get';
  /** What is read. Default: `endpointslices`. */
  readonly resource?: ApiResource;
  /** The Service's namespace. */
  readonly namespace: string;
  /** The API server (origin and path prefix). */
  readonly server: string;
}

/** What the credentials tell a message: who they are, and where they come from. */
export interface CredentialFacts {
  /** The service account or user, when the credentials say. */
  readonly subject: ApiSubject | undefined;
  /** Where they come from, e.g. `the service-account token /var/run/…/token`. */
  readonly description: string;
}

/** The fields of a Kubernetes `Status` object this library reads. */
export interface ApiStatus {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

/** Longest part of an API message repeated in ours. */
const MAX_API_MESSAGE = 300;

/** The `Status` fields of `value`, if it is shaped like one (anything else reads as empty). */
export function readStatus(value: unknown): ApiStatus {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const text = (field: unknown): string | undefined =>
    typeof field === 'string' && field.length > 0 ? (field.length > MAX_API_MESSAGE ? `${field.slice(0, MAX_API_MESSAGE)}…` : field) : undefined;
  return {
    code: typeof record['code'] === 'number' ? record['code'] : undefined,
    reason: text(record['reason']),
    message: text(record['message']),
  };
}

const resourceOf = (request: ApiRequest): ApiResource => request.resource ?? 'endpointslices';
const requestName = (request: ApiRequest): string => `${request.verb} ${resourceOf(request)}`;

/** The request did not get an HTTP answer: a network error, a TLS failure or a timeout. */
export function unreachableError(request: ApiRequest, cause: unknown, credentials: CredentialFacts): KubernetesApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const tls = typeof (cause as { code?: unknown } | undefined)?.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test((cause as { code: string }).code);
  return new KubernetesApiError(
    'ERR_K8S_UNREACHABLE',
    requestName(request),
    `Could not reach the Kubernetes API at ${request.server} to ${requestName(request)}: ${detail}. ` +
      (tls
        ? `The server's certificate is not trusted by the CA of ${credentials.description}.`
        : `Check that ${request.server} is reachable from here (credentials: ${credentials.description}).`),
    { cause },
  );
}

/** The API answered an error status; `body` is the parsed response body, if it was JSON. */
export function statusError(request: ApiRequest, status: number, body: unknown, credentials: CredentialFacts): KubernetesApiError {
  const api = readStatus(body);
  const details = { status, ...(api.reason === undefined ? {} : { reason: api.reason }) };
  const said = api.message === undefined ? '' : ` The API said: ${api.message}`;
  if (status === 401) {
    return new KubernetesApiError(
      'ERR_K8S_UNAUTHORIZED',
      requestName(request),
      `The Kubernetes API at ${request.server} refused the credentials (401 Unauthorized) to ${requestName(request)}: ` +
        `${credentials.description} is expired, revoked or not for this cluster.${said}`,
      details,
    );
  }
  if (status === 403) {
    const subject = subjectInForbidden(api.message) ?? credentials.subject;
    const resource = resourceOf(request);
    const forbidden = { verb: request.verb, namespace: request.namespace, subject, apiMessage: api.message };
    return new KubernetesApiError(
      'ERR_K8S_FORBIDDEN',
      requestName(request),
      resource === 'endpointslices' ? forbiddenMessage(forbidden) : doctorForbiddenMessage({ ...forbidden, resource }),
      details,
    );
  }
  const slices = resourceOf(request) === 'endpointslices';
  // Only the source's list/watch loop (which names no resource) retries; the doctor's one-shot reads do not.
  const retried = request.resource === undefined;
  const hint =
    status === 404
      ? slices
        ? ' The API group discovery.k8s.io/v1 (EndpointSlices, Kubernetes 1.21 and later) is not served there, or the server is not a Kubernetes API.'
        : ' Is the server a Kubernetes API?'
      : status === 429 || status >= 500
        ? ` The API server is overloaded or failing${retried ? '; this is retried with backoff' : ''}.`
        : '';
  return new KubernetesApiError(
    'ERR_K8S_API',
    requestName(request),
    `The Kubernetes API at ${request.server} answered ${status}${api.reason === undefined ? '' : ` ${api.reason}`} to ${requestName(request)} in namespace "${request.namespace}".${hint}${said}`,
    details,
  );
}

/** No usable credentials: the message says which and where. */
export function credentialsError(message: string, cause?: unknown): KubernetesApiError {
  return new KubernetesApiError('ERR_K8S_CREDENTIALS', 'connect', message, cause === undefined ? {} : { cause });
}

/** Something the API sent is not what it should be: reported, and ignored. */
export function badObjectError(verb: 'list' | 'watch', message: string): KubernetesApiError {
  return new KubernetesApiError('ERR_K8S_BAD_OBJECT', `${verb} endpointslices`, `${message} It is ignored: no peer is removed because of it.`);
}
