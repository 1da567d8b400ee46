/**
 * Check 8, `self`: this pod (its name from the `podName` option, `POD_NAME` or `HOSTNAME`) is
 * among the Service's endpoints: listed among the per-pod names, or its own name
 * `<pod>.<service>…` resolves. Only for a pod named `<statefulSet>-<n>`; for any other process
 * (another workload, a laptop) the check does not apply: a skip saying so, never a pass.
 * Missing → fail: Kubernetes DNS lists only ready pods, and a pod whose readiness waits for its
 * peers is never listed.
 *
 * @module
 */
import type { AddressRecord } from '../dns/types';
import { parseOrdinal } from '../names';
import { addressTypes, isAddressOf } from '../sources/address-lookup';
import { getEndpointSlices, getPodReady, getStatefulSet } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { isFailure, lookupLine } from './describe';
import { failureFix } from './failure';
import { finding, skipped, skipReason } from './finding';
import type { PodNamesResult } from './pod-names';
import type { ServiceNameResult } from './service-name';
import type { Finding } from './types';

/** Run the check. */
export async function checkSelf(context: DiagnosisContext, service: ServiceNameResult, podNames: PodNamesResult): Promise<Finding> {
  const { config, options, environment } = context;
  const pod = config.podName;
  const origin = options.podName === undefined ? environment.podName.from : 'the podName option';
  const title = `This pod (${pod}) is listed`;
  if (parseOrdinal(pod, config.statefulSet) === null) {
    return skipped('self', title, `this pod: ${pod} (from ${origin}) is not named ${config.statefulSet}-<n>: not running as a StatefulSet pod, nothing to check`);
  }
  if (service.state !== 'addresses') return skipped('self', title, skipReason(service.state));

  const host = `${pod}.${serviceHost(context)}`;
  const lookups = await Promise.all(addressTypes(config.family).map((type) => context.dns.lookup(host, type)));
  const addresses = lookups.flatMap((result) =>
    result.outcome === 'answer' ? result.answers.filter((record): record is AddressRecord => isAddressOf(record, config.family)).map((record) => record.address) : [],
  );
  const named = podNames.endpoints.find((endpoint) => endpoint.label === pod);
  const evidence = [
    `this pod: ${pod} (from ${origin})`,
    ...lookups.map(lookupLine),
    named ? `listed among the ${podNames.from === 'srv' ? 'SRV targets' : 'PTR names'} as ${named.host}` : `not among the ${podNames.endpoints.length} per-pod names`,
  ];
  if (named || addresses.length > 0) {
    if (addresses.length > 0) evidence.push(`addresses: ${[...new Set(addresses)].join(', ')}`);
    return finding('self', title, 'pass', evidence);
  }

  const failed = lookups.find(isFailure);
  if (failed) return finding('self', title, 'fail', evidence, failureFix(context, failed));
  return finding('self', title, 'fail', [...evidence, `${pod} is missing from its own Service`], [
    `Kubernetes DNS lists only ready pods: is this pod Ready? ${getPodReady(config, pod)}`,
    'if its readiness waits for peers that cannot see it (they need it in DNS first), no pod becomes ready: set publishNotReadyAddresses: true on the headless Service, and the readiness option to tell ready peers apart',
    `do the pod's labels match the Service selector? ${getEndpointSlices(config, 'yaml')}`,
    `is the StatefulSet's serviceName "${config.service}"? ${getStatefulSet(config, config.statefulSet)}`,
  ]);
}
