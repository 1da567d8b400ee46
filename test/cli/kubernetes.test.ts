/**
 * `--source kubernetes`, `--kubeconfig` and `--context`, the real bin as a child process, from
 * "a laptop": the fake cluster's Kubernetes API over TLS on loopback, reached through a
 * kubeconfig file in a temp directory (its CA inline), and the fake cluster DNS for the `srv`
 * fallback. `watch`'s NDJSON shows what only the API tells (ready, not ready, draining, node,
 * zone, a replaced pod) and a `source` record when the peers switch to DNS and back; `doctor`
 * takes the same flags for its API checks.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../src/testing/index';
import { cli, peerName, watch, type WatchRecord } from './bin';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
let directory: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi();
  directory = await mkdtemp(join(tmpdir(), 'headless-discovery-cli-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cluster.close();
  await rm(directory, { recursive: true, force: true });
});

type PeerRecord = { name: string; ready: boolean; draining: boolean; uid: string | null; nodeName: string | null; zone: string | null; sources: string[] };
const peers = (record: WatchRecord): PeerRecord[] => record['peers'] as PeerRecord[];
const membershipOf = (record: WatchRecord): { source: string; stale: boolean; peers: string[] } => record['membership'] as { source: string; stale: boolean; peers: string[] };
const is = (event: string, name?: string) => (record: WatchRecord) => record['event'] === event && (name === undefined || peerName(record) === name);

/**
 * A kubeconfig with two contexts: `lab`, the fake API, and `elsewhere` (its current-context), a
 * loopback port where nothing listens; only `--context lab` reaches the cluster.
 */
async function twoContextKubeconfig(): Promise<string> {
  const ca = Buffer.from(api.ca).toString('base64');
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: "${api.url}", certificate-authority-data: "${ca}" }
- name: elsewhere
  cluster: { server: "https://127.0.0.1:1", certificate-authority-data: "${ca}" }
users:
- name: me
  user: { token: "${api.token}" }
contexts:
- name: lab
  context: { cluster: lab, user: me }
- name: elsewhere
  context: { cluster: elsewhere, user: me }
current-context: elsewhere
`;
  const path = join(directory, 'config');
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}

describe('watch --source kubernetes --kubeconfig', () => {
  it('shows ready, not ready and draining peers with their node and zone, and a pod re-created under its name as a replace', async () => {
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    mysql.setReady('mysql-2', false);
    mysql.terminate('mysql-1');
    const kubeconfig = await api.writeKubeconfig();
    const session = watch(['mysql', '--port', 'mysql', '--source', 'kubernetes', '--kubeconfig', kubeconfig, '--pod-name', 'vm', '--interval', '200'], {}, children);

    const snapshot = await session.next(is('snapshot'));
    expect(membershipOf(snapshot)).toMatchObject({ source: 'kubernetes', stale: false, peers: ['mysql-0', 'mysql-1', 'mysql-2'] });
    expect(peers(snapshot).map(({ name, ready, draining, nodeName, zone, sources }) => ({ name, ready, draining, nodeName, zone, sources }))).toEqual([
      { name: 'mysql-0', ready: true, draining: false, nodeName: 'node-0', zone: 'zone-a', sources: ['kubernetes'] },
      { name: 'mysql-1', ready: false, draining: true, nodeName: 'node-1', zone: 'zone-b', sources: ['kubernetes'] },
      { name: 'mysql-2', ready: false, draining: false, nodeName: 'node-2', zone: 'zone-c', sources: ['kubernetes'] },
    ]);
    expect(peers(snapshot).every((peer) => /^[0-9a-f-]{36}$/.test(peer.uid ?? ''))).toBe(true);
    const drainingFirst = await session.next(is('draining', 'mysql-1'));
    expect(drainingFirst['peer']).toMatchObject({ draining: true, ready: false });
    const before = peers(snapshot)[0] as PeerRecord;

    mysql.restart('mysql-0');
    const replace = await session.next(is('replace', 'mysql-0'));
    const now = replace['peer'] as PeerRecord & { addresses: string[] };
    const previous = replace['previous'] as PeerRecord & { addresses: string[] };
    expect(previous.uid).toBe(before.uid);
    expect(now.uid).not.toBe(before.uid);
    expect(now.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(now.addresses).not.toEqual(previous.addresses);

    mysql.setReady('mysql-2', true);
    const ready = await session.next(is('ready', 'mysql-2'));
    expect(ready['peer']).toMatchObject({ ready: true, draining: false, nodeName: 'node-2', zone: 'zone-c' });
    await session.next(is('join', 'mysql-2'));

    mysql.terminate('mysql-2');
    const draining = await session.next(is('draining', 'mysql-2'));
    expect(draining['peer']).toMatchObject({ name: 'mysql-2', ready: false, draining: true });
    expect(await session.stop()).toBe(0);
    const events = session.records.map((record) => `${String(record['event'])} ${String(peerName(record) ?? '')}`.trim());
    expect(events).not.toContain('update mysql-0');
    expect(events).not.toContain('leave mysql-0');
  });

  it('with kubernetes,srv, falls back to DNS while the API is down (a source record, errors, no leave) and back to the API when it returns', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const kubeconfig = await api.writeKubeconfig();
    const session = watch(
      ['mysql', '--port', 'mysql', '--source', 'kubernetes,srv', '--kubeconfig', kubeconfig, '--nameserver', cluster.nameserver, '--pod-name', 'vm', '--interval', '200'],
      {},
      children,
    );
    const snapshot = await session.next(is('snapshot'));
    expect(membershipOf(snapshot).source).toBe('kubernetes');
    expect(peers(snapshot).map((peer) => peer.sources)).toEqual([['kubernetes'], ['kubernetes']]);

    await api.outage('refuse');
    const unreachable = await session.next((record) => record['event'] === 'error' && record['code'] === 'ERR_K8S_UNREACHABLE');
    expect(String(unreachable['message'])).toContain(api.url);
    const toDns = await session.next(is('source'));
    expect(toDns).toMatchObject({ source: 'srv', previous: 'kubernetes', membership: { source: 'srv', stale: false, peers: ['mysql-0', 'mysql-1'] } });

    const fallbackAt = session.records.indexOf(toDns);
    await api.outage(null);
    const back = await session.after(fallbackAt, is('source'));
    expect(back).toMatchObject({ source: 'kubernetes', previous: 'srv', membership: { source: 'kubernetes', stale: false } });
    expect(await session.stop()).toBe(0);
    expect(session.records.filter((record) => ['leave', 'stale'].includes(String(record['event'])))).toEqual([]);
  });

  it('takes --source, --kubeconfig and --context from HEADLESS_DISCOVERY_SOURCE, _KUBECONFIG and _CONTEXT', async () => {
    cluster.defineService({ name: 'web', ports: [{ name: 'http', port: 8080 }], replicas: 2 });
    const kubeconfig = await twoContextKubeconfig();
    const env = {
      HEADLESS_DISCOVERY_SERVICE: 'web',
      HEADLESS_DISCOVERY_PORT: 'http',
      HEADLESS_DISCOVERY_POD_NAME: 'vm',
      HEADLESS_DISCOVERY_INTERVAL_MS: '200',
      HEADLESS_DISCOVERY_SOURCE: 'kubernetes',
      HEADLESS_DISCOVERY_KUBECONFIG: kubeconfig,
    };

    const lab = watch([], { ...env, HEADLESS_DISCOVERY_CONTEXT: 'lab' }, children);
    const snapshot = await lab.next(is('snapshot'));
    expect(membershipOf(snapshot)).toMatchObject({ source: 'kubernetes', peers: ['web-0', 'web-1'] });
    expect(peers(snapshot).map((peer) => peer.nodeName)).toEqual(['node-0', 'node-1']);
    expect(await lab.stop('SIGTERM')).toBe(0);

    // Without the context, the kubeconfig's current-context is used: a server that is not there.
    const elsewhere = watch([], env, children);
    const error = await elsewhere.next(is('error'));
    expect(error).toMatchObject({ code: 'ERR_K8S_UNREACHABLE', request: expect.stringMatching(/endpointslices$/), status: null, reason: null });
    expect(String(error['message'])).toContain('https://127.0.0.1:1');
    expect(await elsewhere.stop('SIGTERM')).toBe(0);
  });
});

describe('doctor --kubeconfig --context', () => {
  it('reads the API through the kubeconfig and context given, by flag or variable, without --source', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const kubeconfig = await twoContextKubeconfig();
    const args = ['doctor', 'mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--pod-name', 'vm', '--kubeconfig', kubeconfig];

    const lab = await cli([...args, '--context', 'lab']);
    expect(lab.stderr).toBe('');
    expect(lab.stdout).toContain(`context "lab" in the kubeconfig ${kubeconfig}`);
    expect(lab.stdout).not.toMatch(/^FAIL/m);
    expect(lab.code).toBe(0);

    const fromEnv = await cli(args, { HEADLESS_DISCOVERY_CONTEXT: 'lab' });
    expect(fromEnv.stdout).toContain(`context "lab" in the kubeconfig ${kubeconfig}`);
    expect(fromEnv.code).toBe(0);

    // The current-context, a server that is not there: asked for by --kubeconfig, so a failure.
    const elsewhere = await cli(args);
    expect(elsewhere.stdout).toContain('https://127.0.0.1:1');
    expect(elsewhere.stdout).toMatch(/^FAIL/m);
    expect(elsewhere.code).toBe(1);
  });
});
