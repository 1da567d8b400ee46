/**
 * Check 1, `resolv-conf`: what the resolver configuration and the pod environment say, and where
 * each value came from. A ClusterFirst pod has `search <ns>.svc.<zone> svc.<zone> <zone>` and
 * `options ndots:5`; anything else means "not in a pod" or a custom `dnsConfig`, which matters
 * for short names such as `<pod>.<svc>` (this library always queries absolute names).
 *
 * @module
 */
import type { ResolverOptions } from '../config/resolv-conf';
import { formatNameserver } from '../dns/nameserver';
import { GET_COREFILE } from './commands';
import type { DiagnosisContext } from './context';
import { finding } from './finding';
import type { Finding } from './types';

const TITLE = 'Resolver configuration and pod environment';
const POD_NDOTS = 5;

/** Run the check (no I/O: it reads the environment captured at the start). */
export function checkResolvConf(context: DiagnosisContext): Finding {
  const { config, options, environment } = context;
  const zone = config.clusterDomain;
  const namespace = config.namespace;
  const search = environment.search.value;
  const ndots = environment.resolverOptions.value.ndots;
  const own = `${namespace}.svc.${zone}`;
  const podSearch = [own, `svc.${zone}`, zone];

  const evidence = [
    `resolv.conf nameservers: ${list(environment.nameservers.value.map(formatNameserver))} (from ${environment.nameservers.from})`,
    `queried nameservers: ${config.nameservers.map(formatNameserver).join(', ')} (from ${nameserversOrigin(context)})`,
    `search: ${list(search)} (from ${environment.search.from})`,
    `options: ${optionsText(environment.resolverOptions.value)} (from ${environment.resolverOptions.from})`,
    `cluster domain: ${zone} (from ${options.clusterDomain === undefined ? environment.clusterDomain.from : 'the clusterDomain option'})`,
    `namespace: ${namespace} (from ${options.namespace === undefined ? environment.namespace.from : 'the namespace option'})`,
    `pod name: ${config.podName} (from ${options.podName === undefined ? environment.podName.from : 'the podName option'})`,
  ];
  const fix: string[] = [];
  const dnsPolicy = `kubectl get pod ${config.podName} -n ${namespace} -o jsonpath='{.spec.dnsPolicy} {.spec.dnsConfig}'`;

  if (environment.nameservers.from.startsWith('missing ')) {
    evidence.push('no resolv.conf: not running in a pod (or a container without one)');
  }
  if (!search.includes(own)) {
    evidence.push(`no search entry ${own}: not running in a pod of namespace ${namespace} with dnsPolicy ClusterFirst, or a custom dnsConfig`);
    const other = search.find((entry) => entry.endsWith(`.svc.${zone}`) && entry !== `svc.${zone}`);
    if (other !== undefined) evidence.push(`the search list is for namespace ${other.slice(0, -`.svc.${zone}`.length)}: is the namespace right?`);
    fix.push(
      'outside a pod (a laptop, a CI job): pass --namespace, --cluster-domain and --nameserver explicitly; the checks below query absolute names and still apply',
      `in a pod: ${dnsPolicy} (ClusterFirst writes "search ${podSearch.join(' ')}" and "options ndots:5"; hostNetwork pods need ClusterFirstWithHostNet)`,
      'cat /etc/resolv.conf',
    );
  } else if (!podSearch.every((entry, index) => search[index] === entry)) {
    evidence.push(`the search list does not start with "${podSearch.join(' ')}", as a ClusterFirst pod's does: a custom dnsConfig`);
    fix.push(`${dnsPolicy} (short names such as ${config.statefulSet}-${config.ordinalStart}.${config.service} resolve through this list; this library queries absolute names)`);
  }
  if (ndots !== POD_NDOTS) {
    evidence.push(`ndots is ${ndots ?? '1 (the glibc default)'}, not 5 as in a ClusterFirst pod: short names resolve differently (this library queries absolute names)`);
    if (fix.length === 0) fix.push(`${dnsPolicy} (dnsConfig.options sets ndots)`, 'cat /etc/resolv.conf');
  }
  const derived = environment.clusterDomain;
  if (options.clusterDomain !== undefined && derived.from !== 'default' && derived.value !== zone) {
    evidence.push(`the clusterDomain option (${zone}) differs from the zone in the search list (${derived.value})`);
    fix.push(`check the zone CoreDNS serves (the "kubernetes <zone> …" line): ${GET_COREFILE}`);
  }

  return finding('resolv-conf', TITLE, fix.length === 0 ? 'pass' : 'warn', evidence, fix);
}

function nameserversOrigin(context: DiagnosisContext): string {
  if (context.options.nameservers !== undefined) return 'the nameservers option';
  const override = context.environment.nameserversOverride;
  return override.value === undefined ? context.environment.nameservers.from : override.from;
}

function list(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.join(' ');
}

function optionsText(options: ResolverOptions): string {
  const words = [
    options.ndots === undefined ? undefined : `ndots:${options.ndots}`,
    options.timeoutMs === undefined ? undefined : `timeout:${options.timeoutMs / 1000}`,
    options.attempts === undefined ? undefined : `attempts:${options.attempts}`,
    options.rotate ? 'rotate' : undefined,
    options.edns0 ? 'edns0' : undefined,
    options.useVc ? 'use-vc' : undefined,
  ].filter((word): word is string => word !== undefined);
  return words.length === 0 ? 'none' : words.join(' ');
}
