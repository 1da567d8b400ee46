/**
 * Why a poll that worked found nobody, when DNS tells: the doctor's `service-name` and `srv`
 * checks, run on the discovery's own resolver, turned into the error a discovery reports once (or
 * `discover()` rejects with). Pure reporting: the membership stays what DNS said.
 *
 * @module
 */
import type { DiscoveryConfig } from '../config/discovery-config';
import { readEnvironment } from '../config/environment';
import type { Resolver } from '../dns/types';
import { MisconfigurationError } from '../errors';
import type { SuccessfulObservation } from '../membership/observation';
import { firstLabel } from '../names';
import type { DiagnosisContext } from './context';
import { createDiagnosisDns } from './dns';
import { primaryQuery } from './primary-query';
import { checkServiceName } from './service-name';
import { checkSrv } from './srv';
import type { Finding } from './types';

/**
 * Explain an empty membership after `observation` (a successful one): `ERR_NO_MEMBERS` when it
 * saw endpoints that are none of the StatefulSet's pods, else the Service name or the SRV name
 * not found, else `undefined` (no ready pod, as far as DNS can tell: nothing to report).
 */
export async function explainEmpty(config: DiscoveryConfig, observation: SuccessfulObservation, resolver: Resolver, signal: AbortSignal): Promise<MisconfigurationError | undefined> {
  const strangers = observation.endpoints.flatMap((endpoint) => (endpoint.host === null ? [] : [firstLabel(endpoint.host)]));
  if (strangers.length > 0) return noMembers(config, strangers);

  const dns = createDiagnosisDns(resolver, signal);
  try {
    const context: DiagnosisContext = { config, options: { service: config.service }, environment: readEnvironment(), dns };
    const service = await checkServiceName(context);
    const [lookup] = service.lookups;
    if ((service.state === 'nxdomain' || service.state === 'no-addresses') && lookup) {
      return new MisconfigurationError('ERR_SERVICE_NOT_FOUND', { queryName: lookup.name, queryType: lookup.type, outcome: service.state === 'nxdomain' ? 'nxdomain' : 'nodata' }, sentence(service.finding));
    }
    if (service.state !== 'addresses' || config.port.kind !== 'named') return undefined;
    const srv = await checkSrv(context, service);
    if (srv.finding.status !== 'fail' || !srv.lookup || (srv.lookup.outcome !== 'nxdomain' && srv.lookup.outcome !== 'nodata')) return undefined;
    return new MisconfigurationError('ERR_PORT_NOT_FOUND', { queryName: srv.lookup.name, queryType: 'SRV', outcome: srv.lookup.outcome }, sentence(srv.finding));
  } finally {
    dns.close();
  }
}

function noMembers(config: DiscoveryConfig, names: readonly string[]): MisconfigurationError {
  const unique = [...new Set(names)];
  const shown = `${unique.slice(0, 5).join(', ')}${unique.length > 5 ? `, … (${unique.length})` : ''}`;
  const query = primaryQuery(config);
  return new MisconfigurationError(
    'ERR_NO_MEMBERS',
    { queryName: query.name, queryType: query.type, outcome: 'answer' },
    `${query.type} ${query.name} lists ${shown}, but none is a pod of StatefulSet "${config.statefulSet}" (named ${config.statefulSet}-<n>): ` +
      'no member. Set the statefulSet option to the StatefulSet the pods belong to (by default it comes from this pod\'s name, else the service name).',
  );
}

/** A finding as one message: what was checked, what was seen, the first fixes. */
function sentence(finding: Finding): string {
  return `${finding.title}: ${finding.evidence.join('; ')}. ${finding.fix.slice(0, 2).join('; ')}.`;
}
