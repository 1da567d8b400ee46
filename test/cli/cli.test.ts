/**
 * The real `headless-discovery` bin, run as a child process (from `dist/`, as npm installs it)
 * against the fake cluster DNS on loopback.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.js');
const run = promisify(execFile);
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

/** Run the bin to completion; never rejects on a non-zero exit. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

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
  ])('%j is a usage error: one line, exit code 2, no stack trace', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Start `watch` and read its NDJSON records as they come. */
function watch(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, 'watch', ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const records: Array<Record<string, unknown>> = [];
  const waiters: Array<{ test: (record: Record<string, unknown>) => boolean; resolve: (record: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    records.push(record);
    for (const waiter of [...waiters]) {
      if (waiter.test(record)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  });
  const next = (test: (record: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> => {
    const seen = records.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching record within ${timeoutMs} ms; got ${JSON.stringify(records)}`)), timeoutMs);
      waiters.push({ test, resolve: (record) => (clearTimeout(timer), resolve(record)) });
    });
  };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, records, next, exited };
}

const peerName = (record: Record<string, unknown>): unknown => (record['peer'] as { name?: string } | undefined)?.name;

describe('watch', () => {
  it('prints NDJSON (stdout is not a terminal) as the cluster scales, and exits 0 on Ctrl-C', async () => {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const session = watch(['mysql', '--port', 'mysql', '--nameserver', cluster.nameserver, '--interval', '100', '--pod-name', 'mysql-0']);
    const snapshot = await session.next((record) => record['event'] === 'snapshot');
    expect((snapshot['membership'] as { peers: string[] }).peers).toEqual(['mysql-0', 'mysql-1']);
    svc.scale(3);
    const joined = await session.next((record) => record['event'] === 'join' && peerName(record) === 'mysql-2');
    expect(joined).toMatchObject({ peer: { name: 'mysql-2', ordinal: 2, port: 3306, ready: true, sources: ['srv'] }, membership: { stale: false, seed: 'mysql-0', self: 'mysql-0' } });
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
