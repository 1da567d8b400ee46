/**
 * `headless-discovery doctor`, the real bin as a child process against the fake cluster DNS:
 * the exit code and the hint for each of the common causes.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const run = promisify(execFile);
/** A pod's resolver environment (search list and ndots as ClusterFirst writes them). */
const POD_ENV = { LOCALDOMAIN: 'default.svc.cluster.local svc.cluster.local cluster.local', RES_OPTIONS: 'ndots:5', POD_NAMESPACE: 'default' };

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await createFakeCluster();
});
afterEach(async () => {
  await cluster.close();
});

async function doctor(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [bin, 'doctor', ...args, '--nameserver', cluster.nameserver], {
      env: { PATH: process.env['PATH'] ?? '', ...POD_ENV },
      timeout: 60_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '' };
  }
}

const line = (stdout: string, status: string, title: RegExp): boolean => stdout.split('\n').some((text) => text.startsWith(status) && title.test(text));

describe('doctor', () => {
  it('passes on a healthy service (exit 0)', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^FAIL/m);
    expect(line(result.stdout, 'PASS', /SRV records/)).toBe(true);
    expect(result.stdout).toMatch(/^OK: /m);
  });

  it('counts the checks a typo in the service name skips apart from warnings, and names the failure', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const result = await doctor(['mysqll', '--port', 'mysql', '--pod-name', 'mysqll-1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}Service name mysqll\.default\.svc\.cluster\.local\. resolves \(A\/AAAA\)$/m);
    for (const title of [
      /SRV records of _mysql\._tcp\.mysqll/,
      /Per-pod names resolve/,
      /Reverse lookups/,
      /This pod \(mysqll-1\) is listed/,
      /Ordinals of mysqll/,
      /Service default\/mysqll in the Kubernetes API/,
      /Pods selected by the Service/,
      /EndpointSlices of mysqll/,
      /DNS lists the ready endpoints of the EndpointSlices/,
    ]) {
      expect(line(result.stdout, 'SKIP', title), String(title)).toBe(true);
    }
    expect(result.stdout).not.toMatch(/^WARN/m);
    expect(result.stdout).toMatch(/^PROBLEMS FOUND: 3 pass, 0 warn, 1 fail, 9 skipped$/m);
  });

  it('outside a StatefulSet pod, skips "this pod is listed" with the reason, and never passes it', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'vm']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SKIP {2}This pod \(vm\) is listed\n {6}skipped: this pod: vm \(from the podName option\) is not named mysql-<n>: not running as a StatefulSet pod/m);
    expect(result.stdout).not.toMatch(/^PASS {2}This pod/m);
    // And the four Kubernetes API checks: no credentials here (no KUBECONFIG, no HOME, not in a pod).
    expect(result.stdout).toMatch(/^SKIP {2}Service default\/mysql in the Kubernetes API: headless, with port "mysql"\n {6}skipped: no Kubernetes credentials: /m);
    expect(result.stdout).toMatch(/^OK: 8 pass, 0 warn, 0 fail, 5 skipped$/m);
  });

  it('fails on a missing service, pointing at the EndpointSlices and the selector', async () => {
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'FAIL', /Service name/)).toBe(true);
    expect(result.stdout).toContain('kubectl get endpointslices -n default -l kubernetes.io/service-name=mysql');
    expect(result.stdout).toContain('kubectl get svc mysql -n default -o yaml');
  });

  it('fails on a service with no ready pod, with the readiness hint', async () => {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    svc.setReady('mysql-0', false).setReady('mysql-1', false);
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('publishNotReadyAddresses');
  });

  it('fails when the port asked for has no SRV record because the Service port has no name', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ port: 3306 }], replicas: 2 });
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1']);
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'FAIL', /SRV/)).toBe(true);
    expect(result.stdout).toMatch(/only named ports/i);
  });

  it('warns with a numeric port that only A records are used', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ port: 3306 }], replicas: 2 });
    const result = await doctor(['mysql', '--port', '3306', '--pod-name', 'mysql-1']);
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'WARN', /SRV/)).toBe(true);
    expect(result.stdout).toMatch(/named port/);
  });

  it('warns when the answer was truncated over UDP and needed TCP, and prints JSON findings', async () => {
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 40 });
    const result = await doctor(['mysql', '--port', 'mysql', '--pod-name', 'mysql-1', '--json']);
    const report = JSON.parse(result.stdout) as { ok: boolean; findings: Array<{ check: string; status: string; evidence: string[]; fix: string[] }> };
    const truncation = report.findings.find((finding) => finding.check === 'truncation');
    expect(truncation?.status).toBe('warn');
    expect(truncation?.evidence.join('\n')).toMatch(/TCP/);
    expect(result.code).toBe(report.ok ? 0 : 1);
  });
});
