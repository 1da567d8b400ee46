/**
 * The manifests of k8s/, validated offline against the official schemas (kubernetes-models), and
 * checked to grant exactly what the `kubernetes` source needs (and, for the doctor, what its own
 * reads need): the rule its 403 message names, bound to a service account, no more.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DOCTOR_RBAC_MANIFEST, DOCTOR_ROLE_NAME, DOCTOR_RULE, doctorForbiddenMessage, doctorGrantCommands } from '../src/kubernetes/doctor-rbac';
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

describe(DOCTOR_RBAC_MANIFEST, () => {
  const [roleDocument, bindingDocument, ...rest] = load(DOCTOR_RBAC_MANIFEST);
  const role = new Role(roleDocument as ConstructorParameters<typeof Role>[0]);
  const binding = new RoleBinding(bindingDocument as ConstructorParameters<typeof RoleBinding>[0]);

  it('is a valid Role and RoleBinding, and nothing else', () => {
    expect(existsSync(join(root, DOCTOR_RBAC_MANIFEST))).toBe(true);
    expect(rest).toEqual([]);
    expect(() => role.validate()).not.toThrow();
    expect(() => binding.validate()).not.toThrow();
  });

  it('grants exactly get and list on services and pods of the core group: the doctor\'s reads, no watch, no write', () => {
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['services', 'pods'], verbs: ['get', 'list'] }]);
    expect(role.rules).toEqual([{ apiGroups: [...DOCTOR_RULE.apiGroups], resources: [...DOCTOR_RULE.resources], verbs: [...DOCTOR_RULE.verbs] }]);
    expect(role.metadata?.name).toBe(DOCTOR_ROLE_NAME);
    expect(DOCTOR_ROLE_NAME).not.toBe(RBAC_ROLE_NAME);
  });

  it('binds that Role, in its namespace, to a service account', () => {
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata?.name });
    expect(binding.metadata?.name).toBe(DOCTOR_ROLE_NAME);
    expect(binding.metadata?.namespace).toBe(role.metadata?.namespace);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: expect.any(String), namespace: role.metadata?.namespace }]);
  });

  it('is what the doctor\'s 403 message points to, and its kubectl commands grant the same', () => {
    const subject = { kind: 'User', name: 'jane@example.com' } as const;
    const message = doctorForbiddenMessage({ verb: 'list', resource: 'pods', namespace: 'prod', subject, apiMessage: undefined });
    expect(message).toContain(DOCTOR_RBAC_MANIFEST);
    expect(message).toContain('user "jane@example.com" lacks the RBAC rule verb "list" on resource "pods" in the core API group ("") in namespace "prod"');
    const [create, bind] = doctorGrantCommands('prod', subject);
    expect(message).toContain(`${create} && ${bind}`);
    expect(create).toBe(`kubectl create role ${DOCTOR_ROLE_NAME} -n prod --verb=get,list --resource=services,pods`);
    expect(bind).toBe(`kubectl create rolebinding ${DOCTOR_ROLE_NAME} -n prod --role=${DOCTOR_ROLE_NAME} --user=jane@example.com`);
    expect(doctorGrantCommands('prod', { kind: 'ServiceAccount', namespace: 'prod', name: 'db' })[1]).toBe(
      `kubectl create rolebinding ${DOCTOR_ROLE_NAME} -n prod --role=${DOCTOR_ROLE_NAME} --serviceaccount=prod:db`,
    );
  });
});
