/**
 * The manifests of k8s/, validated offline against the official schemas (kubernetes-models), and
 * checked to grant exactly what the `kubernetes` source needs: the rule its 403 message names,
 * bound to a service account, no more.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENDPOINTSLICE_RULE, forbiddenMessage, grantCommands, RBAC_MANIFEST, RBAC_ROLE_NAME } from '../src/kubernetes/rbac';

const root = join(import.meta.dirname, '..');

function load(file: string): unknown[] {
  return parseAllDocuments(readFileSync(join(root, file), 'utf8')).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as unknown;
  });
}

describe(RBAC_MANIFEST, () => {
  const [roleDocument, bindingDocument, ...rest] = load(RBAC_MANIFEST);
  const role = new Role(roleDocument as ConstructorParameters<typeof Role>[0]);
  const binding = new RoleBinding(bindingDocument as ConstructorParameters<typeof RoleBinding>[0]);

  it('is a valid Role and RoleBinding, and nothing else', () => {
    expect(existsSync(join(root, RBAC_MANIFEST))).toBe(true);
    expect(rest).toEqual([]);
    expect(() => role.validate()).not.toThrow();
    expect(() => binding.validate()).not.toThrow();
  });

  it('grants exactly get, list and watch on endpointslices.discovery.k8s.io: the rule the source needs', () => {
    expect(role.rules).toEqual([{ apiGroups: [...ENDPOINTSLICE_RULE.apiGroups], resources: [...ENDPOINTSLICE_RULE.resources], verbs: [...ENDPOINTSLICE_RULE.verbs] }]);
    expect(role.metadata?.name).toBe(RBAC_ROLE_NAME);
  });

  it('binds that Role, in its namespace, to a service account', () => {
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata?.name });
    expect(binding.metadata?.namespace).toBe(role.metadata?.namespace);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: expect.any(String), namespace: role.metadata?.namespace }]);
  });

  it('is what the 403 message points to, and its kubectl commands grant the same', () => {
    const message = forbiddenMessage({ verb: 'watch', namespace: 'prod', subject: { kind: 'ServiceAccount', namespace: 'prod', name: 'db' }, apiMessage: undefined });
    expect(message).toContain(RBAC_MANIFEST);
    const [create, bind] = grantCommands('prod', { kind: 'ServiceAccount', namespace: 'prod', name: 'db' });
    expect(message).toContain(`${create} && ${bind}`);
    expect(create).toBe(`kubectl create role ${RBAC_ROLE_NAME} -n prod --verb=get,list,watch --resource=endpointslices.discovery.k8s.io`);
    expect(bind).toBe(`kubectl create rolebinding ${RBAC_ROLE_NAME} -n prod --role=${RBAC_ROLE_NAME} --serviceaccount=prod:db`);
  });
});
