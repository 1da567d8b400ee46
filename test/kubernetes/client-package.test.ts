/**
 * The optional peer as a user meets it, through the built package (dist/, as `npm test` builds
 * it; HEADLESS_DISCOVERY_TEST_DIST points elsewhere), in both builds, in a directory outside
 * this repository: without @kubernetes/client-node, a kubeconfig fails at construction with the
 * install command while a pod's service account and DNS need nothing; with it, the CJS and the
 * ESM build both load it with a real dynamic import and read a Service through a kubeconfig.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_PACKAGE, CLIENT_PACKAGE_RANGE } from '../../src/kubernetes/client-package';
import { temporaryDirectory } from '../helpers/k8s-objects';

const root = join(import.meta.dirname, '..', '..');
const dist = process.env['HEADLESS_DISCOVERY_TEST_DIST'] ?? join(root, 'dist');
const run = promisify(execFile);

/** The script each case runs: it prints one JSON line. `${entry}` is the build to load. */
const SCRIPT = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const mode = process.argv[2];
const load = (entry) => entry.endsWith('.mjs') ? import(entry) : Promise.resolve(require(entry));
const list = { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '3' }, items: [{
  metadata: { name: 'web-a', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
  endpoints: [{ addresses: ['127.0.0.7'], conditions: { ready: true }, hostname: 'web-0', targetRef: { kind: 'Pod', name: 'web-0', uid: 'u0' } }],
  ports: [{ name: 'peer', protocol: 'TCP', port: 7000 }] }] };
const base = { service: 'web', namespace: 'default', port: 'peer', podName: 'web-0', nameservers: ['127.0.0.1:9'], environment: { env: {}, readFile: () => undefined } };
(async () => {
  const library = await load(process.argv[3]);
  if (mode === 'construct') {
    try {
      const discovery = library.createDiscovery({ ...base, sources: ['kubernetes'], kubernetes: { kubeconfig: '/nonexistent/kubeconfig' } });
      await discovery.close();
      console.log(JSON.stringify({ constructed: true }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, option: error.option, message: error.message }));
    }
    return;
  }
  if (mode === 'in-cluster') {
    const discovery = library.createDiscovery({ ...base, sources: ['kubernetes', 'srv'], environment: { env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '9' }, readFile: () => undefined } });
    await discovery.close();
    console.log(JSON.stringify({ constructed: true }));
    return;
  }
  const server = http.createServer((request, response) => {
    if (request.url.includes('watch=true')) { response.writeHead(200); return; }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(list));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfig = path.join(process.cwd(), 'kubeconfig');
  fs.writeFileSync(kubeconfig, ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster: { server: "http://127.0.0.1:' + server.address().port + '" }',
    'users:', '- name: u', '  user: { token: t }', 'contexts:', '- name: x', '  context: { cluster: c, user: u }', 'current-context: x', ''].join('\\n'));
  try {
    const membership = await library.discover({ ...base, sources: ['kubernetes'], kubernetes: { kubeconfig }, environment: { env: {} } });
    console.log(JSON.stringify({ peers: membership.peers.map((peer) => [peer.name, peer.uid, peer.addresses[0], peer.port]), node: process.version }));
  } finally {
    server.closeAllConnections();
    server.close();
  }
})().catch((error) => { console.log(JSON.stringify({ failed: String(error && error.stack || error) })); });
`;

let directory: { path: string; remove(): void };
beforeAll(() => {
  directory = temporaryDirectory();
});
afterAll(() => directory.remove());

/** A user's project: the built package under node_modules, and @kubernetes/client-node next to it or not. */
function project(name: string, withClient: boolean): string {
  const base = join(directory.path, name);
  const packageDirectory = join(base, 'node_modules', 'headless-discovery');
  mkdirSync(join(packageDirectory, 'dist'), { recursive: true });
  // The two builds of the main entry, and the chunks they load (some only on first use).
  for (const file of readdirSync(dist).filter((name) => /\.m?js$/.test(name))) copyFileSync(join(dist, file), join(packageDirectory, 'dist', file));
  writeFileSync(join(packageDirectory, 'package.json'), JSON.stringify({ name: 'headless-discovery', main: './dist/index.js', type: 'commonjs' }));
  if (withClient) {
    mkdirSync(join(base, 'node_modules', '@kubernetes'), { recursive: true });
    symlinkSync(join(root, 'node_modules', '@kubernetes', 'client-node'), join(base, 'node_modules', '@kubernetes', 'client-node'), 'dir');
  }
  writeFileSync(join(base, 'script.cjs'), SCRIPT);
  return base;
}

async function runIn(base: string, mode: string, build: 'index.js' | 'index.mjs'): Promise<Record<string, unknown>> {
  const entry = join(base, 'node_modules', 'headless-discovery', 'dist', build);
  const { stdout, stderr } = await run(process.execPath, [join(base, 'script.cjs'), mode, entry], { cwd: base, timeout: 60_000 });
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe('package.json', () => {
  it('declares @kubernetes/client-node an optional peer, in the range the code states', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest['peerDependencies']?.[CLIENT_PACKAGE]).toBe(CLIENT_PACKAGE_RANGE);
    expect(manifest['peerDependenciesMeta']?.[CLIENT_PACKAGE]).toEqual({ optional: true });
    // Every peer is optional: a DNS-only user installs nothing more.
    const peers = Object.keys(manifest['peerDependencies'] ?? {});
    expect(Object.keys(manifest['peerDependenciesMeta'] ?? {}).sort()).toEqual(peers.sort());
    for (const peer of peers) expect(manifest['peerDependenciesMeta']?.[peer]).toEqual({ optional: true });
    expect(manifest['dependencies']?.[CLIENT_PACKAGE]).toBeUndefined();
  });
});

describe('the built package and the optional @kubernetes/client-node', () => {
  beforeAll(() => {
    expect(existsSync(join(dist, 'index.js')), `the package is built in ${dist} (npm test builds it first)`).toBe(true);
  });

  describe.each(['index.js', 'index.mjs'] as const)('%s', (build) => {
    it('without the package: a kubeconfig fails at construction, naming sources and the install command', async () => {
      const result = await runIn(project(`without-${build}`, false), 'construct', build);
      expect(result).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'sources' });
      expect(String(result['message'])).toContain('npm install @kubernetes/client-node@^1.4.0');
    });

    it("without the package: a pod's service account needs nothing more", async () => {
      expect(await runIn(project(`in-cluster-${build}`, false), 'in-cluster', build)).toEqual({ constructed: true });
    });

    it('with the package: loads it with a dynamic import and reads the Service through a kubeconfig', async () => {
      const result = await runIn(project(`with-${build}`, true), 'discover', build);
      expect(result).toMatchObject({ peers: [['web-0', 'u0', '127.0.0.7', 7000]] });
    });
  });
});
