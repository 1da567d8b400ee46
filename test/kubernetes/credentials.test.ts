/**
 * Credentials, against real TLS servers on loopback: a pod's service account (the token re-read
 * when it is older than a minute and after a 401, the CA checked), and kubeconfig files read
 * through @kubernetes/client-node (contexts, merged KUBECONFIG lists, client certificates, exec
 * plugins, plain http://), each failure a clear ERR_K8S_CREDENTIALS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCredentials } from '../../src/kubernetes/credential-source';
import type { ApiEndpoint } from '../../src/kubernetes/credentials';
import { apiUrl, readBody, sendGet } from '../../src/kubernetes/http-request';
import type { CredentialSource, WatchTiming } from '../../src/kubernetes/settings';
import { serviceAccountToken, temporaryDirectory, writeKubeconfig, writeServiceAccount } from '../helpers/k8s-objects';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY, OTHER_CA_CERT } from '../helpers/k8s-tls';
import { startRawApiServer, type ApiCall, type RawApiServer } from '../helpers/raw-k8s-api';

const TIMING: WatchTiming = { minWatchSeconds: 300, requestTimeoutMs: 2000, tokenMaxAgeMs: 60_000, backoff: { initialMs: 20, maxMs: 200 } };
const readFile = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tlsServer(options: { requestCert?: boolean } = {}): Promise<RawApiServer & { seen: ApiCall[] }> {
  const server = await startRawApiServer(() => ({ json: { kind: 'Status', code: 200 } }), { tls: true, ...options });
  cleanups.push(() => server.close());
  return Object.assign(server, { seen: server.calls });
}

function directory(): string {
  const made = temporaryDirectory();
  cleanups.push(made.remove);
  return made.path;
}

/** One GET with what the credentials give; resolves with the status. */
async function get(endpoint: ApiEndpoint): Promise<number> {
  const exchange = await sendGet(endpoint, '/apis/discovery.k8s.io/v1', new AbortController().signal, 2000);
  await readBody(exchange, 1 << 20);
  return exchange.response.statusCode ?? 0;
}

describe('in-cluster credentials', () => {
  it('send the service-account token (trimmed) over TLS checked against the service-account CA', async () => {
    const server = await tlsServer();
    const files = writeServiceAccount(directory(), { token: `${serviceAccountToken('default', 'web')}\n`, ca: CA_CERT });
    const credentials = createCredentials({ kind: 'in-cluster', server: server.url, ...files }, { readFile, timing: TIMING });
    expect(await get(await credentials.connect())).toBe(200);
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${serviceAccountToken('default', 'web')}`);
    expect(credentials.facts()).toEqual({ subject: { kind: 'ServiceAccount', namespace: 'default', name: 'web' }, description: `the service-account token ${files.tokenPath}` });
  });

  it('re-read the token once it is a minute old, and at once after a 401', async () => {
    const server = await tlsServer();
    const files = writeServiceAccount(directory(), { token: 'first', ca: CA_CERT });
    let now = 0;
    const credentials = createCredentials({ kind: 'in-cluster', server: server.url, ...files }, { readFile, timing: TIMING }, () => now);
    const sent = async (): Promise<unknown> => (await credentials.connect()).options.headers;
    expect(await sent()).toMatchObject({ authorization: 'Bearer first' });
    writeFileSync(files.tokenPath, 'second');
    now = 59_999;
    expect(await sent()).toMatchObject({ authorization: 'Bearer first' });
    now = 60_000;
    expect(await sent()).toMatchObject({ authorization: 'Bearer second' });
    writeFileSync(files.tokenPath, 'third');
    credentials.unauthorized();
    expect(await sent()).toMatchObject({ authorization: 'Bearer third' });
  });

  it('refuse a server whose certificate the CA did not sign', async () => {
    const server = await tlsServer();
    const files = writeServiceAccount(directory(), { token: 'token', ca: OTHER_CA_CERT });
    const credentials = createCredentials({ kind: 'in-cluster', server: server.url, ...files }, { readFile, timing: TIMING });
    await expect(get(await credentials.connect())).rejects.toThrow();
    expect(server.seen).toHaveLength(0);
  });

  it.each([
    ['no token file (automountServiceAccountToken: false)', { token: null, ca: CA_CERT }, /No service-account token at .*automountServiceAccountToken: false/],
    ['a token with a line break inside', { token: 'abc\r\nX-Injected: 1', ca: CA_CERT }, /is not a token/],
    ['no CA file', { token: 'token', ca: null }, /No service-account CA at/],
  ] as const)('fail with ERR_K8S_CREDENTIALS for %s', async (_, broken, message) => {
    const dir = directory();
    const files = writeServiceAccount(dir, { token: 'token', ca: CA_CERT });
    const source: CredentialSource = {
      kind: 'in-cluster',
      server: 'https://127.0.0.1:1',
      tokenPath: broken.token === null ? join(dir, 'missing-token') : files.tokenPath,
      caPath: broken.ca === null ? join(dir, 'missing-ca') : files.caPath,
    };
    if (broken.token !== null) writeFileSync(files.tokenPath, broken.token);
    await expect(createCredentials(source, { readFile, timing: TIMING }).connect()).rejects.toMatchObject({ code: 'ERR_K8S_CREDENTIALS', message: expect.stringMatching(message) });
  });
});

describe('kubeconfig credentials (read by @kubernetes/client-node)', () => {
  const kubeconfig = (paths: string[], context: string | null = null): CredentialSource => ({ kind: 'kubeconfig', paths, context, from: 'kubernetes.kubeconfig' });

  it('use the current context: its CA and its token', async () => {
    const server = await tlsServer();
    const path = writeKubeconfig(directory(), [{ name: 'dev', server: server.url, ca: CA_CERT, token: 'dev-token' }]);
    const credentials = createCredentials(kubeconfig([path]), { readFile, timing: TIMING });
    expect(await get(await credentials.connect())).toBe(200);
    expect(server.seen[0]?.headers.authorization).toBe('Bearer dev-token');
    expect(credentials.facts().description).toBe(`the user "dev-user" of context "dev" in the kubeconfig ${path}`);
    credentials.close();
  });

  it('use the context asked for, with a client certificate', async () => {
    const server = await tlsServer({ requestCert: true });
    const path = writeKubeconfig(directory(), [
      { name: 'prod', server: 'https://127.0.0.1:1', ca: CA_CERT, token: 'nope' },
      { name: 'laptop', server: server.url, ca: CA_CERT, clientCert: CLIENT_CERT, clientKey: CLIENT_KEY },
    ]);
    const credentials = createCredentials(kubeconfig([path], 'laptop'), { readFile, timing: TIMING });
    expect(await get(await credentials.connect())).toBe(200);
    expect(server.seen[0]?.clientCommonName).toBe('laptop-user');
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('merge a KUBECONFIG list as kubectl does: the first file to name a context or set current-context wins', async () => {
    const server = await tlsServer();
    const dir = directory();
    const first = writeKubeconfig(dir, [{ name: 'shared', server: server.url, ca: CA_CERT, token: 'from-first' }], { file: 'first', current: null });
    const second = writeKubeconfig(
      dir,
      [
        { name: 'shared', server: 'https://127.0.0.1:1', token: 'from-second' },
        { name: 'other', server: 'https://127.0.0.1:1', token: 'other' },
      ],
      { file: 'second', current: 'shared' },
    );
    const credentials = createCredentials(kubeconfig([first, second]), { readFile, timing: TIMING });
    expect(await get(await credentials.connect())).toBe(200);
    expect(server.seen[0]?.headers.authorization).toBe('Bearer from-first');
  });

  it('run an exec credential plugin, and run it again after a 401', async () => {
    const server = await tlsServer();
    const dir = directory();
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    const plugin = join(dir, 'plugin.cjs');
    writeFileSync(
      plugin,
      `const fs = require('node:fs'); fs.appendFileSync(${JSON.stringify(counter)}, 'x');
       const runs = fs.readFileSync(${JSON.stringify(counter)}, 'utf8').length;
       process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-' + runs, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));`,
    );
    const path = join(dir, 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: c`,
        `  cluster: { server: ${JSON.stringify(server.url)}, certificate-authority-data: ${Buffer.from(CA_CERT).toString('base64')} }`,
        'users:',
        '- name: u',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        `      command: ${JSON.stringify(process.execPath)}`,
        `      args: [${JSON.stringify(plugin)}]`,
        '      interactiveMode: Never',
        'contexts:',
        '- name: x',
        '  context: { cluster: c, user: u }',
        'current-context: x',
        '',
      ].join('\n'),
    );
    const credentials = createCredentials(kubeconfig([path]), { readFile, timing: TIMING });
    await get(await credentials.connect());
    await get(await credentials.connect());
    credentials.unauthorized();
    await get(await credentials.connect());
    expect(server.seen.map((call) => call.headers.authorization)).toEqual(['Bearer exec-1', 'Bearer exec-1', 'Bearer exec-2']);
  });

  it('talk plain HTTP to an http:// server (kubectl proxy), where the package alone would refuse', async () => {
    const server = await startRawApiServer(() => ({ json: {} }));
    cleanups.push(() => server.close());
    const path = writeKubeconfig(directory(), [{ name: 'proxy', server: `${server.url}/` }]);
    const credentials = createCredentials(kubeconfig([path]), { readFile, timing: TIMING });
    expect(await get(await credentials.connect())).toBe(200);
  });

  it('keep the path prefix of a server URL (a proxy in front of several clusters)', () => {
    expect(apiUrl(new URL('https://rancher.example/k8s/clusters/c-1/'), '/apis/x?a=b').href).toBe('https://rancher.example/k8s/clusters/c-1/apis/x?a=b');
    expect(apiUrl(new URL('https://10.0.0.1:6443'), '/apis/x').href).toBe('https://10.0.0.1:6443/apis/x');
  });

  it.each([
    ['a missing file', (dir: string) => ({ paths: [join(dir, 'nope')] }), /kubeconfig file .*nope .*missing or unreadable/],
    ['a file that is not a kubeconfig', (dir: string) => (writeFileSync(join(dir, 'bad'), 'clusters: [{ cluster: {} }]'), { paths: [join(dir, 'bad')] }), /is not valid/],
    ['an unknown context', (dir: string) => ({ paths: [writeKubeconfig(dir, [{ name: 'a', server: 'https://127.0.0.1:1' }])], context: 'b' }), /has no context "b" \(contexts: "a"\)/],
    ['no current-context', (dir: string) => ({ paths: [writeKubeconfig(dir, [{ name: 'a', server: 'https://127.0.0.1:1' }], { current: null })] }), /sets no current-context; set the kubernetes.context option/],
    ['a server that is not a URL', (dir: string) => ({ paths: [writeKubeconfig(dir, [{ name: 'a', server: 'ftp://127.0.0.1' }])] }), /expected an http:\/\/ or https:\/\/ URL/],
  ])('fail with ERR_K8S_CREDENTIALS for %s', async (_, make, message) => {
    const made = make(directory());
    const credentials = createCredentials({ kind: 'kubeconfig', context: null, from: 'kubernetes.kubeconfig', ...made }, { readFile, timing: TIMING });
    await expect(credentials.connect()).rejects.toMatchObject({ code: 'ERR_K8S_CREDENTIALS', message: expect.stringMatching(message) });
  });

  it('no credentials at all: every connect fails, saying what was looked for', async () => {
    const credentials = createCredentials({ kind: 'none', looked: 'no KUBECONFIG, no KUBERNETES_SERVICE_HOST' }, { readFile, timing: TIMING });
    await expect(credentials.connect()).rejects.toMatchObject({ code: 'ERR_K8S_CREDENTIALS', message: expect.stringContaining('no KUBECONFIG, no KUBERNETES_SERVICE_HOST') });
  });
});

