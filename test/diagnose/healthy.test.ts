/**
 * diagnose() on healthy Services (SRV and A-only), on options it must reject, from a machine
 * that is not a pod, and under an abort signal.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, diagnose } from '../../src/diagnose';
import { InvalidOptionError } from '../../src/errors';
import { API_CHECKS, dnsFindings, fakeCluster, findingOf, podEnvironment, run, statuses, text } from './helpers';

describe('a healthy headless Service', () => {
  it('passes every check for 3 StatefulSet pods behind a named port', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(diagnosis.service).toBe('mysql.default.svc.cluster.local');
    expect(diagnosis.findings.map((finding) => finding.check)).toEqual(CHECK_IDS);
    expect(statuses(diagnosis)).toEqual(Object.fromEntries(CHECK_IDS.map((check) => [check, (API_CHECKS as readonly string[]).includes(check) ? 'skip' : 'pass'])));
    expect(dnsFindings(diagnosis).every((finding) => finding.status === 'pass')).toBe(true);
    expect(diagnosis.ok).toBe(true);
    for (const finding of diagnosis.findings) expect(finding.fix).toEqual([]);

    const addresses = mysql.pods.flatMap((pod) => pod.addresses);
    expect(text(findingOf(diagnosis, 'service-name'))).toContain(`@${cluster.nameserver}`);
    for (const address of addresses) expect(text(findingOf(diagnosis, 'service-name'))).toContain(address);
    const srv = text(findingOf(diagnosis, 'srv'));
    for (const pod of mysql.pods) expect(srv).toContain(`${mysql.podHost(pod.name)}. port 3306`);
    expect(text(findingOf(diagnosis, 'ptr'))).toContain(`${addresses[0]} → ${mysql.podHost('mysql-0')}.`);
    expect(text(findingOf(diagnosis, 'ttl'))).toMatch(/SRV _mysql\._tcp\.mysql\.default\.svc\.cluster\.local\.: TTL 5 s/);
    expect(text(findingOf(diagnosis, 'ttl'))).toContain('negative TTL 5 s');
    expect(text(findingOf(diagnosis, 'self'))).toContain('listed among the SRV targets as mysql-1.mysql.default.svc.cluster.local.');
    expect(text(findingOf(diagnosis, 'ordinals'))).toContain('listed ordinals: 0, 1, 2');
    expect(text(findingOf(diagnosis, 'resolv-conf'))).toContain('namespace: default (from env:POD_NAMESPACE)');
    expect(text(findingOf(diagnosis, 'resolv-conf'))).toContain(`queried nameservers: ${cluster.nameserver} (from the nameservers option)`);
  });

  it('warns only on srv with a numeric port, and names the pods from their PTR records', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ port: 3306 }], replicas: 3 });

    const diagnosis = await run(cluster.nameserver, { port: 3306 });

    expect(statuses(diagnosis)).toMatchObject({ srv: 'warn', 'pod-names': 'pass', ptr: 'pass', self: 'pass', ordinals: 'pass' });
    expect(dnsFindings(diagnosis).filter((finding) => finding.status !== 'pass').map((finding) => finding.check)).toEqual(['srv']);
    expect(diagnosis.ok).toBe(true);
    const srv = findingOf(diagnosis, 'srv');
    expect(srv.evidence.join('\n')).toContain('only A records are used (numeric port): SRV needs a named port');
    expect(srv.fix.join('\n')).toContain("kubectl get svc mysql -n default -o jsonpath='{.spec.ports[*].name}'");
    expect(text(findingOf(diagnosis, 'pod-names'))).toContain('names: the PTR names of the 3 addresses');
    expect(text(findingOf(diagnosis, 'self'))).toContain('listed among the PTR names as mysql-1.mysql.default.svc.cluster.local.');
  });

  it('passes a dual-stack Service: glue, per-pod names and ip6.arpa PTRs of both families agree', async () => {
    const cluster = await fakeCluster();
    const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2, ipFamilies: ['IPv4', 'IPv6'] });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    expect(dnsFindings(diagnosis).filter((finding) => finding.status !== 'pass')).toEqual([]);
    const v6 = mysql.pods[0]?.addresses[1] as string;
    expect(text(findingOf(diagnosis, 'pod-names'))).toContain(`mysql-0.mysql.default.svc.cluster.local. → ${mysql.pods[0]?.addresses.join(', ')}`);
    expect(text(findingOf(diagnosis, 'ptr'))).toContain(`${v6} → mysql-0.mysql.default.svc.cluster.local.`);
  });

  it('fails an IPv6-only Service asked for IPv4 only, pointing at the family option', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', replicas: 2, ipFamilies: ['IPv6'] });

    const finding = findingOf(await run(cluster.nameserver, { family: 4 }), 'service-name');

    expect(finding.status).toBe('fail');
    expect(finding.evidence).toContain('the name exists but has no A record: the pods have IPv6 addresses only?');
    expect(finding.fix[0]).toContain("the family option (6 or 'both')");
  });

  it('skips the self check, never passes it, for a process that is not a StatefulSet pod', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql', statefulSet: 'mysql' }, { environment: podEnvironment({ POD_NAME: 'client-7d9f8-xk2p' }) });

    expect(findingOf(diagnosis, 'self')).toEqual({
      check: 'self',
      title: 'This pod (client-7d9f8-xk2p) is listed',
      status: 'skip',
      evidence: ['skipped: this pod: client-7d9f8-xk2p (from env:POD_NAME) is not named mysql-<n>: not running as a StatefulSet pod, nothing to check'],
      fix: [],
    });
    expect(diagnosis.ok).toBe(true);
  });

  it('skips the self check on a laptop, whose hostname is no pod name', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const laptop = podEnvironment({ POD_NAME: undefined, HOSTNAME: 'vm' });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: laptop });

    expect(findingOf(diagnosis, 'self')).toMatchObject({ title: 'This pod (vm) is listed', status: 'skip' });
    expect(diagnosis.findings.filter((finding) => finding.status === 'pass').map((finding) => finding.check)).not.toContain('self');
  });
});

describe('resolv-conf', () => {
  it('warns when the search list has no <ns>.svc.<zone> entry (not in a pod), naming where each value came from', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const laptop = podEnvironment({ POD_NAME: undefined, POD_NAMESPACE: undefined }, { '/etc/resolv.conf': 'nameserver 192.168.1.1\nsearch home.arpa\n' });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' }, { environment: laptop });

    const finding = findingOf(diagnosis, 'resolv-conf');
    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('search: home.arpa (from file:/etc/resolv.conf)');
    expect(finding.evidence).toContain('namespace: default (from default)');
    expect(finding.evidence).toContain('pod name: laptop (from hostname)');
    expect(finding.evidence.join('\n')).toContain('no search entry default.svc.cluster.local');
    expect(finding.evidence.join('\n')).toContain('ndots is 1 (the glibc default)');
    expect(finding.fix.join('\n')).toContain("kubectl get pod laptop -n default -o jsonpath='{.spec.dnsPolicy} {.spec.dnsConfig}'");
    expect(findingOf(diagnosis, 'service-name').status).toBe('pass');
  });

  it('warns on a custom dnsConfig (ndots:2, another search order)', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const custom = podEnvironment({}, { '/etc/resolv.conf': 'nameserver 10.96.0.10\nsearch my.dns.search.suffix default.svc.cluster.local\noptions ndots:2 edns0\n' });

    const finding = findingOf(await run(cluster.nameserver, { port: 'mysql' }, { environment: custom }), 'resolv-conf');

    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain('options: ndots:2 edns0 (from file:/etc/resolv.conf)');
    expect(finding.evidence.join('\n')).toContain('a custom dnsConfig');
    expect(finding.evidence.join('\n')).toContain('ndots is 2, not 5');
  });
});

describe('inputs', () => {
  it('rejects invalid options with InvalidOptionError before sending any query', async () => {
    const cluster = await fakeCluster();
    let queries = 0;
    cluster.onQuery(() => queries++);

    await expect(run(cluster.nameserver, { service: 'Not_A_Label' })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(run(cluster.nameserver, { port: 'way-too-long-port-name' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'port' });
    await expect(diagnose({ service: 'mysql', nameservers: ['not-an-ip'] }, { environment: podEnvironment() })).rejects.toMatchObject({
      option: 'nameservers[0]',
    });
    expect(queries).toBe(0);
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', replicas: 1 });
    cluster.outage('drop');
    const controller = new AbortController();
    const reason = new Error('stop');
    cluster.onQuery(() => controller.abort(reason));

    await expect(
      run(cluster.nameserver, { dnsTimeoutMs: 10_000 }, { environment: podEnvironment(), signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
