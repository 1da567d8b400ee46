/**
 * Failures of the Service name: missing Service, no ready pods, a DNS outage. The failure
 * carries the fix; the checks that need addresses are skipped, not failed again.
 */
import { describe, expect, it } from 'vitest';
import { fakeCluster, findingOf, run, statuses, text } from './helpers';

const SKIPPED = { srv: 'skip', 'pod-names': 'skip', ptr: 'skip', self: 'skip', ordinals: 'skip' };

describe('service-name', () => {
  it('fails a missing Service with NXDOMAIN and the endpointslices hint, and skips what depends on it', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'postgres', ports: [{ name: 'pg', port: 5432 }], replicas: 1 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(diagnosis.ok).toBe(false);
    expect(statuses(diagnosis)).toMatchObject({ 'resolv-conf': 'pass', 'service-name': 'fail', truncation: 'pass', ttl: 'pass', ...SKIPPED });
    const finding = findingOf(diagnosis, 'service-name');
    expect(finding.evidence).toContain(`A mysql.default.svc.cluster.local. @${cluster.nameserver} → NXDOMAIN, negative TTL 5 s`);
    expect(finding.evidence).toContain('NXDOMAIN: no ready endpoints, or a wrong name or selector');
    expect(finding.fix).toEqual(
      expect.arrayContaining([
        expect.stringContaining('kubectl get svc mysql -n default -o yaml'),
        expect.stringContaining('kubectl get endpointslices -n default -l kubernetes.io/service-name=mysql'),
        expect.stringContaining('kubectl get pods -n default -l <selector from the Service> -o wide'),
        expect.stringContaining('publishNotReadyAddresses: true'),
      ]),
    );
    for (const check of ['srv', 'pod-names', 'ptr', 'self', 'ordinals'] as const) {
      expect(findingOf(diagnosis, check)).toMatchObject({ evidence: ['skipped: the Service name has no addresses (see service-name)'], fix: [] });
    }
    expect(text(findingOf(diagnosis, 'ttl'))).toContain('A mysql.default.svc.cluster.local. (NXDOMAIN): negative TTL 5 s (SOA)');
  });

  it('fails a Service with no ready pods with the readiness / publishNotReadyAddresses hint', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    for (const pod of mysql.pods) mysql.setReady(pod.name, false);

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    const finding = findingOf(diagnosis, 'service-name');
    expect(finding.status).toBe('fail');
    expect(finding.fix.join('\n')).toMatch(/Kubernetes DNS lists only ready pods: .*set publishNotReadyAddresses: true on the headless Service/);
    expect(finding.fix.join('\n')).toContain('are the selected pods Running and Ready?');
    expect(finding.fix.join('\n')).toContain('may cache this NXDOMAIN for up to 5 s');
    expect(diagnosis.ok).toBe(false);
  });

  it('passes once publishNotReadyAddresses lists the same unready pods', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3, publishNotReadyAddresses: true });
    for (const pod of mysql.pods) mysql.setReady(pod.name, false);

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(findingOf(diagnosis, 'service-name').status).toBe('pass');
    expect(diagnosis.ok).toBe(true);
  });

  it('fails a SERVFAIL outage naming SERVFAIL and the server, with the kube-dns hints', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    cluster.outage('servfail');

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(diagnosis.ok).toBe(false);
    const finding = findingOf(diagnosis, 'service-name');
    expect(finding.status).toBe('fail');
    expect(finding.evidence).toContain(`A mysql.default.svc.cluster.local. @${cluster.nameserver} → SERVFAIL (RCODE 2)`);
    expect(finding.fix[0]).toContain(`${cluster.nameserver} answered SERVFAIL`);
    expect(finding.fix).toContain('kubectl -n kube-system get svc kube-dns -o wide');
    expect(finding.fix).toContain(`dig @127.0.0.1 -p ${cluster.port} mysql.default.svc.cluster.local. A`);
    expect(statuses(diagnosis)).toMatchObject({ truncation: 'skip', ttl: 'skip', ...SKIPPED });
    expect(findingOf(diagnosis, 'srv').evidence).toEqual(['skipped: DNS lookups fail (see service-name)']);
    expect(findingOf(diagnosis, 'ttl').evidence[0]).toMatch(/^skipped: /);
  });

  it('fails an unreachable DNS (dropped queries) with a timeout and the network-policy hint', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', replicas: 1 });
    cluster.outage('drop');

    const diagnosis = await run(cluster.nameserver, { dnsTimeoutMs: 100 });

    const finding = findingOf(diagnosis, 'service-name');
    expect(finding.status).toBe('fail');
    expect(finding.evidence.join('\n')).toContain('no answer: timed out (1 query sent)');
    expect(finding.fix[0]).toContain(`could not reach the cluster DNS at ${cluster.nameserver}`);
    expect(finding.fix.join('\n')).toContain('kubectl get networkpolicy -n default');
  });

  it('fails a REFUSED answer saying the server does not serve the zone', async () => {
    const cluster = await fakeCluster();
    cluster.outage('refused');

    const finding = findingOf(await run(cluster.nameserver), 'service-name');

    expect(finding.evidence.join('\n')).toContain('REFUSED (RCODE 5)');
    expect(finding.fix[0]).toContain('does not serve cluster.local');
  });
});
