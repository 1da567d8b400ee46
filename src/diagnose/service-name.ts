/**
 * Check 2, `service-name`: the A/AAAA records of `<service>.<namespace>.svc.<zone>.` (the
 * families of the `family` option). Addresses → pass. NXDOMAIN → fail: Kubernetes DNS answers
 * NXDOMAIN for a headless Service with no ready endpoints, and for a wrong name. A failed
 * lookup → fail naming the server. Every later DNS check depends on this one.
 *
 * @module
 */
import type { AddressRecord, LookupResult } from '../dns/types';
import { compareAddresses } from '../membership/identity';
import { addressTypes, isAddressOf } from '../sources/address-lookup';
import { getEndpointSlices, getPods, getService } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, isFailure, lookupLine, recordText } from './describe';
import { failureEvidence, failureFix } from './failure';
import { finding } from './finding';
import type { Finding } from './types';

/**
 * What the Service name resolved to: `addresses`, `nxdomain` (every family), `no-addresses`
 * (the name exists, but not with the families asked) or `failed` (a lookup failed).
 */
export type ServiceState = 'addresses' | 'nxdomain' | 'no-addresses' | 'failed';

/** The finding and what later checks need from it. */
export interface ServiceNameResult {
  readonly finding: Finding;
  readonly state: ServiceState;
  /** The distinct addresses, IPv4 first. */
  readonly addresses: readonly string[];
  readonly lookups: readonly LookupResult[];
}

/** Run the check. */
export async function checkServiceName(context: DiagnosisContext): Promise<ServiceNameResult> {
  const { config } = context;
  const host = serviceHost(context);
  const types = addressTypes(config.family);
  const title = `Service name ${host} resolves (${types.join('/')})`;
  const lookups = await Promise.all(types.map((type) => context.dns.lookup(host, type)));
  const evidence = lookups.map(lookupLine);

  const failed = lookups.find(isFailure);
  if (failed) {
    return {
      finding: finding('service-name', title, 'fail', [...evidence, ...failureEvidence(context, failed)], failureFix(context, failed)),
      state: 'failed',
      addresses: [],
      lookups,
    };
  }

  const records = lookups.flatMap((result) =>
    result.outcome === 'answer' ? result.answers.filter((record): record is AddressRecord => isAddressOf(record, config.family)) : [],
  );
  const addresses = [...new Set(records.map((record) => record.address))].sort(compareAddresses);
  if (addresses.length > 0) {
    return {
      finding: finding('service-name', title, 'pass', [...evidence, ...capped(records.map(recordText))]),
      state: 'addresses',
      addresses,
      lookups,
    };
  }

  if (lookups.every((result) => result.outcome === 'nxdomain')) {
    const negative = lookups.flatMap((result) => (result.outcome === 'nxdomain' && result.negativeTtl !== undefined ? [result.negativeTtl] : []));
    return {
      finding: finding(
        'service-name',
        title,
        'fail',
        [...evidence, 'NXDOMAIN: no ready endpoints, or a wrong name or selector'],
        [
          `is the Service there, headless (clusterIP: None), in namespace ${config.namespace}, and what is its selector? ${getService(config)}`,
          `does it have endpoints, and are they ready? ${getEndpointSlices(config)}`,
          `are the selected pods Running and Ready? ${getPods(config)}`,
          'Kubernetes DNS lists only ready pods: if the pods become ready only once they see their peers, set publishNotReadyAddresses: true on the headless Service (and the readiness option to tell ready peers apart)',
          ...(negative.length > 0 ? [`resolvers may cache this NXDOMAIN for up to ${Math.max(...negative)} s after the first pod becomes ready`] : []),
        ],
      ),
      state: 'nxdomain',
      addresses: [],
      lookups,
    };
  }

  const other = config.family === 4 ? 6 : config.family === 6 ? 4 : undefined;
  return {
    finding: finding(
      'service-name',
      title,
      'fail',
      [
        ...evidence,
        other === undefined
          ? 'the name exists but has no address record'
          : `the name exists but has no ${types.join('/')} record: the pods have IPv${other} addresses only?`,
      ],
      [
        ...(other === undefined ? [] : [`use the pods' address family: the family option (${other} or 'both')`]),
        `which addresses do the endpoints have? ${getEndpointSlices(config, 'yaml')}`,
      ],
    ),
    state: 'no-addresses',
    addresses: [],
    lookups,
  };
}
