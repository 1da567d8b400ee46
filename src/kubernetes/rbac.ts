/**
 * The one RBAC rule the `kubernetes` source needs, who it is granted to, and the message a 403
 * carries: which verb on which resource of which API group in which namespace is missing, for
 * which service account, and how to grant it (the Role in k8s/, or two kubectl commands).
 *
 * @module
 */

/** The rule: get, list and watch of EndpointSlices, nothing else. k8s/endpointslice-reader.yaml grants exactly this. */
export const ENDPOINTSLICE_RULE = Object.freeze({
  apiGroups: Object.freeze(['discovery.k8s.io']),
  resources: Object.freeze(['endpointslices']),
  verbs: Object.freeze(['get', 'list', 'watch']),
});

/** The manifest of this repository that grants {@link ENDPOINTSLICE_RULE}. */
export const RBAC_MANIFEST = 'k8s/endpointslice-reader.yaml';

/** The name the manifest and the kubectl commands give the Role and its RoleBinding. */
export const RBAC_ROLE_NAME = 'headless-discovery';

/** Who the API server says made a request. */
export type ApiSubject =
  | { readonly kind: 'ServiceAccount'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'User'; readonly name: string };

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([a-z0-9.-]+):([a-z0-9.-]+)$/;

/** A Kubernetes user name as a subject: `system:serviceaccount:<ns>:<name>` is a service account. */
export function subjectOf(username: string): ApiSubject {
  const account = SERVICE_ACCOUNT_USER.exec(username);
  return account ? { kind: 'ServiceAccount', namespace: account[1] as string, name: account[2] as string } : { kind: 'User', name: username };
}

/** The user a 403 `Status` message names (`User "system:serviceaccount:default:web" cannot list …`), if it does. */
export function subjectInForbidden(message: string | undefined): ApiSubject | undefined {
  const user = message === undefined ? undefined : /\bUser "([^"]{1,253})" cannot\b/.exec(message)?.[1];
  return user === undefined ? undefined : subjectOf(user);
}

/** How a subject is written in a message. */
export function describeSubject(subject: ApiSubject): string {
  return subject.kind === 'ServiceAccount' ? `service account ${subject.namespace}/${subject.name}` : `user "${subject.name}"`;
}

/** The `kubectl create rolebinding` flag that names `subject` (a placeholder service account when unknown). */
export function bindingSubjectFlag(subject: ApiSubject | undefined): string {
  if (subject === undefined) return '--serviceaccount=<namespace>:<service-account>';
  return subject.kind === 'ServiceAccount' ? `--serviceaccount=${subject.namespace}:${subject.name}` : `--user=${subject.name}`;
}

/** The two kubectl commands that grant {@link ENDPOINTSLICE_RULE} to `subject` in `namespace`. */
export function grantCommands(namespace: string, subject: ApiSubject | undefined): readonly string[] {
  const who = bindingSubjectFlag(subject);
  return [
    `kubectl create role ${RBAC_ROLE_NAME} -n ${namespace} --verb=${ENDPOINTSLICE_RULE.verbs.join(',')} --resource=${ENDPOINTSLICE_RULE.resources[0]}.${ENDPOINTSLICE_RULE.apiGroups[0]}`,
    `kubectl create rolebinding ${RBAC_ROLE_NAME} -n ${namespace} --role=${RBAC_ROLE_NAME} ${who}`,
  ];
}

/** What a 403 says: the missing rule, whose it is, and how to grant it. */
export function forbiddenMessage(what: {
  readonly verb: string;
  readonly namespace: string;
  readonly subject: ApiSubject | undefined;
  readonly apiMessage: string | undefined;
}): string {
  const who = what.subject === undefined ? 'the credentials in use lack' : `${describeSubject(what.subject)} lacks`;
  const [role, binding] = grantCommands(what.namespace, what.subject);
  return (
    `The Kubernetes API refused to ${what.verb} endpointslices in namespace "${what.namespace}" (403 Forbidden): ${who} the RBAC rule ` +
    `verb "${what.verb}" on resource "${ENDPOINTSLICE_RULE.resources[0]}" in API group "${ENDPOINTSLICE_RULE.apiGroups[0]}" in namespace "${what.namespace}". ` +
    `Grant verbs ${ENDPOINTSLICE_RULE.verbs.join(', ')} with the Role and RoleBinding of ${RBAC_MANIFEST} (set its subject), or run: ${role} && ${binding}.` +
    (what.apiMessage === undefined ? '' : ` The API said: ${what.apiMessage}`)
  );
}
