/**
 * `--explain <pod>` through the command: `watch` tells an `explain` record after every poll (the
 * real bin, from `dist/`, as npm installs it), which follows the pod from never seen to member;
 * on a terminal, the explanation sits under the table (in-process, with a stdout that says it is
 * a terminal); `doctor` explains the pod after its checks, as text and as JSON. Against the fake
 * cluster DNS on loopback.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';
import { cli, watch } from '../cli/bin';
import { recordedStream, stopSignal } from '../cli/streams';

let cluster: FakeCluster;
const children: ChildProcess[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cluster.close();
});

const explanation = (record: Record<string, unknown>): Record<string, unknown> => record['explanation'] as Record<string, unknown>;
const scaleTo4 = (): void => void cluster.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 4 });

describe('watch --explain', () => {
  it('tells an explain record after every poll, from never seen to member', async () => {
    const session = watch(['web', '--port', 'peer', '--nameserver', cluster.nameserver, '--interval', '100', '--pod-name', 'web-0', '--explain', 'web-3', '--json'], {}, children);
    const first = await session.next((record) => record['event'] === 'explain');
    expect(explanation(first)).toMatchObject({ service: 'web', namespace: 'default', name: 'web-3', status: 'never-seen', member: false });
    expect((explanation(first)['lastPoll'] as Record<string, unknown>)['lookups']).toEqual([
      { type: 'SRV', name: `_peer._tcp.web.default.svc.${cluster.clusterDomain}.`, outcome: 'answer', records: 3 },
    ]);
    expect(first['membership']).toMatchObject({ peers: ['web-0', 'web-1', 'web-2'] });
    scaleTo4();
    const member = await session.next((record) => record['event'] === 'explain' && explanation(record)['status'] === 'member');
    expect(explanation(member)).toMatchObject({ name: 'web-3', member: true, lastSeen: { sources: ['srv'] } });
    expect(member['membership']).toMatchObject({ peers: ['web-0', 'web-1', 'web-2', 'web-3'] });
    expect(await session.stop()).toBe(0);
  });

  it('on a terminal, shows the explanation under the table, redrawn as it changes', async () => {
    const stdout = recordedStream(true);
    const { stopped, stop } = stopSignal();
    const args = ['watch', 'web', '--port', 'peer', '--nameserver', cluster.nameserver, '--interval', '100', '--pod-name', 'web-0', '--explain', 'web-3'];
    const exited = main(args, {}, { stdout, stderr: recordedStream(false), stopped });
    const never = await stdout.writeWhere((frame) => frame.includes('web-3 was never listed: the last poll'));
    expect(never.write).toMatch(/\nWhy web-3:\x1b\[K\n {2}web-3 was never listed: the last poll \(srv\) asked SRV _peer\._tcp\.web\.default\.svc\.\S+ → 3 records\.\x1b\[K\n/);
    scaleTo4();
    const member = await stdout.writeWhere((frame) => frame.includes('web-3 is a member'));
    expect(member.write).toMatch(/\n {2}last seen: \S+ by srv\x1b\[K\n/);
    stop();
    expect(await exited).toBe(0);
  });
});

describe('doctor --explain', () => {
  it('explains the pod after the checks, as text', async () => {
    const result = await cli(['doctor', 'web', '--port', 'peer', '--nameserver', cluster.nameserver, '--pod-name', 'web-0', '--timeout', '1000', '--attempts', '1', '--explain', 'web-1']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/\nWhy web-1:\n {2}web-1 is a member: listed by the last poll and ready\.\n {2}peer: web-1\.web\.default\.svc\.\S+ \S+ port 7000 ready\n/);
  });

  it('adds the explanation to the JSON', async () => {
    const result = await cli(['doctor', 'web', '--port', 'peer', '--nameserver', cluster.nameserver, '--pod-name', 'web-0', '--timeout', '1000', '--attempts', '1', '--explain', 'web-9', '--json']);
    const printed = JSON.parse(result.stdout) as { findings: unknown[]; explanation: Record<string, unknown> };
    expect(printed.findings.length).toBeGreaterThan(0);
    expect(printed.explanation).toMatchObject({ name: 'web-9', status: 'never-seen', lastPoll: { outcome: 'ok', source: 'srv' } });
  });
});
