/**
 * What one poll of one source saw, before any membership decision is made: the input of the
 * membership step. Sources produce it; membership decides what it means.
 *
 * @module
 */
import type { LookupError } from '../errors';
import type { SourceName } from './types';

/** One endpoint as DNS described it. The membership step decides what it means. */
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
  /** How many DNS messages the observation cost (UDP and TCP, all retries). */
  readonly queries: number;
}

/** A source could not observe: the lookup failed. Never means "no endpoints". */
export interface FailedObservation {
  readonly ok: false;
  readonly source: SourceName;
  readonly error: LookupError;
  readonly queries: number;
}

/** The result of observing one source once. */
export type Observation = SuccessfulObservation | FailedObservation;
