/**
 * The messages of the diagnostics channels (`channels.ts`): one interface per channel, and the
 * vocabulary they share (which discovery, what became of a missing peer).
 *
 * @module
 */

/** Which discovery a message is about. */
export interface DiscoverySubject {
  /** The headless Service's name. */
  readonly service: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** The message published on `headless-discovery:dns:query`. */
export interface QueryMessage {
  /** The Service of the discovery whose resolver sent it; absent for a resolver of no discovery (the doctor's). */
  readonly service?: string;
  /** Its namespace; absent with `service`. */
  readonly namespace?: string;
  /** The name asked, absolute, with its trailing dot. */
  readonly name: string;
  /** The record type asked (`SRV`, `A`, `AAAA`, `PTR`). */
  readonly type: string;
  /** The nameserver, `ip:port` or `[v6]:port`. */
  readonly server: string;
  /** How it was sent. */
  readonly transport: 'udp' | 'tcp';
  /** The message ID. */
  readonly id: number;
  /** `response` (with its RCODE and TC bit), `timeout` or `error`. */
  readonly outcome: 'response' | 'timeout' | 'error';
  /** The response's RCODE (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, …). */
  readonly rcode?: number;
  /** The response had the TC bit set. */
  readonly truncated?: boolean;
  /** The socket error of an `error` outcome. */
  readonly error?: Error;
  /** Responses dropped while waiting (wrong source, ID or question, or undecodable). */
  readonly ignored: number;
  /** From sending to settling, in ms. */
  readonly durationMs: number;
}

/**
 * The message published on `headless-discovery:dns:lookup`: the lookup's result as the resolver returns
 * it (`name`, `type`, `outcome`, `answers`, `rcode`, `queries`, `durationMs`, …; see the DNS
 * result types), plus the discovery it was made for.
 */
export interface LookupMessage {
  /** The Service of the discovery whose resolver made it; absent for a resolver of no discovery (the doctor's). */
  readonly service?: string;
  /** Its namespace; absent with `service`. */
  readonly namespace?: string;
  /** Absolute, lower-cased, with its trailing dot. */
  readonly name: string;
  /** The record type asked. */
  readonly type: string;
  /** `answer`, `nodata`, `nxdomain`, `servfail`, `refused`, `rcode`, `timeout` or `network-error`. */
  readonly outcome: string;
  /** The settling server (or the last one tried). */
  readonly server: string | undefined;
  /** How the settling response came; `undefined` when none did. */
  readonly transport: 'udp' | 'tcp' | undefined;
  /** Messages sent for it. */
  readonly queries: number;
  /** The whole lookup, in ms. */
  readonly durationMs: number;
  /** The RCODE of a `servfail`, `refused` or `rcode` outcome. */
  readonly rcode?: number;
  /** The records of an `answer`. */
  readonly answers?: readonly unknown[];
}

/** The message published on `headless-discovery:poll:start`. */
export interface PollStartMessage extends DiscoverySubject {
  /** The poll's number in this discovery, from 1. */
  readonly poll: number;
  /** When it started (ms since the epoch). */
  readonly at: number;
}

/** The message published on `headless-discovery:poll:end`. */
export interface PollEndMessage extends DiscoverySubject {
  /** The poll's number, as on `headless-discovery:poll:start`. */
  readonly poll: number;
  /** `ok`: a source answered (even with nobody); `failed`: every source failed, the membership is kept and stale. */
  readonly outcome: 'ok' | 'failed';
  /** The source that answered, or the last one tried when every source failed. */
  readonly source: string | null;
  /** Sources tried before it that failed, each with the failure's `code`. */
  readonly failures: readonly SourceFailure[];
  /** The error of a failed poll. */
  readonly error?: Error;
  /** Endpoints the answer listed (0 for a failed poll). */
  readonly endpoints: number;
  /** DNS messages sent over every source, try and retry (0 for the Kubernetes API). */
  readonly messages: number;
  /** The whole poll, in ms. */
  readonly durationMs: number;
  /** The membership's epoch after the poll. */
  readonly epoch: number;
}

/** A source that failed in a poll, before another answered. */
export interface SourceFailure {
  /** The source's name. */
  readonly source: string;
  /** The failure's error code (`ERR_DNS_TIMEOUT`, `ERR_K8S_UNREACHABLE`, …). */
  readonly code: string;
}

/** The message published on `headless-discovery:retry`. */
export interface RetryMessage extends DiscoverySubject {
  /** The source tried again. */
  readonly source: string;
  /** The retry's number within this poll, from 1. */
  readonly attempt: number;
  /** How many retries the `retry` option allows. */
  readonly retries: number;
  /** The transient failure that is retried: a `LookupError` whose `code` is `ERR_DNS_SERVFAIL` or `ERR_DNS_NETWORK`. */
  readonly error: Error;
}

/**
 * What the reconcile step did with a peer the observation did not list:
 * `kept` (missing, not gone yet), `held` (gone by its own rules, but held by the mass-removal
 * guard), or `removed` (it left now).
 */
export type AbsenceFate = 'kept' | 'held' | 'removed';

/**
 * The rule that decided an {@link AbsenceFate}: `leaveAfterPolls` (missing from too few polls in
 * a row, or, for a removed peer, the count it reached), `leaveAfterMs` (missing for too short a
 * time, or the time it reached), `maxRemovalFraction` (the mass-removal guard wants a second
 * poll), `partialObservation` (the answer may not list everyone: it proves no absence),
 * `failedPoll` (a failed lookup says nothing about who left).
 */
export type AbsenceRule = 'leaveAfterPolls' | 'leaveAfterMs' | 'maxRemovalFraction' | 'partialObservation' | 'failedPoll';

/** One missing peer, as a reconcile step judged it. */
export interface AbsenceVerdict {
  /** The peer's pod name. */
  readonly name: string;
  /** What the step did with it. */
  readonly fate: AbsenceFate;
  /** The rule that decided. */
  readonly rule: AbsenceRule;
  /** Complete polls in a row that did not list it. */
  readonly polls: number;
  /** The polls it takes to leave (`leaveAfterPolls`, at least 2 under the mass-removal guard). */
  readonly requiredPolls: number;
  /** Since when it has been missing (ms since the epoch). */
  readonly since: number;
}

/** The message published on `headless-discovery:reconcile`. */
export interface ReconcileMessage extends DiscoverySubject {
  /** `complete`: the observation proves absences; `partial`: it only adds; `failed`: every peer kept. */
  readonly observation: 'complete' | 'partial' | 'failed';
  /** The membership's epoch after the step. */
  readonly epoch: number;
  /** Members that joined with this step. */
  readonly joined: readonly string[];
  /** Members that left with this step. */
  readonly left: readonly string[];
  /** Every peer the observation did not list, with its fate and the rule that decided it. */
  readonly missing: readonly AbsenceVerdict[];
}

/** The message published on `headless-discovery:probe` after a readiness probe. */
export interface ReadinessProbeMessage extends DiscoverySubject {
  /** A readiness probe. */
  readonly kind: 'readiness';
  /** The peer probed. */
  readonly peer: string;
  /** This probe's result. */
  readonly passed: boolean;
  /** The verdict after it (the thresholds applied). */
  readonly ready: boolean;
  /** Whether the verdict changed with it. */
  readonly changed: boolean;
  /** The probe, in ms. */
  readonly durationMs: number;
}

/** The message published on `headless-discovery:probe` after asking a peer for its cluster report. */
export interface BootstrapProbeMessage extends DiscoverySubject {
  /** A question for a cluster report. */
  readonly kind: 'bootstrap';
  /** The peer asked. */
  readonly peer: string;
  /** `bootstrap` for `bootstrap()`'s questions, `split` for split checks. */
  readonly purpose: 'bootstrap' | 'split';
  /** Whether it answered with a usable report (`null` counts: "in no cluster"). */
  readonly answered: boolean;
  /** Its answer, when it answered. */
  readonly report?: unknown;
}

/** A message on `headless-discovery:probe`. */
export type ProbeMessage = ReadinessProbeMessage | BootstrapProbeMessage;

/** The message published on `headless-discovery:bootstrap`. */
export interface BootstrapMessage extends DiscoverySubject {
  /** The pod deciding (this one). */
  readonly podName: string;
  /** `initialize`, `join` or `wait`. */
  readonly action: string;
  /** Why, in words (the decision's `reason`). */
  readonly reason: string;
  /** The cluster it joins, when known. */
  readonly clusterId: string | null;
  /** The pod to join, clone or replicate from, when there is one. */
  readonly target: string | null;
  /** The peers asked (0 without a `probe`). */
  readonly asked: number;
  /** How many of them answered. */
  readonly answered: number;
  /** The membership's epoch the decision was made on. */
  readonly epoch: number;
}

/** The message published on `headless-discovery:kubernetes:list`. */
export interface KubernetesListMessage extends DiscoverySubject {
  /** The API server's address. */
  readonly server: string;
  /** Whether the list was allowed from the API server's watch cache (`resourceVersion=0`). */
  readonly fromCache: boolean;
  /** Whether it was read. */
  readonly outcome: 'ok' | 'failed';
  /** EndpointSlices listed. */
  readonly items?: number;
  /** The list's `resourceVersion`, the watch's starting point. */
  readonly resourceVersion?: string;
  /** Why a `failed` list failed (a `KubernetesApiError`). */
  readonly error?: Error;
  /** The request, in ms. */
  readonly durationMs: number;
}

/** The message published on `headless-discovery:kubernetes:watch`. */
export interface KubernetesWatchMessage extends DiscoverySubject {
  /** The API server's address. */
  readonly server: string;
  /** `opened`: the stream started; `ended`: it ended and is resumed; `expired`: `410 Gone`, a new list follows; `failed`: it could not be opened or broke with an error. */
  readonly event: 'opened' | 'ended' | 'expired' | 'failed';
  /** The `resourceVersion` it started from. */
  readonly resourceVersion: string;
  /** The `timeoutSeconds` it asked for (randomised, as client-go does). */
  readonly timeoutSeconds: number;
  /** Events it delivered (bookmarks included), once it ended. */
  readonly events?: number;
  /** Why a `failed` watch failed (a `KubernetesApiError`). */
  readonly error?: Error;
  /** How long it was open, once it ended. */
  readonly durationMs?: number;
}
