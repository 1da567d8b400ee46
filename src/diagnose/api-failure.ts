/**
 * What a failed read of the Kubernetes API says and what to do about it: the request, the code
 * and the library's message (which, for a 403, names the missing RBAC rule: get services or list
 * pods for the doctor's own reads, list endpointslices for the source's), then the commands that
 * show or fix it, and whether it fails its check or warns ({@link apiFailureStatus}). An API that
 * cannot be reached, or refuses the credentials, fails every read the same way: {@link apiIsDown}
 * tells the later checks to skip rather than repeat it.
 *
 * @module
 */
import type { KubernetesApiError } from '../errors';
import { DOCTOR_RBAC_MANIFEST, doctorGrantCommands } from '../kubernetes/doctor-rbac';
import { grantCommands, RBAC_MANIFEST, type ApiSubject } from '../kubernetes/rbac';
import type { DiagnosisApi } from './api-access';
import type { DiagnosisContext } from './context';

/** True when the error is about reaching the API or the credentials, not about one resource: every read would fail alike. */
export function apiIsDown(error: KubernetesApiError): boolean {
  return error.code === 'ERR_K8S_UNREACHABLE' || error.code === 'ERR_K8S_UNAUTHORIZED' || error.code === 'ERR_K8S_CREDENTIALS';
}

/**
 * What a failed read makes of its check: a failure when the API was asked for (the `kubernetes`
 * option or source: discovery itself reads it), else a warning (discovery uses DNS; the doctor
 * could only not look). A 403 on the doctor's own reads (services, pods), which discovery never
 * makes, is a warning either way.
 */
export function apiFailureStatus(api: DiagnosisApi, error: KubernetesApiError): 'fail' | 'warn' {
  if (error.code === 'ERR_K8S_FORBIDDEN' && !error.request.endsWith(' endpointslices')) return 'warn';
  return api.credentials.asked ? 'fail' : 'warn';
}

/** `GET /api/v1/… → 403 Forbidden (ERR_K8S_FORBIDDEN)`, then the message. */
export function apiFailureEvidence(path: string, error: KubernetesApiError): string[] {
  const status = error.status === undefined ? 'no answer' : `${error.status}${error.reason === undefined ? '' : ` ${error.reason}`}`;
  return [`GET ${path} → ${status} (${error.code})`, error.message];
}

/** What to do about a failed read of `path`. */
export function apiFailureFix(context: DiagnosisContext, api: DiagnosisApi, path: string, error: KubernetesApiError): string[] {
  const namespace = context.config.namespace;
  switch (error.code) {
    case 'ERR_K8S_FORBIDDEN': {
      const subject = api.subject(error);
      const [verb = 'get', resource = 'services'] = error.request.split(' ');
      const check = `kubectl auth can-i ${verb} ${resource} -n ${namespace}${subject === undefined ? '' : ` --as=${asUser(subject)}`}`;
      if (resource === 'endpointslices') {
        return [
          `grant get, list and watch on endpointslices.discovery.k8s.io (what the kubernetes source needs too): the Role and RoleBinding of ${RBAC_MANIFEST}, or:`,
          ...grantCommands(namespace, subject),
          check,
        ];
      }
      return [
        `grant the doctor's reads (get and list on services and pods; discovery itself needs neither): the Role and RoleBinding of ${DOCTOR_RBAC_MANIFEST}, or:`,
        ...doctorGrantCommands(namespace, subject),
        check,
      ];
    }
    case 'ERR_K8S_UNAUTHORIZED':
      return [`the API refused ${api.describe()}: log in again or refresh the credentials (kubectl auth whoami says who they are)`, 'kubectl auth whoami'];
    case 'ERR_K8S_UNREACHABLE':
      return [
        'is the API server reachable from here, and is its certificate trusted? kubectl cluster-info',
        `in a pod, a NetworkPolicy with egress rules must allow the API server: kubectl get networkpolicy -n ${namespace}`,
      ];
    case 'ERR_K8S_CREDENTIALS':
      return ['fix the credentials the message names, or pass others (the kubernetes option: { kubeconfig, context }; --kubeconfig, --context)'];
    default:
      return [`what does the API answer? kubectl get --raw '${path}'`];
  }
}

/** The name `kubectl --as` takes for a subject. */
function asUser(subject: ApiSubject): string {
  return subject.kind === 'ServiceAccount' ? `system:serviceaccount:${subject.namespace}:${subject.name}` : subject.name;
}
