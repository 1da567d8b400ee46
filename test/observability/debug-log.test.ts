/**
 * `NODE_DEBUG=headless-discovery` prints every channel's messages through `util.debuglog`, one
 * line each, in a child process running the built package against the fake cluster DNS; without
 * it, nothing is printed. And the line format itself.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { debugLine } from '../../src/observability/debug-log';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** A discovery that polls twice (a peer missing the second time) against a fake cluster, then closes. */
const SCRIPT = `
const { createDiscovery } = require(${JSON.stringify(join(root, 'dist', 'index.js'))});
const { createFakeCluster } = require(${JSON.stringify(join(root, 'dist', 'testing', 'index.js'))});
(async () => {
  const cluster = await createFakeCluster();
  const service = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  const discovery = createDiscovery({ service: 'mysql', namespace: 'default', port: 'mysql', clusterDomain: cluster.clusterDomain, nameservers: [cluster.nameserver], podName: 'mysql-0', minIntervalMs: 100, leaveAfterPolls: 3 });
  await discovery.start();
  service.scale(2);
  await discovery.refresh();
  await discovery.close();
  await cluster.close();
})();
`;

async function runScript(env: Record<string, string>): Promise<string> {
  const { stderr } = await run(process.execPath, ['-e', SCRIPT], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 });
  return stderr;
}

describe('NODE_DEBUG=headless-discovery', () => {
  it('prints one line per message of every channel, naming the discovery', async () => {
    const lines = (await runScript({ NODE_DEBUG: 'headless-discovery' })).split('\n').filter(Boolean);
    const prefix = /^HEADLESS-DISCOVERY \d+: /;
    expect(lines.every((line) => prefix.test(line))).toBe(true);
    const bodies = lines.map((line) => line.replace(prefix, ''));
    expect(bodies).toContainEqual(expect.stringMatching(/^poll:start default\/mysql poll=1 at=\d+$/));
    expect(bodies).toContainEqual(expect.stringMatching(/^dns:query default\/mysql name=_mysql\._tcp\.mysql\.default\.svc\.\S+ type=SRV server=127\.0\.0\.1:\d+ transport=udp id=\d+ outcome=response rcode=0 truncated=false ignored=0 durationMs=\S+$/));
    expect(bodies).toContainEqual(expect.stringMatching(/^dns:lookup default\/mysql .*type=SRV .*outcome=answer .*answers=\[SRV:mysql-\d\.mysql\.default\.svc\.\S+:3306,/));
    expect(bodies).toContainEqual(expect.stringMatching(/^poll:end default\/mysql poll=2 outcome=ok source=srv failures=\[\] endpoints=2 messages=\d+ durationMs=\S+ epoch=\d+$/));
    expect(bodies).toContainEqual(expect.stringMatching(/^reconcile default\/mysql observation=complete epoch=\d+ joined=\[\] left=\[\] missing=\[mysql-2:kept\(leaveAfterPolls 1\/3\)\]$/));
  });

  it('prints nothing without it, or for another section', async () => {
    expect(await runScript({})).toBe('');
    expect(await runScript({ NODE_DEBUG: 'http' })).not.toContain('HEADLESS-DISCOVERY');
  });
});

describe('a debug line', () => {
  it('is the channel, the discovery, then key=value pairs', () => {
    const error = Object.assign(new Error('the server failed'), { code: 'ERR_DNS_SERVFAIL' });
    expect(debugLine('headless-discovery:retry', { service: 'mysql', namespace: 'prod', source: 'srv', attempt: 1, error, note: 'two words', skipped: undefined })).toBe(
      'retry prod/mysql source=srv attempt=1 error="ERR_DNS_SERVFAIL: the server failed" note="two words"',
    );
    expect(debugLine('headless-discovery:poll:end', { durationMs: 1.25, failures: [{ source: 'kubernetes', code: 'ERR_K8S_UNREACHABLE' }] })).toBe(
      'poll:end durationMs=1.3 failures=[{"source":"kubernetes","code":"ERR_K8S_UNREACHABLE"}]',
    );
    expect(debugLine('other', 'text')).toBe('other text');
  });
});
