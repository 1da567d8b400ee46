/**
 * Who gets in, and with what: TLS with the test-only CA (and nothing else), bearer tokens (401),
 * RBAC-like refusals (403 worded as the authorizer words them), the kubeconfig and in-cluster
 * files, and a token that rotates.
 */
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  createFakeCluster,
  FAKE_KUBERNETES_CA,
  FAKE_KUBERNETES_SERVER_CERT,
  type FakeCluster,
  type FakeKubernetesApi,
  type KubeApiRequest,
} from '../../../src/testing/index';
import { openWatch, request, slicesPath } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ token: 'sesame', serviceAccount: { namespace: 'shop', name: 'mysql' } });
  cluster.defineService({ name: 'mysql', namespace: 'shop', replicas: 1 });
});
afterEach(async () => {
  await cluster.close();
});

describe('TLS', () => {
  it('the server certificate is signed by the test CA, for 127.0.0.1, ::1 and localhost, valid for a century', () => {
    const ca = new X509Certificate(FAKE_KUBERNETES_CA);
    const server = new X509Certificate(FAKE_KUBERNETES_SERVER_CERT);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(new Date(server.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2100);
    expect(new Date(server.validFrom).getUTCFullYear()).toBeLessThanOrEqual(2020);
  });

  it('a client that trusts only the system CAs is refused; one that trusts the test CA gets in', async () => {
    await expect(request(api, '/version', { ca: null })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect((await request(api, '/version')).status).toBe(200);
  });

  it('serves on ::1 as well, with the same certificate', async () => {
    const other = await createFakeCluster({ host: '::1' });
    try {
      const six = await other.startKubernetesApi({ host: '::1' });
      expect(six.url).toBe(`https://[::1]:${six.port}`);
      expect((await request(six, '/version')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

async function watchStatus(path: string): Promise<number> {
  const watch = await openWatch(api, path);
  watch.close();
  return watch.status;
}

describe('401 and 403', () => {
  it('no token, or a wrong one: 401 Unauthorized', async () => {
    const expected = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    for (const token of [null, 'wrong']) {
      const { status, body } = await request(api, slicesPath('mysql', 'shop'), { token });
      expect(status).toBe(401);
      expect(body).toEqual(expected);
    }
  });

  it('a forbidden list: 403 with the RBAC message naming the service account, verb, resource, group and namespace', async () => {
    const lift = api.forbid({ resource: 'endpointslices', verbs: ['list'] });
    const { status, body } = await request(api, slicesPath('mysql', 'shop'));
    expect(status).toBe(403);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:shop:mysql" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "shop"',
      reason: 'Forbidden',
      details: { group: 'discovery.k8s.io', kind: 'endpointslices' },
      code: 403,
    });
    // Only list was taken away: watch still works; lifting the rule gives list back.
    expect(await watchStatus(slicesPath('mysql', 'shop', '&watch=true'))).toBe(200);
    lift();
    expect((await request(api, slicesPath('mysql', 'shop'))).status).toBe(200);
  });

  it('a forbidden watch, get of a core resource, and a cluster-wide list, each worded its way', async () => {
    api.forbid({ resource: 'endpointslices', verbs: ['watch'], namespace: 'shop' });
    api.forbid({ resource: 'services' });
    api.forbid({ resource: 'pods', verbs: ['list'] });
    expect((await request(api, slicesPath('mysql', 'shop', '&watch=true'))).body.message).toBe(
      'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:shop:mysql" cannot watch resource "endpointslices" in API group "discovery.k8s.io" in the namespace "shop"',
    );
    expect((await request(api, '/api/v1/namespaces/shop/services/mysql')).body).toMatchObject({
      message: 'services "mysql" is forbidden: User "system:serviceaccount:shop:mysql" cannot get resource "services" in API group "" in the namespace "shop"',
      details: { name: 'mysql', kind: 'services' },
    });
    expect((await request(api, '/api/v1/pods')).body.message).toBe(
      'pods is forbidden: User "system:serviceaccount:shop:mysql" cannot list resource "pods" in API group "" at the cluster scope',
    );
    expect(await watchStatus(slicesPath('mysql', 'default', '&watch=true'))).toBe(200); // the rule was for shop only
  });

  it('onRequest sees each request with its verb, resource and whether it was authenticated', async () => {
    const seen: KubeApiRequest[] = [];
    const stop = api.onRequest((incoming) => seen.push(incoming));
    await request(api, slicesPath('mysql', 'shop'));
    await request(api, '/api/v1/namespaces/shop/pods/mysql-0', { token: 'nope' });
    stop();
    await request(api, '/version');
    expect(seen.map(({ verb, resource, namespace, name, authenticated }) => ({ verb, resource, namespace, name, authenticated }))).toEqual([
      { verb: 'list', resource: 'endpointslices', namespace: 'shop', name: null, authenticated: true },
      { verb: 'get', resource: 'pods', namespace: 'shop', name: 'mysql-0', authenticated: false },
    ]);
    expect(seen[0]?.query).toEqual({ labelSelector: 'kubernetes.io/service-name=mysql' });
    expect(api.stats.requests).toBe(3);
  });
});

describe('credentials', () => {
  it('a kubeconfig with the server, the CA as certificate-authority-data, the token and the namespace', async () => {
    const path = await api.writeKubeconfig({ namespace: 'shop' });
    const config = parse(await readFile(path, 'utf8'));
    expect(config).toMatchObject({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'fake-cluster',
      clusters: [{ name: 'fake-cluster', cluster: { server: api.url } }],
      users: [{ name: 'fake-cluster-user', user: { token: 'sesame' } }],
      contexts: [{ name: 'fake-cluster', context: { cluster: 'fake-cluster', user: 'fake-cluster-user', namespace: 'shop' } }],
    });
    expect(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(api.ca);
    expect(((await lstat(path)).mode & 0o777).toString(8)).toBe('600');
  });

  it('in-cluster files: token, ca.crt and namespace under <root>/var/run/secrets/kubernetes.io/serviceaccount, as symlinks through ..data', async () => {
    const files = await api.writeInClusterFiles({ namespace: 'shop' });
    expect(files.directory).toBe(join(files.root, 'var/run/secrets/kubernetes.io/serviceaccount'));
    expect(await readFile(files.tokenPath, 'utf8')).toBe('sesame');
    expect(await readFile(files.namespacePath, 'utf8')).toBe('shop');
    expect((await readFile(files.caPath, 'utf8')).trim()).toBe(api.ca.trim());
    expect(await readlink(files.tokenPath)).toBe(join('..data', 'token'));
    expect(files.env).toEqual({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(api.port), KUBERNETES_SERVICE_PORT_HTTPS: String(api.port) });
  });

  it('a rotating token: the file changes behind ..data, the server accepts the new token (and the old until revoked)', async () => {
    const files = await api.writeInClusterFiles();
    const dataBefore = await readlink(join(files.directory, '..data'));
    const next = await files.rotateToken();
    expect(next).not.toBe('sesame');
    expect(files.token).toBe(next);
    expect(await readFile(files.tokenPath, 'utf8')).toBe(next);
    expect(await readlink(join(files.directory, '..data'))).not.toBe(dataBefore);
    await expect(lstat(join(files.directory, dataBefore))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await request(api, '/version', { token: next })).status).toBe(200);
    expect((await request(api, '/version', { token: 'sesame' })).status).toBe(200);
    const third = await files.rotateToken({ token: 'third', revokePrevious: true });
    expect((await request(api, '/version', { token: third })).status).toBe(200);
    expect((await request(api, '/version', { token: next })).status).toBe(401);
    api.acceptTokens([]);
    expect((await request(api, '/version', { token: third })).status).toBe(401);
  });

  it('close() removes the files it wrote', async () => {
    const path = await api.writeKubeconfig();
    const files = await api.writeInClusterFiles();
    await cluster.close();
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(files.root)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
