/**
 * The real `headless-discovery` bin, run as a child process (from `dist/`, as npm installs it)
 * against the fake cluster DNS on loopback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { cli, peerName, root, watch as startWatch } from './bin';

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

let cluster: FakeCluster;
const children: ChildProcess[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cluster.close();
});

describe('usage', () => {
  it('prints its version and help', async () => {
    expect((await cli(['--version'])).stdout.trim()).toBe(version);
    for (const command of [['--help'], ['watch', '--help'], ['doctor', '--help'], ['demo', '--help']]) {
      const result = await cli(command);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage:/);
    }
    expect((await cli(['watch', '--help'])).stdout).toContain('Examples:');
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['wacth', 'mysql'], /unknown command "wacth": did you mean "watch"\?/],
    [['watch', 'mysql', '--colour'], /unknown option '--colour'/],
    [['watch', 'mysql', '--port'], /Option '-p, --port <value>' argument missing/],
    [['watch', 'mysql', '--timeout', '1s'], /--timeout must be a whole number of milliseconds/],
    [['watch', 'mysql', '--interval', 'soon'], /--interval must be a whole number/],
    [['watch', 'mysql', '--readiness', 'icmp'], /--readiness must be/],
    [['watch'], /a service name is required/],
    [['watch', 'Not_A_Service', '--nameserver', '127.0.0.1'], /Invalid option "service"/],
    [['doctor', 'mysql', '--nameserver', 'kube-dns'], /Invalid option "nameservers\[0\]"/],
    [['watch', 'mysql', '--source', 'dns'], /^headless-discovery: --source: Invalid option "sources\[0\]": got "dns"; expected one of "kubernetes", "srv", "address", "ordinals", "static"\.$/],
    [['watch', 'mysql', '--source', 'kubernets,srv'], /--source: Invalid option "sources\[0\]": got "kubernets"; expected one of .*"static"\. Did you mean "kubernetes"\?$/],
    [['doctor', 'mysql', '--source', 'kubernetes,'], /--source: Invalid option "sources\[1\]": got ""; expected one of "kubernetes", "srv"/],
    [['watch', 'mysql', '--port', 'mysql', '--source', 'kubernetes,srv,kubernetes'], /--source: Invalid option "sources\[2\]": "kubernetes" is listed twice/],
    [['watch', 'mysql', '--port', '3306', '--source', 'srv'], /--source: Invalid option "sources": "srv" needs a named port/],
    [['watch', 'mysql', '--port', 'mysql'], /^headless-discovery: HEADLESS_DISCOVERY_SOURCE: Invalid option "sources\[0\]": got "nope"; expected one of "kubernetes"/, { HEADLESS_DISCOVERY_SOURCE: 'nope' }],
    [
      ['watch', 'mysql', '--kubeconfig', 'kubeconfig.yaml'],
      /^headless-discovery: --kubeconfig is for the kubernetes source, but --source is not set \(the default sources are DNS only\); expected --source kubernetes,srv \(the API, and DNS when the API fails\) or --source kubernetes as well$/,
    ],
    [['watch', 'mysql', '--port', 'mysql', '--source', 'srv', '--context', 'lab'], /--context is for the kubernetes source, but --source does not list it \(got "srv"\); expected --source kubernetes,srv/],
    [['watch', 'mysql', '--port', 'mysql', '--source', 'srv'], /HEADLESS_DISCOVERY_KUBECONFIG is for the kubernetes source, but --source does not list it/, { HEADLESS_DISCOVERY_KUBECONFIG: 'kubeconfig.yaml' }],
    [['watch', 'mysql'], /HEADLESS_DISCOVERY_CONTEXT is for the kubernetes source, but HEADLESS_DISCOVERY_SOURCE does not list it \(got "address"\)/, { HEADLESS_DISCOVERY_CONTEXT: 'lab', HEADLESS_DISCOVERY_SOURCE: 'address' }],
    [['watch', 'mysql', '--source', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig'], /^headless-discovery: --kubeconfig: cannot read "\/nonexistent\/kubeconfig" \(no such file\); expected a kubeconfig file, e.g\. ~\/\.kube\/config$/],
    [['doctor', 'mysql', '--kubeconfig', root], /--kubeconfig: cannot read ".+" \(not a file\)/],
    [['doctor', 'mysql'], /HEADLESS_DISCOVERY_KUBECONFIG: cannot read "\/nonexistent\/kubeconfig" \(no such file\)/, { HEADLESS_DISCOVERY_KUBECONFIG: '/nonexistent/kubeconfig' }],
  ])('%j is a usage error: one line, exit code 2, no stack trace', async (args: string[], message: RegExp, env: Record<string, string> = {}) => {
    const result = await cli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Start `watch` and read its NDJSON records as they come. */
function watch(args: string[], env: Record<string, string> = {}) {
  return startWatch(args, env, children);
}

describe('watch', () => {
  it('prints NDJSON (stdout is not a terminal) as the cluster scales, and exits 0 on Ctrl-C', async () => {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const session = watch(['mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--interval', '100', '--pod-name', 'mysql-0']);
    const snapshot = await session.next((record) => record['event'] === 'snapshot');
    expect((snapshot['membership'] as { peers: string[] }).peers).toEqual(['mysql-0', 'mysql-1']);
    svc.scale(3);
    const joined = await session.next((record) => record['event'] === 'join' && peerName(record) === 'mysql-2');
    expect(joined).toMatchObject({ peer: { name: 'mysql-2', ordinal: 2, port: 3306, ready: true, draining: false, uid: null, nodeName: null, zone: null, sources: ['srv'] }, membership: { stale: false, seed: 'mysql-0', self: 'mysql-0' } });
    expect(typeof joined['time']).toBe('string');
    svc.scale(1);
    await session.next((record) => record['event'] === 'leave' && peerName(record) === 'mysql-2');
    await session.next((record) => record['event'] === 'leave' && peerName(record) === 'mysql-1');
    session.child.kill('SIGINT');
    expect(await session.exited).toBe(0);
    expect(session.records.filter((record) => record['event'] === 'leave').map(peerName)).toEqual(['mysql-1', 'mysql-2']);
  });

  it('takes every option from HEADLESS_DISCOVERY_* variables and reports a DNS outage as stale, without leaves', async () => {
    cluster.defineService({ name: 'web', ports: [{ name: 'http', port: 8080 }], replicas: 3 });
    const session = watch([], {
      HEADLESS_DISCOVERY_SERVICE: 'web',
      HEADLESS_DISCOVERY_PORT: 'http',
      HEADLESS_DISCOVERY_NAMESERVERS: cluster.nameserver,
      HEADLESS_DISCOVERY_INTERVAL_MS: '100',
      HEADLESS_DISCOVERY_POD_NAME: 'web-1',
      HEADLESS_DISCOVERY_JSON: 'true',
    });
    await session.next((record) => record['event'] === 'snapshot');
    cluster.outage('servfail');
    const stale = await session.next((record) => record['event'] === 'stale');
    expect(stale['membership']).toMatchObject({ stale: true, peers: ['web-0', 'web-1', 'web-2'] });
    expect(session.records.some((record) => record['event'] === 'error' && record['code'] === 'ERR_DNS_SERVFAIL')).toBe(true);
    cluster.outage(null);
    await session.next((record) => record['event'] === 'fresh');
    session.child.kill('SIGTERM');
    expect(await session.exited).toBe(0);
    expect(session.records.filter((record) => record['event'] === 'leave')).toEqual([]);
  });
});

describe('demo', () => {
  it('runs the scripted demo to completion', async () => {
    const result = await cli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/seed\s+mysql-0 \(was none\)/);
    expect(result.stdout).toMatch(/── done/);
  });
});
