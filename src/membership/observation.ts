/**
 * What one poll of one source saw, before any membership decision is made: the input of the
 * membership step. Sources produce it; membership decides what it means.
 *
 * @module
 */
import type { DiscoveryError, KubernetesApiError, LookupError } from '../errors';
import type { SourceName } from './types';

/** One endpoint as a source described it. The membership step decides what it means. */
export interface ObservedEndpoint {
  /**
   * The endpoint's DNS name without the trailing dot (an SRV target, or the PTR name of an
   * address), or `null` when DNS gave it no name.
   */
  readonly host: string | null;
  /** Its addresses, in canonical text form. May be empty when a name had no A/AAAA record. */
  readonly addresses: readonly string[];
  /** The port from SRV, or the numeric `port` option; `null` when neither is known. */
  readonly port: number | null;
  /** The pod's name, when the source knows it apart from DNS (a `targetRef`): it names the endpoint. */
  readonly pod?: string;
  /** The source's own readiness verdict; absent: listed means ready (DNS lists ready pods only). */
  readonly ready?: boolean;
  /** The endpoint is terminating. */
  readonly draining?: boolean;
  /** The pod's UID. */
  readonly uid?: string;
  /** The node it runs on. */
  readonly nodeName?: string;
  /** Its zone. */
  readonly zone?: string;
}

/** A source answered: this is the set of endpoints it saw (possibly empty: NXDOMAIN/NODATA). */
export interface SuccessfulObservation {
  readonly ok: true;
  readonly source: SourceName;
  readonly endpoints: readonly ObservedEndpoint[];
  /**
   * True when the observation may not list every endpoint (an answer truncated even over TCP, a
   * lookup that failed for some of the names): it adds and updates peers but proves no absence.
   */
  readonly partial?: boolean;
  /** Names the source saw but left out because they are not under the Service's domain. */
  readonly foreign?: readonly string[];
  /**
   * What the source saw and ignored, to be reported (each once, by the source): an object the
   * Kubernetes API sent that is not what it should be. Ignored input never removes a peer.
   */
  readonly problems?: readonly DiscoveryError[];
  /** How many DNS messages the observation cost (UDP and TCP, all retries); 0 for the Kubernetes API. */
  readonly queries: number;
}

/** A source could not observe: the lookup (or the API request) failed. Never means "no endpoints". */
export interface FailedObservation {
  readonly ok: false;
  readonly source: SourceName;
  readonly error: LookupError | KubernetesApiError;
  readonly queries: number;
}

/** The result of observing one source once. */
export type Observation = SuccessfulObservation | FailedObservation;
