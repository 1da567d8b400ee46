/**
 * `watch --source kubernetes,srv` on a terminal: the table says ready / no / draining with each
 * peer's node and zone, the event lines show `draining`, `replace` and `source` (the fallback to
 * DNS while the API is down). Runs the command in-process with a terminal-like stdout, against
 * the fake cluster's DNS and its Kubernetes API over TLS on loopback, through a kubeconfig file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../src/testing/index';
import { recordedStream, stopSignal } from './streams';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi();
});
afterEach(async () => {
  await cluster.close();
});

/** The lines of a frame, without the terminal's control sequences. */
const lines = (frame: string): string[] => frame.replace(/\x1b\[[HJK]/g, '').split('\n');

describe('watch --source kubernetes,srv on a terminal', () => {
  it('shows readiness, draining, node and zone, a replaced pod, and the switch to DNS and back', async () => {
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    mysql.setReady('mysql-2', false);
    const kubeconfig = await api.writeKubeconfig();
    const stdout = recordedStream(true);
    const stderr = recordedStream(false);
    const { stopped, stop } = stopSignal();
    const args = ['watch', 'mysql', '--port', 'mysql', '--source', 'kubernetes,srv', '--kubeconfig', kubeconfig, '--nameserver', cluster.nameserver, '--pod-name', 'vm', '--interval', '200'];
    const exited = main(args, {}, { stdout, stderr, stopped });

    const first = lines((await stdout.writeWhere((frame) => frame.includes('snapshot'))).write);
    expect(first[0]).toMatch(/^headless-discovery watch mysql: fresh, 3 peers \(2 ready\), epoch \d+, source kubernetes$/);
    expect(first).toContainEqual(expect.stringMatching(/^ +ORD +NAME +ADDRESSES +PORT +READY +NODE +ZONE +SOURCES$/));
    expect(first).toContainEqual(expect.stringMatching(/^★ +0 +mysql-0 +10\.244\.\S+ +3306 +yes +node-0 +zone-a +kubernetes$/));
    expect(first).toContainEqual(expect.stringMatching(/^ +2 +mysql-2 +10\.244\.\S+ +3306 +no +node-2 +zone-c +kubernetes$/));

    mysql.terminate('mysql-1');
    const drained = lines((await stdout.writeWhere((frame) => / draining mysql-1 /.test(frame))).write);
    expect(drained).toContainEqual(expect.stringMatching(/^ +1 +mysql-1 +10\.244\.\S+ +3306 +draining +node-1 +zone-b +kubernetes$/));
    expect(drained).toContainEqual(expect.stringMatching(/Z {2}draining mysql-1 10\.244\.\S+:3306 {2}\[fresh\]$/));

    mysql.restart('mysql-0');
    const replaced = lines((await stdout.writeWhere((frame) => frame.includes('  replace mysql-0 '))).write);
    expect(replaced).toContainEqual(expect.stringMatching(/Z {2}replace mysql-0 10\.244\.\S+:3306 uid [0-9a-f-]{36} \(was uid [0-9a-f-]{36}, 10\.244\.\S+\) {2}\[fresh\]$/));

    await api.outage('refuse');
    const onDns = lines((await stdout.writeWhere((frame) => frame.includes('  source  srv (was kubernetes)'))).write);
    expect(onDns[0]).toMatch(/, source srv$/);
    expect(onDns).toContainEqual(expect.stringMatching(/^★ +0 +mysql-0 +10\.244\.\S+ +3306 +yes +node-0 +zone-a +srv$/));
    expect(onDns).toContainEqual(expect.stringMatching(/ {2}error {3}ERR_K8S_UNREACHABLE: /));

    await api.outage(null);
    const back = lines((await stdout.writeWhere((frame) => frame.includes('  source  kubernetes (was srv)'))).write);
    expect(back[0]).toMatch(/, source kubernetes$/);
    stop();
    expect(await exited).toBe(0);
    expect(stderr.text()).toBe('');
  });
});
