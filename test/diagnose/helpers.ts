/**
 * Shared pieces of the diagnosis tests: a pod-like environment (so `resolv-conf` passes while
 * the queries go to a loopback server), a runner with short DNS timeouts, and finding lookup.
 */
import { afterEach, expect } from 'vitest';
import { CHECK_IDS, diagnose, type CheckId, type DiagnoseExtra, type Diagnosis, type Finding } from '../../src/diagnose';
import type { DiscoveryOptions, EnvironmentSources } from '../../src/config/options';
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from '../../src/testing';
import { startRawDnsServer, type Handler, type RawDnsServer } from '../helpers/raw-dns-server';

/** What a ClusterFirst pod in `namespace` has in /etc/resolv.conf. */
export function podResolvConf(namespace = 'default', zone = 'cluster.local'): string {
  return ['nameserver 10.96.0.10', `search ${namespace}.svc.${zone} svc.${zone} ${zone}`, 'options ndots:5'].join('\n');
}

/** A pod's environment, without touching this machine's files. */
export function podEnvironment(
  env: Record<string, string | undefined> = {},
  files: Record<string, string> = { '/etc/resolv.conf': podResolvConf() },
): EnvironmentSources {
  return {
    env: { POD_NAME: 'mysql-1', POD_NAMESPACE: 'default', ...env },
    hostname: () => 'laptop',
    readFile: (path: string) => files[path],
    resolvConfPath: '/etc/resolv.conf',
    namespacePath: '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
  };
}

const clusters: FakeCluster[] = [];
const servers: RawDnsServer[] = [];
afterEach(async () => {
  await Promise.all([...clusters.splice(0).map((cluster) => cluster.close()), ...servers.splice(0).map((server) => server.close())]);
});

/** A fake cluster DNS, closed after the test. */
export async function fakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const cluster = await createFakeCluster(options);
  clusters.push(cluster);
  return cluster;
}

/** A raw DNS server, closed after the test. */
export async function rawServer(handle: Handler): Promise<RawDnsServer> {
  const server = await startRawDnsServer(handle);
  servers.push(server);
  return server;
}

/** Diagnose `service` against `nameserver`, from a pod-like environment, with short timeouts. */
export function run(
  nameserver: string,
  options: Partial<DiscoveryOptions> = {},
  extra: DiagnoseExtra = { environment: podEnvironment() },
): Promise<Diagnosis> {
  return diagnose({ service: 'mysql', nameservers: [nameserver], dnsTimeoutMs: 300, dnsAttempts: 1, ...options }, extra);
}

/** The finding of `check`; fails the test when it is missing. */
export function findingOf(diagnosis: Diagnosis, check: CheckId): Finding {
  const found = diagnosis.findings.find((finding) => finding.check === check);
  expect(found, `no ${check} finding`).toBeDefined();
  return found as Finding;
}

/** `check → status` for every finding, in order. */
export function statuses(diagnosis: Diagnosis): Record<string, string> {
  return Object.fromEntries(diagnosis.findings.map((finding) => [finding.check, finding.status]));
}

/** Evidence and fix of a finding as one text, for `toContain`/`toMatch`. */
export function text(finding: Finding): string {
  return [finding.title, ...finding.evidence, ...finding.fix].join('\n');
}

/** The Kubernetes API checks: `skip` in a pod-like environment without credentials (the one above). */
export const API_CHECKS = ['api-service', 'api-pods', 'api-endpointslices', 'api-vs-dns'] as const satisfies readonly CheckId[];

/** Every check but the API ones. */
export const DNS_CHECKS: readonly CheckId[] = CHECK_IDS.filter((check) => !(API_CHECKS as readonly CheckId[]).includes(check));

/** The DNS checks' findings; fails the test unless each API check was skipped for want of credentials. */
export function dnsFindings(diagnosis: Diagnosis): Finding[] {
  for (const check of API_CHECKS) {
    expect(findingOf(diagnosis, check), check).toMatchObject({ status: 'skip', evidence: [expect.stringMatching(/^skipped: no Kubernetes credentials: /)] });
  }
  return diagnosis.findings.filter((finding) => DNS_CHECKS.includes(finding.check));
}
