/**
 * The SRV source: one query for `_<port>._<proto>.<service>.<ns>.svc.<zone>` names every ready
 * pod, its port and (in the additional section) its addresses. Targets whose addresses were
 * not included are looked up with A and AAAA, a few at a time.
 *
 * @module
 */
import { absoluteName, relativeName } from '../dns/name';
import type { AddressRecord, DnsRecord, Resolver, SrvRecord } from '../dns/types';
import { isObserved } from '../dns/types';
import type { Observation, ObservedEndpoint } from '../membership/observation';
import { isAddressOf, lookupAddresses, type AddressFamily } from './address-lookup';
import { mapWithConcurrency } from './concurrency';
import { toLookupError } from './lookup-error';
import type { Source, SourceSettings } from './source';

/** How many target address lookups run at once when the SRV answer lacks their addresses. */
export const TARGET_LOOKUP_CONCURRENCY = 8;

/** Settings of the SRV source. */
export type SrvSourceSettings = Pick<SourceSettings, 'serviceDomain' | 'portName' | 'protocol' | 'family'>;

/** Create the SRV source. Throws a `RangeError` without a port name: only named ports have SRV records. */
export function createSrvSource(resolver: Resolver, settings: SrvSourceSettings): Source {
  if (settings.portName === null) throw new RangeError('the srv source needs a named port');
  const name = absoluteName(`_${settings.portName}._${settings.protocol}.${settings.serviceDomain}`);
  return {
    name: 'srv',
    observe: (signal) => observeSrv(resolver, name, settings.family, signal),
  };
}

async function observeSrv(resolver: Resolver, name: string, family: AddressFamily, signal: AbortSignal): Promise<Observation> {
  const result = await resolver.lookup(name, 'SRV', signal);
  if (!isObserved(result)) {
    return { ok: false, source: 'srv', error: toLookupError(result), queries: result.queries };
  }
  if (result.outcome !== 'answer') {
    return { ok: true, source: 'srv', endpoints: [], queries: result.queries };
  }

  const records = result.answers.filter((record): record is SrvRecord => record.type === 'SRV');
  const glue = addressesByName(result.additionals, family);
  const targets = uniqueTargets(records);
  const missing = targets.filter((target) => !glue.has(target.target));

  let queries = result.queries;
  const resolved = await mapWithConcurrency(missing, TARGET_LOOKUP_CONCURRENCY, (target) =>
    lookupAddresses(resolver, target.target, family, signal),
  );
  for (const [index, lookup] of resolved.entries()) {
    queries += lookup.queries;
    if (lookup.failure) {
      // A target we could not resolve is not a target that left: fail the whole observation
      // so the membership is kept (stale) rather than losing that peer.
      return { ok: false, source: 'srv', error: toLookupError(lookup.failure), queries };
    }
    const target = missing[index];
    if (target && lookup.records.length > 0) glue.set(target.target, [...lookup.records]);
  }

  const endpoints: ObservedEndpoint[] = [];
  for (const target of targets) {
    const addresses = glue.get(target.target);
    // NXDOMAIN for a listed target means the pod went away between the two queries.
    if (!addresses) continue;
    endpoints.push({
      host: relativeName(target.target),
      addresses: addresses.map((record) => record.address),
      port: target.port,
    });
  }
  return { ok: true, source: 'srv', endpoints, queries };
}

function uniqueTargets(records: readonly SrvRecord[]): SrvRecord[] {
  const seen = new Map<string, SrvRecord>();
  for (const record of records) {
    if (!seen.has(record.target) && record.target !== '.') seen.set(record.target, record);
  }
  return [...seen.values()];
}

function addressesByName(records: readonly DnsRecord[], family: AddressFamily): Map<string, AddressRecord[]> {
  const byName = new Map<string, AddressRecord[]>();
  for (const record of records) {
    if (!isAddressOf(record, family)) continue;
    const list = byName.get(record.name);
    if (list) {
      if (!list.some((known) => known.address === record.address)) list.push(record);
    } else {
      byName.set(record.name, [record]);
    }
  }
  return byName;
}
