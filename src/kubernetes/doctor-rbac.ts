/**
 * What the doctor reads beyond the `kubernetes` source's EndpointSlices: the Service (get
 * services) and the pods its selector picks (list pods), both in the core API group. One rule
 * grants both, get and list on services and pods, so the optional manifest and the one kubectl
 * command that grants it say the same; and the message of a 403 on either names the verb that
 * was refused, whose it is, and how to grant the rule.
 *
 * @module
 */
import { bindingSubjectFlag, describeSubject, type ApiSubject } from './rbac';

/** The doctor's rule beyond the source's: read the Service and its pods. k8s/doctor-reader.yaml grants exactly this. */
export const DOCTOR_RULE = Object.freeze({
  apiGroups: Object.freeze(['']),
  resources: Object.freeze(['services', 'pods']),
  verbs: Object.freeze(['get', 'list']),
});

/** The manifest of this repository that grants {@link DOCTOR_RULE}. */
export const DOCTOR_RBAC_MANIFEST = 'k8s/doctor-reader.yaml';

/** The name the manifest and the kubectl commands give the doctor's Role and its RoleBinding. */
export const DOCTOR_ROLE_NAME = 'headless-discovery-doctor';

/** The two kubectl commands that grant {@link DOCTOR_RULE} to `subject` in `namespace`. */
export function doctorGrantCommands(namespace: string, subject: ApiSubject | undefined): readonly string[] {
  const who = bindingSubjectFlag(subject);
  return [
    `kubectl create role ${DOCTOR_ROLE_NAME} -n ${namespace} --verb=${DOCTOR_RULE.verbs.join(',')} --resource=${DOCTOR_RULE.resources.join(',')}`,
    `kubectl create rolebinding ${DOCTOR_ROLE_NAME} -n ${namespace} --role=${DOCTOR_ROLE_NAME} ${who}`,
  ];
}

/** What a 403 on the doctor's read of the Service or its pods says: the refused verb, whose it is, and how to grant the doctor's rule. */
export function doctorForbiddenMessage(what: {
  readonly verb: string;
  readonly resource: 'services' | 'pods';
  readonly namespace: string;
  readonly subject: ApiSubject | undefined;
  readonly apiMessage: string | undefined;
}): string {
  const who = what.subject === undefined ? 'the credentials in use lack' : `${describeSubject(what.subject)} lacks`;
  const [role, binding] = doctorGrantCommands(what.namespace, what.subject);
  return (
    `The Kubernetes API refused to ${what.verb} ${what.resource} in namespace "${what.namespace}" (403 Forbidden): ${who} the RBAC rule ` +
    `verb "${what.verb}" on resource "${what.resource}" in the core API group ("") in namespace "${what.namespace}". ` +
    'The doctor reads the Service (get services) and its pods (list pods) besides the EndpointSlices the kubernetes source reads; discovery itself needs neither. ' +
    `Grant verbs ${DOCTOR_RULE.verbs.join(', ')} on ${DOCTOR_RULE.resources.join(', ')} with the Role and RoleBinding of ${DOCTOR_RBAC_MANIFEST} (set its subject), or run: ${role} && ${binding}.` +
    (what.apiMessage === undefined ? '' : ` The API said: ${what.apiMessage}`)
  );
}
