/**
 * The commands an engineer runs to confirm a finding, built from the configuration so they can
 * be pasted as they are. The Service's selector is not known from DNS, so commands that need it
 * say `<selector from the Service>`.
 *
 * @module
 */
import { parseNameserver } from '../dns/nameserver';
import type { LookupResult, QueryType } from '../dns/types';
import type { DiscoveryConfig } from '../config/discovery-config';

/** What the commands need from the configuration. */
type Target = Pick<DiscoveryConfig, 'service' | 'namespace' | 'nameservers'>;

/** The placeholder for the Service's label selector. */
export const SELECTOR = '<selector from the Service>';

/** `kubectl get svc -n <ns>`: the Services there are. */
export function getServices(config: Target): string {
  return `kubectl get svc -n ${config.namespace}`;
}

/** `kubectl get pods -n <ns> -l <selector> --show-labels` (without a selector: every pod of the namespace). */
export function getPodLabels(config: Target, selector?: string): string {
  return `kubectl get pods -n ${config.namespace}${selector === undefined ? '' : ` -l ${selector}`} --show-labels`;
}

/** The labels a StatefulSet gives its pods. */
export function getStatefulSetLabels(config: Target, statefulSet: string): string {
  return `kubectl get statefulset ${statefulSet} -n ${config.namespace} -o jsonpath='{.spec.template.metadata.labels}'`;
}

/** `kubectl get svc <svc> -n <ns> -o yaml` */
export function getService(config: Target): string {
  return `kubectl get svc ${config.service} -n ${config.namespace} -o yaml`;
}

/** `kubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<svc>` */
export function getEndpointSlices(config: Target, output = ''): string {
  return `kubectl get endpointslices -n ${config.namespace} -l kubernetes.io/service-name=${config.service}${output ? ` -o ${output}` : ''}`;
}

/** `kubectl get pods -n <ns> -l <selector from the Service> -o wide` */
export function getPods(config: Target): string {
  return `kubectl get pods -n ${config.namespace} -l ${SELECTOR} -o wide`;
}

/** `kubectl get svc <svc> -n <ns> -o jsonpath='{.spec.ports[*].name}'` */
export function getPortNames(config: Target): string {
  return `kubectl get svc ${config.service} -n ${config.namespace} -o jsonpath='{.spec.ports[*].name}'`;
}

/** `kubectl get pod <pod> -n <ns>` */
export function getPod(config: Target, pod: string): string {
  return `kubectl get pod ${pod} -n ${config.namespace}`;
}

/** The Ready condition of a pod. */
export function getPodReady(config: Target, pod: string): string {
  return `kubectl get pod ${pod} -n ${config.namespace} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`;
}

/** The StatefulSet's serviceName, replicas and first ordinal. */
export function getStatefulSet(config: Target, statefulSet: string): string {
  return `kubectl get statefulset ${statefulSet} -n ${config.namespace} -o jsonpath='{.spec.serviceName} {.spec.replicas} {.spec.ordinals.start}'`;
}

/** The cluster DNS Service, its pods and the namespace's network policies. */
export function kubeDnsCommands(config: Target): string[] {
  return [
    'kubectl -n kube-system get svc kube-dns -o wide',
    'kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide',
    `kubectl get networkpolicy -n ${config.namespace}`,
  ];
}

/** The CoreDNS configuration (Corefile). */
export const GET_COREFILE = 'kubectl -n kube-system get configmap coredns -o yaml';

/**
 * `dig @<server> [-p <port>] <name> <type> [flags]`, asking the server that answered `result`
 * (else the first configured one).
 */
export function dig(config: Target, name: string, type: QueryType | `-x ${string}`, flags = '', result?: LookupResult): string {
  const server = (result?.server === undefined ? undefined : parseNameserver(result.server)) ?? config.nameservers[0];
  const at = server === undefined ? '' : ` @${server.address}${server.port === 53 ? '' : ` -p ${server.port}`}`;
  const query = type.startsWith('-x ') ? type : `${name} ${type}`;
  return `dig${at}${flags ? ` ${flags}` : ''} ${query}`;
}
