/**
 * Looking up a name's addresses (A and/or AAAA, by the `family` option) as one result: the
 * records of every family asked, or the first failure. One family failing while the other
 * answers is a failure: trusting the half we got would drop every peer of the other family.
 *
 * @module
 */
import type { AddressRecord, FailedResult, QueryType, Resolver } from '../dns/types';
import { isObserved } from '../dns/types';

/** Which address families discovery uses: IPv4, IPv6, or both (a dual-stack peer has both). */
export type AddressFamily = 4 | 6 | 'both';

/** What a name's address lookup found. */
export interface AddressLookup {
  /** Address records of the families asked (none for NXDOMAIN/NODATA). */
  readonly records: readonly AddressRecord[];
  /** Messages sent. */
  readonly queries: number;
  /** Set when a lookup failed (timeout, SERVFAIL, …): the records say nothing then. */
  readonly failure: FailedResult | undefined;
  /** An answer had TC set even over TCP: the records may not be all of them. */
  readonly truncated: boolean;
}

/** The record types to ask for `family`. */
export function addressTypes(family: AddressFamily): readonly QueryType[] {
  if (family === 4) return ['A'];
  if (family === 6) return ['AAAA'];
  return ['A', 'AAAA'];
}

/** True when `record` is an address of `family`. */
export function isAddressOf(record: { readonly type: string }, family: AddressFamily): record is AddressRecord {
  if (record.type === 'A') return family !== 6;
  if (record.type === 'AAAA') return family !== 4;
  return false;
}

/** Look up the addresses of the absolute name `name`, every family of `family` in parallel. */
export async function lookupAddresses(
  resolver: Resolver,
  name: string,
  family: AddressFamily,
  signal?: AbortSignal,
): Promise<AddressLookup> {
  const results = await Promise.all(addressTypes(family).map((type) => resolver.lookup(name, type, signal)));
  const queries = results.reduce((sum, result) => sum + result.queries, 0);
  for (const result of results) {
    if (!isObserved(result)) return { records: [], queries, failure: result, truncated: false };
  }
  const records: AddressRecord[] = [];
  let truncated = false;
  for (const result of results) {
    if (result.outcome !== 'answer') continue;
    records.push(...result.answers.filter((record): record is AddressRecord => isAddressOf(record, family)));
    truncated ||= result.truncated;
  }
  return { records, queries, failure: undefined, truncated };
}
