/**
 * `headless-discovery doctor` with Kubernetes credentials (KUBECONFIG pointing at the fake
 * cluster's API, over HTTPS on loopback), the real bin as a child process: the four API checks
 * after the DNS ones, with their counts, and a 403 that names the rule to grant.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../src/testing/index';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const run = promisify(execFile);
const POD_ENV = { LOCALDOMAIN: 'default.svc.cluster.local svc.cluster.local cluster.local', RES_OPTIONS: 'ndots:5', POD_NAMESPACE: 'default' };

let cluster: FakeCluster;
let api: FakeKubernetesApi;
beforeEach(async () => {
  cluster = await createFakeCluster();
  cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  api = await cluster.startKubernetesApi({ serviceAccount: { namespace: 'default', name: 'mysql' } });
});
afterEach(async () => {
  await cluster.close();
});

async function doctor(args: string[]): Promise<{ code: number; stdout: string }> {
  const env = { PATH: process.env['PATH'] ?? '', ...POD_ENV, KUBECONFIG: await api.writeKubeconfig() };
  try {
    const { stdout } = await run(process.execPath, [bin, 'doctor', ...args, '--nameserver', cluster.nameserver], { env, timeout: 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '' };
  }
}

describe('doctor with Kubernetes credentials', () => {
  it('runs the API checks after the DNS ones: the Service, its pods, the slices’ counts, and DNS agreeing', async () => {
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);

    expect(result.code).toBe(0);
    const titles = result.stdout.split('\n').filter((line) => /^(PASS|WARN|FAIL|SKIP) {2}/.test(line));
    expect(titles.slice(-4)).toEqual([
      'PASS  Service default/mysql in the Kubernetes API: headless, with port "mysql"',
      'PASS  Pods selected by the Service (app=mysql)',
      'PASS  EndpointSlices of mysql: ready, not ready and terminating endpoints',
      'PASS  DNS lists the ready endpoints of the EndpointSlices, no more, no fewer',
    ]);
    expect(titles).toHaveLength(13);
    expect(result.stdout).toMatch(/^ {6}3 endpoints: 3 ready, 0 not ready, 0 terminating$/m);
    expect(result.stdout).toMatch(/^ {6}both list mysql-0, mysql-1, mysql-2$/m);
    expect(result.stdout).toMatch(/^OK: 13 pass, 0 warn, 0 fail, 0 skipped$/m);
  });

  it('prints a 403 on the pods with the rule and the commands that grant it, as a warning (discovery never reads pods): exit 0', async () => {
    api.forbid({ resource: 'pods' });

    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^WARN {2}Pods selected by the Service \(app=mysql\)$/m);
    expect(result.stdout).toContain('service account default/mysql lacks the RBAC rule verb "list" on resource "pods"');
    expect(result.stdout).toMatch(/^ {3}→ {2}kubectl create role headless-discovery-doctor -n default --verb=get,list --resource=services,pods$/m);
    expect(result.stdout).toMatch(/^OK: 12 pass, 1 warn, 0 fail, 0 skipped$/m);
  });
});
