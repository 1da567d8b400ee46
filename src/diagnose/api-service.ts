/**
 * Check 10, `api-service`: the Service, read from the Kubernetes API. It must exist (404 →
 * fail, listing the namespace's Services), be headless (`clusterIP: None`; otherwise DNS gives
 * it one virtual IP, not the pods: fail), and have the named port (with its protocol) the
 * discovery asks for (else fail, naming the ports it has). `publishNotReadyAddresses` is told
 * in the evidence. A Service without a selector is a warning: the EndpointSlice controller
 * writes it no slices. Without credentials the check is a skip saying why; an API that refuses
 * (401, 403) or cannot be reached gives the message (a 403 names the RBAC rule), as a failure
 * when the API was asked for, else as a warning (`api-failure.ts`).
 *
 * @module
 */
import type { ServiceSpec } from '../kubernetes/core-objects';
import { selectorText } from '../kubernetes/core-objects';
import { servicePath } from '../kubernetes/api-read';
import type { DiagnosisApi } from './api-access';
import { apiFailureEvidence, apiFailureFix, apiFailureStatus, apiIsDown } from './api-failure';
import { getPortNames, getService, getServices } from './commands';
import type { DiagnosisContext } from './context';
import { finding, skipped, worst } from './finding';
import type { Finding, FindingStatus } from './types';

/** The finding, the Service, and why the API checks after it do not run, if they do not. */
export interface ApiServiceResult {
  readonly finding: Finding;
  /** The Service, when the API returned it. */
  readonly service: ServiceSpec | null;
  /** `found`, `missing` (404), `failed` (the read failed) or `unavailable` (no credentials). */
  readonly state: 'found' | 'missing' | 'failed' | 'unavailable';
  /** Set when no API check can run (no credentials, the API unreachable or refusing the credentials): the skip reason. */
  readonly apiUnavailable: string | undefined;
}

/** Run the check. */
export async function checkApiService(context: DiagnosisContext, api: DiagnosisApi): Promise<ApiServiceResult> {
  const { config } = context;
  const port = config.port;
  const title = `Service ${config.namespace}/${config.service} in the Kubernetes API: headless${port.kind === 'named' ? `, with port "${port.name}"` : ''}`;
  const credentials = api.credentials;
  if (!credentials.usable) {
    const only = credentials.asked
      ? finding('api-service', title, 'fail', [credentials.reason], ['give credentials the doctor can use: the kubernetes option ({ kubeconfig, context }; --kubeconfig, --context) or KUBECONFIG, or run it in a pod'])
      : skipped('api-service', title, credentials.reason);
    return { finding: only, service: null, state: 'unavailable', apiUnavailable: credentials.asked ? 'no usable Kubernetes credentials (see api-service)' : credentials.reason };
  }

  const path = servicePath(config.namespace, config.service);
  const read = await api.service();
  if (!read.ok) {
    return {
      finding: finding('api-service', title, apiFailureStatus(api, read.error), apiFailureEvidence(path, read.error), apiFailureFix(context, api, path, read.error)),
      service: null,
      state: 'failed',
      apiUnavailable: apiIsDown(read.error) ? 'the Kubernetes API cannot be read (see api-service)' : undefined,
    };
  }
  const asked = `GET ${path} (credentials: ${api.describe()})`;
  const service = read.value;
  if (service === null) {
    return {
      finding: finding('api-service', title, 'fail', [`${asked} → 404 Not Found`, `no Service "${config.service}" in namespace "${config.namespace}"`], [
        `which Services are there? ${getServices(config)}`,
        'is the name right, and the namespace (the namespace option, -n, POD_NAMESPACE)? The StatefulSet\'s serviceName must name this Service',
      ]),
      service: null,
      state: 'missing',
      apiUnavailable: undefined,
    };
  }

  const evidence = [`${asked} → found`];
  const fix: string[] = [];
  const statuses: FindingStatus[] = ['pass'];
  if (service.type === 'ExternalName') {
    statuses.push('fail');
    evidence.push(`type ExternalName (${service.externalName ?? 'no externalName'}): DNS answers a CNAME, never the pods`);
    fix.push('discovery needs a headless Service with a selector: type ClusterIP, clusterIP: None', getService(config));
  } else if (service.clusterIP !== 'None') {
    statuses.push('fail');
    evidence.push(`type ${service.type}, clusterIP ${service.clusterIP ?? '(none yet)'}: not headless, so DNS gives the Service one virtual IP, not its pods (and no per-pod names)`);
    fix.push('make it headless: spec.clusterIP: None (the field cannot be changed in place: delete the Service and create it again)', getService(config));
  } else {
    evidence.push(`type ${service.type}, clusterIP None: headless (DNS lists its pods)`);
  }

  if (service.selector === null) {
    statuses.push('warn');
    evidence.push('no selector: the EndpointSlice controller writes this Service no slices; its endpoints (and DNS) are only what is written by hand');
    fix.push(`give it the selector of the StatefulSet's pods (spec.selector), unless its EndpointSlices are managed by hand: ${getService(config)}`);
  } else {
    evidence.push(`selector: ${selectorText(service.selector)}`);
  }

  evidence.push(`ports: ${service.ports.length === 0 ? 'none' : service.ports.map(portText).join(', ')}`);
  if (port.kind === 'named') {
    const named = service.ports.find((candidate) => candidate.name === port.name && candidate.protocol.toLowerCase() === port.protocol);
    if (!named) {
      statuses.push('fail');
      const sameName = service.ports.find((candidate) => candidate.name === port.name);
      evidence.push(
        sameName
          ? `port "${port.name}" is ${sameName.protocol}, not ${port.protocol.toUpperCase()}: no SRV record _${port.name}._${port.protocol}`
          : `no port named "${port.name}": no SRV record for it (only named ports have them)`,
      );
      fix.push(
        sameName ? `pass its protocol (--protocol ${sameName.protocol.toLowerCase()})` : `name the Service's port "${port.name}" (spec.ports[].name), or pass one of its names (--port <name>), or a number for A records only`,
        getPortNames(config),
      );
    }
  } else if (port.kind === 'number') {
    const number = port.number;
    const match = service.ports.find((candidate) => candidate.port === number || candidate.targetPort === number);
    evidence.push(match ? `port ${number}: the Service's port ${portText(match)}` : `port ${number} is none of the Service's ports (discovery uses it as given)`);
  }

  evidence.push(
    service.publishNotReadyAddresses
      ? 'publishNotReadyAddresses: true (DNS lists pods before they are ready: the readiness option, or the kubernetes source, tells ready peers apart)'
      : 'publishNotReadyAddresses: false (DNS lists ready pods only)',
  );
  return { finding: finding('api-service', title, worst(statuses), evidence, fix), service, state: 'found', apiUnavailable: undefined };
}

/** `mysql 3306/TCP → 3306`, `(unnamed) 80/TCP → http`. */
function portText(port: ServiceSpec['ports'][number]): string {
  const target = port.targetPort === undefined || port.targetPort === port.port ? '' : ` → ${String(port.targetPort)}`;
  return `${port.name === '' ? '(unnamed)' : port.name} ${port.port ?? '?'}/${port.protocol}${target}`;
}

/** Why a check that needs the Service skips, when `service` did not return it; `undefined` when it did. */
export function serviceSkipReason(service: ApiServiceResult): string | undefined {
  if (service.apiUnavailable !== undefined) return service.apiUnavailable;
  if (service.state === 'missing') return 'the Service does not exist (see api-service)';
  if (service.state === 'failed') return 'the Service could not be read (see api-service)';
  return undefined;
}
