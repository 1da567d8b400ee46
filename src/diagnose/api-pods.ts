/**
 * Check 11, `api-pods`: the pods the Service's selector picks, listed from the Kubernetes API.
 * None → fail (the Service has no endpoints, and DNS no records), with the command that shows
 * the labels. Pods that are not the StatefulSet's (`<statefulSet>-<n>`) are endpoints all the
 * same, but never members: a warning; so is a StatefulSet pod whose `subdomain` is not this
 * Service (the StatefulSet's `serviceName` is another one: no per-pod names here). Skipped
 * when the Service could not be read or has no selector.
 *
 * @module
 */
import { podsPath } from '../kubernetes/api-read';
import { selectorText, type PodSummary } from '../kubernetes/core-objects';
import { parseOrdinal } from '../names';
import type { DiagnosisApi } from './api-access';
import { apiFailureEvidence, apiFailureFix, apiFailureStatus } from './api-failure';
import { serviceSkipReason, type ApiServiceResult } from './api-service';
import { getPodLabels, getStatefulSet, getStatefulSetLabels } from './commands';
import type { DiagnosisContext } from './context';
import { capped, count } from './describe';
import { finding, skipped } from './finding';
import type { Finding } from './types';

/** Run the check. */
export async function checkApiPods(context: DiagnosisContext, api: DiagnosisApi, service: ApiServiceResult): Promise<Finding> {
  const { config } = context;
  const selector = service.service?.selector ? selectorText(service.service.selector) : undefined;
  const title = `Pods selected by the Service${selector === undefined ? '' : ` (${selector})`}`;
  const skip = serviceSkipReason(service);
  if (skip !== undefined) return skipped('api-pods', title, skip);
  if (selector === undefined) return skipped('api-pods', title, 'the Service has no selector (see api-service)');

  const path = podsPath(config.namespace, selector);
  const read = await api.pods(selector);
  if (!read.ok) return finding('api-pods', title, apiFailureStatus(api, read.error), apiFailureEvidence(path, read.error), apiFailureFix(context, api, path, read.error));

  const sts = config.statefulSet;
  const pods = [...read.value].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const evidence = [`GET ${path} → ${count(pods.length, 'pod')}`];
  if (pods.length === 0) {
    return finding('api-pods', title, 'fail', [...evidence, `no pod in namespace "${config.namespace}" has the labels ${selector}: the Service has no endpoints, and DNS no records`], [
      `compare the pods' labels with the selector: ${getPodLabels(config, selector)}`,
      `every pod of the namespace, with its labels: ${getPodLabels(config)}`,
      `the StatefulSet's pods carry the labels of its template: ${getStatefulSetLabels(config, sts)}`,
    ]);
  }

  evidence.push(...capped(pods.map(podLine)));
  const members = pods.filter((pod) => parseOrdinal(pod.name, sts) !== null);
  const strangers = pods.filter((pod) => parseOrdinal(pod.name, sts) === null);
  evidence.push(`${members.length} of ${pods.length} ${pods.length === 1 ? 'is a pod' : 'are pods'} of the StatefulSet ${sts} (named ${sts}-<n>)`);
  const fix: string[] = [];
  if (strangers.length > 0) {
    evidence.push(`not ${sts}-<n>: ${names(strangers)}: endpoints of the Service all the same (peers without an ordinal, never members)`);
    fix.push(
      members.length === 0
        ? `no selected pod is named ${sts}-<n>: if they are the pods of another StatefulSet, set the statefulSet option to its name`
        : `narrow the Service's selector to the StatefulSet's pods (a label only they carry): ${getPodLabels(config, selector)}`,
    );
  }
  const elsewhere = members.filter((pod) => pod.subdomain !== config.service);
  if (elsewhere.length > 0) {
    const [first] = elsewhere;
    evidence.push(
      `${names(elsewhere)}: ${first?.subdomain === undefined ? 'no subdomain' : `subdomain "${first.subdomain}"`}, so no per-pod name under ${config.service} (a StatefulSet sets it to its serviceName)`,
    );
    fix.push(`the StatefulSet's serviceName must be "${config.service}" for its pods to get per-pod names under it: ${getStatefulSet(config, sts)}`);
  }
  return finding('api-pods', title, fix.length > 0 ? 'warn' : 'pass', evidence, fix);
}

/** `mysql-0: Running, Ready, node-0, 10.244.0.1` (`terminating`, `no IP yet` when so). */
function podLine(pod: PodSummary): string {
  const state = [pod.phase, pod.terminating ? 'terminating' : pod.ready ? 'Ready' : 'not Ready'];
  if (pod.nodeName !== undefined) state.push(pod.nodeName);
  state.push(pod.addresses.length === 0 ? 'no IP yet' : pod.addresses.join(', '));
  return `${pod.name}: ${state.join(', ')}`;
}

function names(pods: readonly PodSummary[]): string {
  const shown = pods.slice(0, 5).map((pod) => pod.name);
  return `${shown.join(', ')}${pods.length > 5 ? `, … (${pods.length})` : ''}`;
}
