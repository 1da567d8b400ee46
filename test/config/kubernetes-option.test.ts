/**
 * The `kubernetes` option and where the source's credentials come from, decided at
 * construction: the option's kubeconfig, `KUBECONFIG`, a pod's service account, `~/.kube/config`,
 * or nothing (each poll then fails, saying so). A kubeconfig needs @kubernetes/client-node: its
 * absence fails at construction with the install command.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentSources } from '../../src/config/options';
import { CA_PATH, DEFAULT_KUBECONFIG, KUBERNETES_TIMING, TOKEN_PATH } from '../../src/config/defaults';
import { resolveOptions } from '../../src/config/resolve-options';
import { sourceSettings } from '../../src/config/layer-settings';
import { InvalidOptionError, type DiscoveryOptions } from '../../src/index';
import { checkClientPackage, CLIENT_INSTALL_COMMAND } from '../../src/kubernetes/client-package';
import { temporaryDirectory } from '../helpers/k8s-objects';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const base = (environment: EnvironmentSources, extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions => ({
  service: 'mysql',
  namespace: 'prod',
  podName: 'mysql-0',
  nameservers: ['127.0.0.1'],
  port: 'mysql',
  sources: ['kubernetes', 'srv'],
  environment: { readFile: () => undefined, ...environment },
  ...extra,
});

const credentialsOf = (options: DiscoveryOptions) => resolveOptions(options).kubernetes?.credentials;

function invalid(options: DiscoveryOptions): InvalidOptionError {
  try {
    resolveOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('accepted');
}

describe('where the kubernetes source finds its credentials', () => {
  it('the kubernetes.kubeconfig option first, with its context', () => {
    const env = { KUBECONFIG: '/elsewhere', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(credentialsOf(base({ env }, { kubernetes: { kubeconfig: '/home/me/kind.yaml', context: 'kind-dev' } }))).toEqual({
      kind: 'kubeconfig',
      paths: ['/home/me/kind.yaml'],
      context: 'kind-dev',
      from: 'kubernetes.kubeconfig',
    });
  });

  it('then KUBECONFIG, a list of files', () => {
    expect(credentialsOf(base({ env: { KUBECONFIG: '/a/config:/b/config', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } }))).toEqual({
      kind: 'kubeconfig',
      paths: ['/a/config', '/b/config'],
      context: null,
      from: 'env:KUBECONFIG',
    });
  });

  it('then, in a pod, its service account: https://host:port (an IPv6 host in brackets), the token and CA files', () => {
    expect(credentialsOf(base({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } }))).toEqual({
      kind: 'in-cluster',
      server: 'https://10.96.0.1:443',
      tokenPath: TOKEN_PATH,
      caPath: CA_PATH,
    });
    expect(credentialsOf(base({ env: { KUBERNETES_SERVICE_HOST: 'FD00::1', KUBERNETES_SERVICE_PORT: '6443' }, tokenPath: '/t', caPath: '/c' }))).toEqual({
      kind: 'in-cluster',
      server: 'https://[fd00::1]:6443',
      tokenPath: '/t',
      caPath: '/c',
    });
  });

  it('then ~/.kube/config when it exists; a context without any kubeconfig named looks there too', () => {
    const home = temporaryDirectory();
    cleanups.push(home.remove);
    const path = join(home.path, DEFAULT_KUBECONFIG);
    const readFile = (file: string): string | undefined => (file === path ? 'apiVersion: v1' : undefined);
    expect(credentialsOf(base({ env: { HOME: home.path }, readFile }))).toEqual({ kind: 'kubeconfig', paths: [path], context: null, from: '~/.kube/config' });
    expect(credentialsOf(base({ env: { HOME: home.path, KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' } }, { kubernetes: { context: 'x' } }))).toMatchObject({
      kind: 'kubeconfig',
      paths: [path],
      context: 'x',
    });
  });

  it('else nothing: construction works (the poll fails, saying what was looked for)', () => {
    expect(credentialsOf(base({ env: {} }))).toEqual({ kind: 'none', looked: 'no kubernetes.kubeconfig option, no KUBECONFIG, no KUBERNETES_SERVICE_HOST and no ~/.kube/config' });
  });

  it('the source gets the Service, the namespace, the timing; no settings without the source', () => {
    const config = resolveOptions(base({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } }));
    expect(sourceSettings(config).kubernetes).toMatchObject({ service: 'mysql', namespace: 'prod', timing: KUBERNETES_TIMING });
    expect(sourceSettings(resolveOptions(base({ env: {} }, { sources: ['srv'] }))).kubernetes).toBeUndefined();
  });
});

describe('the kubernetes option is validated at construction', () => {
  it.each([
    ['without the source', { sources: ['srv'], kubernetes: {} }, 'kubernetes', /not among sources/],
    ['an unknown key', { kubernetes: { kubeConfig: '/x' } }, 'kubernetes.kubeConfig', /did you mean "kubeconfig"/],
    ['not an object', { kubernetes: '/home/me/.kube/config' }, 'kubernetes', /expected an object such as/],
    ['an empty path', { kubernetes: { kubeconfig: '' } }, 'kubernetes.kubeconfig', /expected a file path/],
    ['a path with NUL', { kubernetes: { kubeconfig: '/x\0' } }, 'kubernetes.kubeconfig', /expected a file path/],
    ['a context with a newline', { kubernetes: { kubeconfig: '/x', context: 'a\nb' } }, 'kubernetes.context', /no control characters/],
  ] as const)('%s', (_, extra, option, message) => {
    const error = invalid(base({ env: {} }, extra as Partial<DiscoveryOptions>));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['KUBERNETES_SERVICE_HOST', { KUBERNETES_SERVICE_HOST: 'not a host!', KUBERNETES_SERVICE_PORT: '443' }],
    ['KUBERNETES_SERVICE_PORT', { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '99999' }],
  ])('a bad %s names the variable', (name, env) => {
    expect(invalid(base({ env })).option).toBe(`kubernetes (from env:${name})`);
  });

  it('a context without HOME or any kubeconfig says what it needs', () => {
    expect(invalid(base({ env: {} }, { kubernetes: { context: 'x' } })).message).toMatch(/a context needs a kubeconfig/);
  });
});

describe('@kubernetes/client-node, the optional peer', () => {
  function fakePackage(version: string): (request: string) => string {
    const directory = temporaryDirectory();
    cleanups.push(directory.remove);
    mkdirSync(join(directory.path, 'client-node'));
    const manifest = join(directory.path, 'client-node', 'package.json');
    writeFileSync(manifest, JSON.stringify({ name: '@kubernetes/client-node', version }));
    return () => manifest;
  }
  const missing = (): string => {
    throw Object.assign(new Error("Cannot find module '@kubernetes/client-node/package.json'"), { code: 'MODULE_NOT_FOUND' });
  };

  it('is found here (the devDependency), without being loaded', () => {
    expect(checkClientPackage()).toEqual({ usable: true, version: '1.4.0' });
  });

  it('missing: not usable, with the install command', () => {
    expect(checkClientPackage('22.12.0', missing)).toEqual({ usable: false, reason: `it is not installed; install it: ${CLIENT_INSTALL_COMMAND}` });
  });

  it('2.x is refused before Node 22.19 (it does not load there), 1.x is fine everywhere', () => {
    expect(checkClientPackage('20.19.0', fakePackage('2.0.1'))).toMatchObject({ usable: false, reason: expect.stringContaining('needs Node 22.19 or later (this is Node 20.19.0)') });
    expect(checkClientPackage('22.18.0', fakePackage('2.0.1')).usable).toBe(false);
    expect(checkClientPackage('22.19.0', fakePackage('2.0.1'))).toEqual({ usable: true, version: '2.0.1' });
    expect(checkClientPackage('20.19.0', fakePackage('1.4.0'))).toEqual({ usable: true, version: '1.4.0' });
  });
});
