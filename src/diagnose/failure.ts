/**
 * What a failed lookup (SERVFAIL, REFUSED, another RCODE, timeout, network error) says and what
 * to do about it: the server is named, and the hints lead to reaching kube-dns. A truncated UDP
 * reply whose TCP retry failed is recognised from the recorded exchanges.
 *
 * @module
 */
import type { QueryMessage } from '../dns/diagnostics';
import type { FailedResult, LookupResult } from '../dns/types';
import { dig, GET_COREFILE, kubeDnsCommands } from './commands';
import type { DiagnosisContext } from './context';

/** The exchanges of `result`'s lookup that were truncated UDP replies, and the TCP ones that failed. */
export function truncatedExchanges(context: DiagnosisContext, result: LookupResult): { udp: QueryMessage[]; tcpFailed: QueryMessage[] } {
  const exchanges = context.dns.exchanges(result.name, result.type);
  return {
    udp: exchanges.filter((exchange) => exchange.transport === 'udp' && exchange.truncated === true),
    tcpFailed: exchanges.filter((exchange) => exchange.transport === 'tcp' && exchange.outcome !== 'response'),
  };
}

/** True when a UDP reply of the lookup was truncated and its TCP retry got no response. */
export function failedAfterTruncation(context: DiagnosisContext, result: LookupResult): boolean {
  const { udp, tcpFailed } = truncatedExchanges(context, result);
  return result.outcome !== 'answer' && udp.length > 0 && tcpFailed.length > 0;
}

/** Evidence lines about a failed lookup, beyond its lookup line. */
export function failureEvidence(context: DiagnosisContext, result: FailedResult): string[] {
  const servers = context.config.nameservers.length;
  const lines = [
    `asked ${servers === 1 ? 'the nameserver' : `${servers} nameservers`} ${context.config.dnsAttempts === 1 ? 'once' : `${context.config.dnsAttempts} times each`}, ${result.queries} ${result.queries === 1 ? 'message' : 'messages'} in ${Math.round(result.durationMs)} ms`,
  ];
  if (failedAfterTruncation(context, result)) {
    lines.push('the UDP reply was truncated (TC=1) and the TCP retry failed: see the truncation finding');
  }
  return lines;
}

/** What to do about a failed lookup. */
export function failureFix(context: DiagnosisContext, result: FailedResult): string[] {
  const server = result.server ?? 'the nameserver';
  const { config } = context;
  const zone = config.clusterDomain;
  const check = dig(config, result.name, result.type, '', result);
  switch (result.outcome) {
    case 'servfail':
      return [
        `${server} answered SERVFAIL: it could not answer (CoreDNS not yet synced with the API server, lacking RBAC to list EndpointSlices, or a failing upstream)`,
        'kubectl -n kube-system logs -l k8s-app=kube-dns --tail=50',
        ...kubeDnsCommands(config),
        check,
      ];
    case 'refused':
      return [
        `${server} refused the query: it does not serve ${zone} (is it the cluster DNS? is the cluster domain right?)`,
        `compare the nameserver with the kube-dns ClusterIP and the zone with the Corefile: ${GET_COREFILE}`,
        ...kubeDnsCommands(config),
        check,
      ];
    case 'rcode':
      return [`${server} answered RCODE ${result.rcode}`, ...kubeDnsCommands(config), check];
    case 'timeout':
    case 'network-error':
      return [
        `could not reach the cluster DNS at ${server}: the nameserver must be the kube-dns ClusterIP (or NodeLocal DNSCache, 169.254.20.10), reachable on UDP and TCP port 53`,
        ...kubeDnsCommands(config),
        'a NetworkPolicy with egress rules must allow port 53 over UDP and TCP to kube-dns (namespace kube-system, label k8s-app=kube-dns)',
        check,
      ];
  }
}
