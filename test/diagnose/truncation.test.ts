/**
 * Truncation: a Service too large for a UDP reply (the fake cluster truncates at 512 bytes and
 * TCP works), and a raw server whose UDP replies are truncated while its TCP side is dead.
 */
import { describe, expect, it } from 'vitest';
import { response } from '../helpers/raw-dns-server';
import { dnsFindings, fakeCluster, findingOf, rawServer, run, statuses } from './helpers';

describe('truncation', () => {
  it('warns when 40 SRV targets do not fit in UDP (1232 bytes) and TCP worked, and every other check passes', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 40 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    const finding = findingOf(diagnosis, 'truncation');
    expect(finding.status).toBe('warn');
    expect(finding.evidence).toContain(
      'SRV _mysql._tcp.mysql.default.svc.cluster.local.: 40 records exceed the UDP size: the UDP reply was truncated (TC=1) and the full answer came over TCP',
    );
    expect(finding.evidence).toHaveLength(1);
    expect(finding.fix.join('\n')).toContain('musl before 1.2.4');
    expect(cluster.stats.truncated).toBeGreaterThan(0);
    expect(dnsFindings(diagnosis).filter((other) => other.status !== 'pass').map((other) => other.check)).toEqual(['truncation']);
    expect(findingOf(diagnosis, 'ordinals').evidence).toContain(`listed ordinals: ${Array.from({ length: 40 }, (_, i) => i).join(', ')}`);
    expect(diagnosis.ok).toBe(true);
  });

  it('fails when the UDP reply is truncated (TC=1) and the TCP retry fails', async () => {
    const dns = await rawServer((query) =>
      query.transport === 'udp' ? response(query, { truncated: true, answers: query.type === 1 ? [{ type: 'A', name: query.name, address: '10.244.0.1' }] : [] }) : 'reset',
    );

    const diagnosis = await run(dns.nameserver, { family: 4 });

    expect(diagnosis.ok).toBe(false);
    expect(statuses(diagnosis)).toMatchObject({ 'service-name': 'fail', truncation: 'fail' });
    const truncation = findingOf(diagnosis, 'truncation');
    expect(truncation.evidence[0]).toMatch(
      new RegExp(`^A mysql\\.default\\.svc\\.cluster\\.local\\.: the UDP reply from ${dns.nameserver} was truncated \\(TC=1\\), and the TCP retry failed \\(${dns.nameserver} over TCP: `),
    );
    expect(truncation.fix[0]).toContain('allow TCP port 53 to the cluster DNS');
    expect(truncation.fix.join('\n')).toContain(`does TCP answer? dig @127.0.0.1 -p ${dns.port} +tcp mysql.default.svc.cluster.local. A`);
    expect(findingOf(diagnosis, 'service-name').evidence).toContain('the UDP reply was truncated (TC=1) and the TCP retry failed: see the truncation finding');
    expect(dns.queries.map((query) => query.transport)).toEqual(['udp', 'tcp']);
  });

  it('passes with a note when every answer fits in one UDP reply', async () => {
    const cluster = await fakeCluster();
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 6 });

    const finding = findingOf(await run(cluster.nameserver, { port: 'mysql' }), 'truncation');

    expect(finding.status).toBe('pass');
    expect(finding.evidence[0]).toBe('SRV _mysql._tcp.mysql.default.svc.cluster.local. → 6 records: one UDP reply (no TC)');
    expect(cluster.stats.truncated).toBe(0);
  });
});
