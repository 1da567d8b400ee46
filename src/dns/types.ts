/**
 * What a DNS lookup returns: an outcome-typed result, never a bare array, so that
 * "the name has no records" and "the server could not answer" cannot be confused.
 *
 * @module
 */

/** The record types the discovery queries. */
export type QueryType = 'A' | 'AAAA' | 'SRV' | 'PTR';

/** An A or AAAA record. `address` is in canonical text form (RFC 5952 for IPv6). */
export interface AddressRecord {
  readonly type: 'A' | 'AAAA';
  /** Owner name, lower-cased, with its trailing dot. */
  readonly name: string;
  readonly ttl: number;
  readonly address: string;
}

/** An SRV record (RFC 2782). Priority and weight are informational for discovery. */
export interface SrvRecord {
  readonly type: 'SRV';
  readonly name: string;
  readonly ttl: number;
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** Target host, lower-cased, with its trailing dot. */
  readonly target: string;
}

/** A PTR record: the name an address maps back to. */
export interface PtrRecord {
  readonly type: 'PTR';
  readonly name: string;
  readonly ttl: number;
  /** Lower-cased, with its trailing dot. */
  readonly target: string;
}

/** The records the discovery understands; other types in a response are skipped. */
export type DnsRecord = AddressRecord | SrvRecord | PtrRecord;

/** How the answer that settled a lookup travelled. */
export type Transport = 'udp' | 'tcp';

/** Fields every lookup result carries. */
export interface LookupBase {
  /** The absolute name queried, lower-cased, with its trailing dot. */
  readonly name: string;
  readonly type: QueryType;
  /**
   * The nameserver whose response settled the lookup (`ip:port` or `[v6]:port`), or, for a
   * timeout or network error, the last one tried.
   */
  readonly server: string | undefined;
  /** Transport of the settling response; `undefined` when none arrived. */
  readonly transport: Transport | undefined;
  /** Number of messages sent (UDP datagrams and TCP queries, all servers and attempts). */
  readonly queries: number;
  /** Responses dropped because their source, ID or question did not match, or they failed to decode. */
  readonly ignoredResponses: number;
  /** Wall time of the whole lookup, in milliseconds. */
  readonly durationMs: number;
}

/** NOERROR with at least one record of the queried type in the answer section. */
export interface AnswerResult extends LookupBase {
  readonly outcome: 'answer';
  /** Answer-section records of the queried type for the queried name (CNAMEs are not followed). */
  readonly answers: readonly DnsRecord[];
  /** Additional-section records (e.g. the A/AAAA of SRV targets). OPT records are not included. */
  readonly additionals: readonly DnsRecord[];
  /**
   * TC was set on the answer that settled the lookup. Over UDP that answer was then asked again
   * over TCP; a TC bit on the TCP answer means the server left records out even there (CoreDNS
   * sets it when only glue was dropped, but also when answers were).
   */
  readonly truncated: boolean;
}

/** NOERROR with no record of the queried type: the name exists, but not with this type. */
export interface NoDataResult extends LookupBase {
  readonly outcome: 'nodata';
  /** RFC 2308 negative-cache time: min(SOA TTL, SOA MINIMUM), when the authority section had an SOA. */
  readonly negativeTtl: number | undefined;
}

/** NXDOMAIN: the name does not exist. For a headless Service: no ready endpoints, or a wrong name. */
export interface NxDomainResult extends LookupBase {
  readonly outcome: 'nxdomain';
  /** RFC 2308 negative-cache time: min(SOA TTL, SOA MINIMUM), when the authority section had an SOA. */
  readonly negativeTtl: number | undefined;
}

/** The server answered with an error RCODE: it could not (or would not) resolve the name. */
export interface ServerFailureResult extends LookupBase {
  readonly outcome: 'servfail' | 'refused' | 'rcode';
  /** The RCODE received (2 for SERVFAIL, 5 for REFUSED, others for `rcode`). */
  readonly rcode: number;
}

/** No acceptable response arrived from any server within the per-try timeouts. */
export interface TimeoutResult extends LookupBase {
  readonly outcome: 'timeout';
}

/** Every try failed at the socket level (e.g. ECONNREFUSED, EHOSTUNREACH, a TCP reset). */
export interface NetworkErrorResult extends LookupBase {
  readonly outcome: 'network-error';
  readonly error: Error;
}

/** The result of one lookup. Switch on `outcome`. */
export type LookupResult =
  | AnswerResult
  | NoDataResult
  | NxDomainResult
  | ServerFailureResult
  | TimeoutResult
  | NetworkErrorResult;

/** Outcomes that are real observations of the name (as opposed to failures to observe it). */
export type ObservedResult = AnswerResult | NoDataResult | NxDomainResult;

/** Outcomes that say nothing about the name: the lookup failed. */
export type FailedResult = ServerFailureResult | TimeoutResult | NetworkErrorResult;

/** True when the result is an observation (answer, NODATA, NXDOMAIN) rather than a failure. */
export function isObserved(result: LookupResult): result is ObservedResult {
  return result.outcome === 'answer' || result.outcome === 'nodata' || result.outcome === 'nxdomain';
}

/** A nameserver to query: an IPv4 or IPv6 address and a port. */
export interface Nameserver {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** Something that can look names up. The discovery depends on this interface only. */
export interface Resolver {
  /**
   * Look `name` up. Never rejects for DNS or network failures: those are results.
   * Rejects only with the signal's reason when `signal` aborts.
   *
   * @param name - An absolute name; a trailing dot is added when missing (no search list applies).
   */
  lookup(name: string, type: QueryType, signal?: AbortSignal): Promise<LookupResult>;
  /**
   * Names the servers this resolver asks (e.g. `10.96.0.10:53`), so what a source learns from
   * one DNS can be kept for the next source of the same DNS; absent, nothing is shared.
   */
  readonly servers?: string;
}
