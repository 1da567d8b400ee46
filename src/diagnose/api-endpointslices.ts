/**
 * Check 12, `api-endpointslices`: the Service's EndpointSlices (labelled
 * `kubernetes.io/service-name=<service>`), listed from the Kubernetes API, and what their
 * endpoints say: how many are ready, not ready, terminating (counted per pod, over the slices of
 * both families; a pod two slices hold during a transition once). No slice, or no endpoint →
 * fail; not-ready or terminating endpoints → warn (DNS hides them, unless the Service publishes
 * not-ready addresses), with the command that lists them. Runs whether or not the Service could
 * be read (the slices are listed by label), unless the API cannot be read at all.
 *
 * @module
 */
import type { PortSpec } from '../config/discovery-config';
import { endpointSlicesPath } from '../kubernetes/list-watch';
import { takeCensus, type CensusEndpoint, type SliceCensus } from '../kubernetes/slice-census';
import type { DiagnosisApi } from './api-access';
import { apiFailureEvidence, apiFailureFix, apiFailureStatus } from './api-failure';
import type { ApiServiceResult } from './api-service';
import { getEndpointSlices, getPodReady, getService } from './commands';
import type { DiagnosisContext } from './context';
import { capped, count } from './describe';
import { finding, skipped } from './finding';
import type { Finding, FindingStatus } from './types';

/** The finding and the census, for `api-vs-dns`. */
export interface ApiSlicesResult {
  readonly finding: Finding;
  /** What the slices say; `null` when they were not read. */
  readonly census: SliceCensus | null;
}

/** Run the check. */
export async function checkApiEndpointSlices(context: DiagnosisContext, api: DiagnosisApi, service: ApiServiceResult): Promise<ApiSlicesResult> {
  const { config } = context;
  const title = `EndpointSlices of ${config.service}: ready, not ready and terminating endpoints`;
  if (service.apiUnavailable !== undefined) return { finding: skipped('api-endpointslices', title, service.apiUnavailable), census: null };

  const path = endpointSlicesPath(config.namespace, config.service);
  const read = await api.slices();
  if (!read.ok) {
    return { finding: finding('api-endpointslices', title, apiFailureStatus(api, read.error), apiFailureEvidence(path, read.error), apiFailureFix(context, api, path, read.error)), census: null };
  }
  const census = takeCensus(read.value, config.service, config.family);
  const listed = getEndpointSlices(config, 'wide');
  const evidence = [`GET ${path} → ${count(census.slices.length, 'slice')}${census.slices.length === 0 ? '' : `: ${census.slices.map((slice) => `${slice.name} (${slice.addressType}, ${count(slice.endpoints, 'endpoint')})`).join(', ')}`}`];
  const problems = census.problems.map((problem) => `ignored: ${problem}`);
  if (census.slices.length === 0) {
    return {
      finding: finding('api-endpointslices', title, 'fail', [...evidence, ...problems, `no EndpointSlice is labelled kubernetes.io/service-name=${config.service} in namespace "${config.namespace}"`], [
        service.state === 'missing'
          ? 'the Service does not exist (see api-service)'
          : service.service?.selector === null
            ? `a Service without a selector gets no slices from the EndpointSlice controller: write them, labelled kubernetes.io/service-name=${config.service}, or give it a selector`
            : 'the EndpointSlice controller (kube-controller-manager) writes them for every Service with a selector: is it running?',
        listed,
        getService(config),
      ]),
      census,
    };
  }

  const endpoints = census.endpoints;
  const ready = endpoints.filter((endpoint) => !endpoint.terminating && endpoint.serving);
  const notReady = endpoints.filter((endpoint) => !endpoint.terminating && !endpoint.serving);
  const terminating = endpoints.filter((endpoint) => endpoint.terminating);
  evidence.push(
    `${count(endpoints.length, 'endpoint')}: ${ready.length} ready, ${notReady.length} not ready, ${terminating.length} terminating`,
    ...capped(endpoints.map(endpointLine)),
  );
  const published = endpoints.filter((endpoint) => endpoint.ready);
  if (published.length !== ready.length || published.some((endpoint) => !endpoint.serving || endpoint.terminating)) {
    evidence.push(`published in DNS (conditions.ready): ${published.length === 0 ? 'none' : published.map((endpoint) => endpoint.name).join(', ')}`);
  }
  if (census.duplicated.length > 0) evidence.push(`in two slices at once (a transition; counted once): ${census.duplicated.join(', ')}`);
  const portLine = portEvidence(config.port, census);
  if (portLine) evidence.push(portLine.line);
  evidence.push(...problems);

  const statuses: FindingStatus[] = [];
  const fix: string[] = [];
  if (endpoints.length === 0) {
    statuses.push('fail');
    evidence.push('no endpoints: no selected pod has an address yet (see api-pods)');
    fix.push('is any pod selected, scheduled and given an IP? (see api-pods)');
  }
  if (notReady.length > 0) {
    statuses.push('warn');
    fix.push(
      `${names(notReady)} ${notReady.length === 1 ? 'is' : 'are'} not ready: DNS leaves ${notReady.length === 1 ? 'it' : 'them'} out (unless the Service sets publishNotReadyAddresses); is the readiness probe passing? ${getPodReady(config, notReady[0]?.pod ?? notReady[0]?.name ?? '')}`,
    );
  }
  if (terminating.length > 0) {
    statuses.push('warn');
    fix.push(`${names(terminating)} ${terminating.length === 1 ? 'is' : 'are'} terminating: shutting down, out of DNS (unless publishNotReadyAddresses), gone once deleted`);
  }
  if (portLine?.missing) {
    statuses.push('warn');
    fix.push('pods that resolve a named targetPort to different numbers land in different slices; a slice without the port gives its pods no port: check the pods\' container ports');
  }
  if (census.problems.length > 0) statuses.push('warn');
  if (statuses.length > 0) fix.push(listed);
  const status: FindingStatus = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
  return { finding: finding('api-endpointslices', title, status, evidence, fix), census };
}

/** `mysql-0 10.244.0.1: ready (node-0, zone-a)`, `mysql-2 10.244.0.3: not ready`, `mysql-1 …: terminating (still serving)`. */
function endpointLine(endpoint: CensusEndpoint): string {
  const state = endpoint.terminating ? `terminating${endpoint.serving ? ' (still serving)' : ''}` : endpoint.serving ? 'ready' : 'not ready';
  const where = [endpoint.nodeName, endpoint.zone].filter((part): part is string => part !== undefined);
  return `${endpoint.name} ${endpoint.addresses.join(', ')}: ${state}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

/** The named port in the slices that have endpoints: the number(s) it has, and whether a slice lacks it. */
function portEvidence(port: PortSpec, census: SliceCensus): { readonly line: string; readonly missing: boolean } | undefined {
  if (port.kind !== 'named') return undefined;
  const withEndpoints = census.slices.filter((slice) => slice.endpoints > 0);
  if (withEndpoints.length === 0) return undefined;
  const numbers = new Set<string>();
  const without: string[] = [];
  for (const slice of withEndpoints) {
    const found = slice.ports.find((candidate) => candidate.name === port.name && candidate.protocol.toLowerCase() === port.protocol);
    if (found) numbers.add(`${found.port ?? '?'}/${found.protocol}`);
    else without.push(slice.name);
  }
  const has = numbers.size === 0 ? 'in no slice (see api-service)' : [...numbers].join(', ');
  // A port in no slice is the Service's (see api-service); missing from some slices only, the pods'.
  const missing = without.length > 0 && numbers.size > 0;
  return { line: `port "${port.name}": ${has}${missing ? `; missing from ${without.join(', ')}` : ''}`, missing };
}

function names(endpoints: readonly CensusEndpoint[]): string {
  const shown = endpoints.slice(0, 5).map((endpoint) => endpoint.name);
  return `${shown.join(', ')}${endpoints.length > 5 ? `, … (${endpoints.length})` : ''}`;
}
