/**
 * SRV and per-pod names: an unnamed port asked by name, a numeric port, a wrong protocol, and
 * pods without hostnames (named by their dashed address).
 */
import { describe, expect, it } from 'vitest';
import { fakeCluster, findingOf, podEnvironment, run, statuses } from './helpers';

describe('srv', () => {
  it('fails --port mysql on a Service whose port has no name, with the "only named ports" hint', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ port: 3306 }], replicas: 3 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(diagnosis.ok).toBe(false);
    const srv = findingOf(diagnosis, 'srv');
    expect(srv.status).toBe('fail');
    expect(srv.evidence[0]).toBe(`SRV _mysql._tcp.mysql.default.svc.cluster.local. @${cluster.nameserver} → NXDOMAIN, negative TTL 5 s`);
    expect(srv.evidence).toContain('the Service name has 3 addresses, but no SRV for port "mysql"/tcp');
    expect(srv.evidence.join('\n')).toMatch(/SRV mysql\.default\.svc\.cluster\.local\. .* every port, named or not\): port 3306/);
    expect(srv.fix[0]).toBe(
      "only named ports have SRV records: the port is unnamed or named differently; list the names: kubectl get svc mysql -n default -o jsonpath='{.spec.ports[*].name}'",
    );
    expect(statuses(diagnosis)).toMatchObject({ 'service-name': 'pass', 'pod-names': 'pass', ptr: 'pass', self: 'pass', ordinals: 'pass' });
  });

  it('fails a named port asked with the wrong protocol, pointing at --protocol', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'gossip', port: 7946, protocol: 'udp' }], replicas: 2 });

    const srv = findingOf(await run(cluster.nameserver, { port: 'gossip' }), 'srv');

    expect(srv.status).toBe('fail');
    expect(srv.fix.join('\n')).toContain('the protocol must match too (_tcp; --protocol udp for a UDP port)');
  });

  it('warns with no port at all: only A records are used', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', replicas: 2 });

    const diagnosis = await run(cluster.nameserver);

    expect(findingOf(diagnosis, 'srv')).toMatchObject({ status: 'warn', evidence: ['only A records are used (no port): SRV needs a named port (no port given)'] });
    expect(diagnosis.ok).toBe(true);
  });
});

describe('pod-names', () => {
  it('warns when SRV targets are dashed addresses: pods without hostname/subdomain', async () => {
    const cluster = await fakeCluster();
    const web = cluster.defineService({ name: 'web', ports: [{ name: 'http', port: 80 }], replicas: 2, hostnames: false });
    const dashed = web.pods.map((pod) => `${(pod.addresses[0] as string).replaceAll('.', '-')}.web.default.svc.cluster.local.`);

    const diagnosis = await run(cluster.nameserver, { service: 'web', port: 'http' }, { environment: podEnvironment({ POD_NAME: 'web-7d9f8-xk2p' }) });

    const finding = findingOf(diagnosis, 'pod-names');
    expect(finding.status).toBe('warn');
    for (const name of dashed) expect(finding.evidence.join('\n')).toContain(`${name} → `);
    expect(finding.evidence.join('\n')).toContain('[named by address]');
    expect(finding.fix[0]).toContain('the pod address with dashes: those pods have no hostname/subdomain');
    expect(finding.fix[0]).toContain('serviceName is not "web"');
    expect(finding.fix).toContain('kubectl get statefulset -n default -o custom-columns=NAME:.metadata.name,SERVICE:.spec.serviceName');
    expect(findingOf(diagnosis, 'ordinals')).toMatchObject({
      status: 'skip',
      evidence: ['skipped: every endpoint is named by its address: no pod has a hostname, so there are no ordinals (see pod-names)'],
    });
    expect(diagnosis.ok).toBe(true);
  });
});
