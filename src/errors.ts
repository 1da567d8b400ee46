/**
 * Error classes with stable `code`s. Match on `error.code`, never on the message text:
 * messages explain what to do and may be reworded between releases.
 *
 * @module
 */

/** Every stable error code this library produces. */
export type ErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_DNS_TIMEOUT'
  | 'ERR_DNS_NETWORK'
  | 'ERR_DNS_SERVFAIL'
  | 'ERR_DNS_REFUSED'
  | 'ERR_DNS_RCODE'
  | 'ERR_DISCOVERY_CLOSED'
  | 'ERR_LISTENER'
  | 'ERR_SELF_NOT_LISTED'
  | 'ERR_FOREIGN_PEER'
  | 'ERR_SERVICE_NOT_FOUND'
  | 'ERR_PORT_NOT_FOUND'
  | 'ERR_NO_MEMBERS'
  | 'ERR_K8S_UNREACHABLE'
  | 'ERR_K8S_UNAUTHORIZED'
  | 'ERR_K8S_FORBIDDEN'
  | 'ERR_K8S_API'
  | 'ERR_K8S_CREDENTIALS'
  | 'ERR_K8S_BAD_OBJECT'
  | 'ERR_WAIT_TIMEOUT'
  | 'ERR_INTERNAL'
  | 'ERR_LATCH_UNREADABLE'
  | 'ERR_LATCH_INVALID'
  | 'ERR_LATCH_WRITE'
  | 'ERR_LATCH_CONFLICT'
  | 'ERR_DRAINING';

/** Base class of every error this library creates. */
export class DiscoveryError extends Error {
  /** A stable, machine-readable identifier of the kind of failure. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option (or the environment variable or file it defaults from) has a value the library
 * cannot use. Thrown by `createDiscovery` and `discover` before any I/O happens.
 */
export class InvalidOptionError extends DiscoveryError {
  /** The name of the offending option, e.g. `"service"` or `"nameservers[1]"`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('ERR_INVALID_OPTION', `Invalid option "${option}": ${message}`);
    this.option = option;
  }
}

/** The codes a {@link LookupError} can carry. */
export type LookupErrorCode = Extract<
  ErrorCode,
  'ERR_DNS_TIMEOUT' | 'ERR_DNS_NETWORK' | 'ERR_DNS_SERVFAIL' | 'ERR_DNS_REFUSED' | 'ERR_DNS_RCODE'
>;

/**
 * A DNS lookup failed: no usable answer came back (timeout, network error) or the server
 * said it could not answer (SERVFAIL, REFUSED, another error RCODE). A failure is never
 * read as "no peers": the membership is kept and marked stale.
 */
export class LookupError extends DiscoveryError {
  declare readonly code: LookupErrorCode;
  /** The absolute name that was queried, with its trailing dot. */
  readonly queryName: string;
  /** The record type that was queried, e.g. `"SRV"`. */
  readonly queryType: string;
  /** The nameserver that answered with an error, or the last one tried (`ip:port`, `[v6]:port`); `undefined` when none was. */
  readonly server: string | undefined;
  /** How the answer that settled the lookup travelled; `undefined` when none came (a timeout, a network error). */
  readonly transport: 'udp' | 'tcp' | undefined;
  /** The RCODE the server answered (2 SERVFAIL, 5 REFUSED, …); `undefined` for a timeout or a network error. */
  readonly rcode: number | undefined;
  /** Messages sent over every server and attempt. */
  readonly queries: number;
  /** Wall time of the whole lookup, in milliseconds. */
  readonly durationMs: number;

  constructor(
    code: LookupErrorCode,
    queryName: string,
    queryType: string,
    message: string,
    options?: { cause?: unknown; details?: LookupErrorDetails },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.queryName = queryName;
    this.queryType = queryType;
    this.server = options?.details?.server;
    this.transport = options?.details?.transport;
    this.rcode = options?.details?.rcode;
    this.queries = options?.details?.queries ?? 0;
    this.durationMs = options?.details?.durationMs ?? 0;
  }
}

/** What a {@link LookupError} knows of the lookup besides its name and type. */
export interface LookupErrorDetails {
  /** See {@link LookupError.server}. */
  readonly server?: string | undefined;
  /** See {@link LookupError.transport}. */
  readonly transport?: 'udp' | 'tcp' | undefined;
  /** See {@link LookupError.rcode}. */
  readonly rcode?: number | undefined;
  /** See {@link LookupError.queries}. */
  readonly queries?: number;
  /** See {@link LookupError.durationMs}. */
  readonly durationMs?: number;
}

/** An operation was attempted on (or interrupted by) a closed discovery. */
export class ClosedError extends DiscoveryError {
  constructor(message = 'The discovery is closed.') {
    super('ERR_DISCOVERY_CLOSED', message);
  }
}

/**
 * A listener attached by the application threw (or rejected). The poll loop reports it on
 * the `error` event and keeps running; the original error is the `cause`.
 */
export class ListenerError extends DiscoveryError {
  /** The event whose listener failed. */
  readonly event: string;

  constructor(event: string, cause: unknown) {
    super('ERR_LISTENER', `A listener for "${event}" threw; discovery keeps running.`, { cause });
    this.event = event;
  }
}

/**
 * This pod has been running but missing from its own Service's DNS for several polls: usually
 * the readiness chicken-and-egg (its readiness waits for peers that cannot see it, because
 * Kubernetes DNS lists only ready pods). Reported once per discovery.
 */
export class SelfNotListedError extends DiscoveryError {
  /** This pod's name. */
  readonly podName: string;
  /** What was asked (e.g. `SRV _mysql._tcp.mysql.default.svc.cluster.local.`), when known. */
  readonly query: string | undefined;
  /** The peers DNS listed instead, by name. */
  readonly listed: readonly string[];

  constructor(podName: string, seen: { readonly query?: string; readonly listed?: readonly string[] } = {}) {
    const listed = seen.listed ?? [];
    const shown = listed.length === 0 ? 'no pod' : `${listed.slice(0, 5).join(', ')}${listed.length > 5 ? `, … (${listed.length})` : ''}`;
    super(
      'ERR_SELF_NOT_LISTED',
      `This pod (${podName}) is running but missing from its own Service in DNS` +
        `${seen.query === undefined ? '' : `: ${seen.query} lists ${shown}, not ${podName}`}. Kubernetes DNS lists only ready pods: ` +
        "if this pod's readiness waits for its peers, no pod can become ready. Set publishNotReadyAddresses: true on the headless " +
        "Service (and the readiness option to tell ready peers apart), or check the pod's labels against the Service selector.",
    );
    this.podName = podName;
    this.query = seen.query;
    this.listed = [...listed];
  }
}

/** The codes of a {@link MisconfigurationError}. */
export type MisconfigurationCode = Extract<ErrorCode, 'ERR_SERVICE_NOT_FOUND' | 'ERR_PORT_NOT_FOUND' | 'ERR_NO_MEMBERS'>;

/**
 * DNS answers, but what it says means the options (or the Service) are probably wrong, so the
 * membership is empty: the Service name is NXDOMAIN (`ERR_SERVICE_NOT_FOUND`: a typo in the
 * service or the namespace, or no ready pod), SRV is NXDOMAIN while the Service has addresses
 * (`ERR_PORT_NOT_FOUND`: no port of that name), or every pod found is named otherwise than
 * `<statefulSet>-<n>` (`ERR_NO_MEMBERS`). Reported once per condition by a discovery, in its
 * first polls; `discover()` rejects with it unless told an empty result is fine. A report only:
 * the membership is what DNS says.
 */
export class MisconfigurationError extends DiscoveryError {
  declare readonly code: MisconfigurationCode;
  /** The absolute name whose answer tells it, with its trailing dot. */
  readonly queryName: string;
  /** The record type asked, e.g. `"SRV"`. */
  readonly queryType: string;
  /** What that name answered. */
  readonly outcome: 'nxdomain' | 'nodata' | 'answer';

  constructor(code: MisconfigurationCode, what: { readonly queryName: string; readonly queryType: string; readonly outcome: 'nxdomain' | 'nodata' | 'answer' }, message: string) {
    super(code, message);
    this.queryName = what.queryName;
    this.queryType = what.queryType;
    this.outcome = what.outcome;
  }
}

/**
 * DNS named, as one of the Service's endpoints, a host that is not `<pod>.<serviceDomain>` with
 * `<pod>` an RFC 1123 label (an SRV target of another Service, one outside the cluster zone, or a
 * label no pod can have): it is not a member, and is reported once per name. Usually a proxy or
 * resolver rewriting answers, or records added by hand.
 */
export class ForeignPeerError extends DiscoveryError {
  /** The name, absolute and lower-case. */
  readonly host: string;

  constructor(host: string, serviceDomain: string) {
    super(
      'ERR_FOREIGN_PEER',
      `DNS lists ${host} among the endpoints of ${serviceDomain}, but it is not <pod>.${serviceDomain} with <pod> an RFC 1123 label (a-z, 0-9, '-'): it is not a member. ` +
        'Check the records of the Service (and any DNS proxy or forwarder that rewrites them).',
    );
    this.host = host;
  }
}

/** The codes a {@link KubernetesApiError} can carry. */
export type KubernetesApiErrorCode = Extract<
  ErrorCode,
  'ERR_K8S_UNREACHABLE' | 'ERR_K8S_UNAUTHORIZED' | 'ERR_K8S_FORBIDDEN' | 'ERR_K8S_API' | 'ERR_K8S_CREDENTIALS' | 'ERR_K8S_BAD_OBJECT'
>;

/**
 * The Kubernetes API could not be read: unreachable (`ERR_K8S_UNREACHABLE`), the credentials
 * were refused (`ERR_K8S_UNAUTHORIZED`, 401) or lack a permission (`ERR_K8S_FORBIDDEN`, 403: the
 * message names the RBAC rule to grant), another error status (`ERR_K8S_API`), or no usable
 * credentials were found (`ERR_K8S_CREDENTIALS`). Like a DNS failure, a failed poll: the
 * membership is kept and marked stale, never emptied. `ERR_K8S_BAD_OBJECT` reports an object the
 * API sent that is not what it should be (not JSON, another kind, another Service's slice, an
 * endpoint without addresses): it is ignored, and removes no peer.
 */
export class KubernetesApiError extends DiscoveryError {
  declare readonly code: KubernetesApiErrorCode;
  /** What was asked: the verb and the resource, e.g. `"watch endpointslices"`. */
  readonly request: string;
  /** The HTTP status the API answered, when it answered. */
  readonly status: number | undefined;
  /** The `reason` of the API's `Status` object (`Forbidden`, `Expired`, …), when it sent one. */
  readonly reason: string | undefined;

  constructor(
    code: KubernetesApiErrorCode,
    request: string,
    message: string,
    details: { readonly status?: number; readonly reason?: string; readonly cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.request = request;
    this.status = details.status;
    this.reason = details.reason;
  }
}

/**
 * `waitFor()`, `waitForSeed()` or `bootstrap()` gave up after its `timeoutMs`. The message says
 * what was awaited and what the membership looked like; `lastReason` carries the last bootstrap
 * decision's reason when there was one.
 */
export class WaitTimeoutError extends DiscoveryError {
  /** The reason of the last `wait` decision of `bootstrap()`, if any. */
  readonly lastReason: string | undefined;

  constructor(message: string, lastReason?: string) {
    super('ERR_WAIT_TIMEOUT', message);
    this.lastReason = lastReason;
  }
}

/** The codes a {@link LatchError} can carry. */
export type LatchErrorCode = Extract<ErrorCode, 'ERR_LATCH_UNREADABLE' | 'ERR_LATCH_INVALID' | 'ERR_LATCH_WRITE' | 'ERR_LATCH_CONFLICT'>;

/**
 * The formed latch (the file that records that this pod has been a member of a cluster) could
 * not be used. `ERR_LATCH_UNREADABLE`: it exists but cannot be read, or its directory is missing
 * (is the volume mounted?). `ERR_LATCH_INVALID`: it holds something that is not a latch
 * (truncated, edited, another format or version). `ERR_LATCH_WRITE`: writing it failed (the
 * previous content, or none, is still in place). `ERR_LATCH_CONFLICT`: it names another cluster
 * than the one being recorded. Never read as "no latch": a pod whose latch cannot be read does not
 * bootstrap until an operator looks.
 */
export class LatchError extends DiscoveryError {
  declare readonly code: LatchErrorCode;
  /** The latch file's path. */
  readonly path: string;

  constructor(code: LatchErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/**
 * `drain()` was called: this pod is leaving, so a `bootstrap()` in flight (or one started after)
 * rejects with this, and split checks are not started.
 */
export class DrainingError extends DiscoveryError {
  constructor(message = 'This pod is draining (drain() was called): it takes no part in bootstrap.') {
    super('ERR_DRAINING', message);
  }
}
