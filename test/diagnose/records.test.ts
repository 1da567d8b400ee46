/**
 * ttl, ptr and pod-names against DNS the fake cluster does not serve: long TTLs, no reverse
 * zones, PTRs and glue that disagree with the forward records (a raw server answers every
 * query from a small table).
 */
import { describe, expect, it } from 'vitest';
import { response, type ReceivedQuery, type RecordSpec } from '../helpers/raw-dns-server';
import { dnsFindings, fakeCluster, findingOf, rawServer, run, statuses } from './helpers';

const ZONE = 'mysql.default.svc.cluster.local';
const SRV = `_mysql._tcp.${ZONE}`;
const SOA: RecordSpec = { type: 'SOA', name: 'cluster.local', minimum: 5 };

interface Table {
  readonly ptr?: Record<string, string>;
  readonly glue?: Record<string, string>;
}

/** A two-pod Service: mysql-0 at 10.244.0.1, mysql-1 at 10.244.0.2; PTRs and glue from `table`. */
function answer(table: Table): (query: ReceivedQuery) => Buffer {
  const pods: Record<string, string> = { [`mysql-0.${ZONE}`]: '10.244.0.1', [`mysql-1.${ZONE}`]: '10.244.0.2' };
  return (query) => {
    const name = query.name.toLowerCase().replace(/\.$/, '');
    const empty = (rcode: number): Buffer => response(query, { rcode, authorities: [SOA] });
    if (query.type === 1 && name === ZONE) return response(query, { answers: Object.values(pods).map((address) => ({ type: 'A', name: ZONE, address })) });
    if (query.type === 1 && pods[name] !== undefined) return response(query, { answers: [{ type: 'A', name, address: pods[name] }] });
    if (query.type === 33 && name === SRV) {
      const glue = table.glue ?? pods;
      return response(query, {
        answers: Object.keys(pods).map((target) => ({ type: 'SRV', name: SRV, target, port: 3306 })),
        additionals: Object.entries(glue).map(([target, address]) => ({ type: 'A', name: target, address })),
      });
    }
    if (query.type === 12) {
      const target = table.ptr?.[name];
      return target === undefined ? empty(3) : response(query, { answers: [{ type: 'PTR', name, domain: target }] });
    }
    if (name === ZONE || pods[name] !== undefined || name === SRV) return empty(0);
    return empty(3);
  };
}

const PTRS = { '1.0.244.10.in-addr.arpa': `mysql-0.${ZONE}`, '2.0.244.10.in-addr.arpa': `mysql-1.${ZONE}` };

describe('ttl', () => {
  it('warns on TTLs above 30 s and names the caching layers', async () => {
    const cluster = await fakeCluster({ ttl: 60 });
    cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });

    const diagnosis = await run(cluster.nameserver, { port: 'mysql' });

    const ttl = findingOf(diagnosis, 'ttl');
    expect(ttl.status).toBe('warn');
    expect(ttl.evidence).toContain(`A ${ZONE}.: TTL 60 s`);
    expect(ttl.evidence).toContain(`AAAA ${ZONE}. (NODATA): negative TTL 60 s (SOA)`);
    expect(ttl.evidence.join('\n')).toContain('a TTL of 60 s: changes (a pod joining, leaving or getting a new address) can show 60 s late');
    expect(ttl.fix.join('\n')).toContain('NodeLocal DNSCache (169.254.20.10)');
    expect(ttl.fix.join('\n')).toContain('"cache" plugin');
    expect(ttl.fix.join('\n')).toContain('kubectl -n kube-system get configmap coredns -o yaml');
    expect(diagnosis.ok).toBe(true);
  });
});

describe('ptr', () => {
  it('passes with PTRs that name the SRV targets', async () => {
    const dns = await rawServer(answer({ ptr: PTRS }));

    const diagnosis = await run(dns.nameserver, { port: 'mysql' });

    expect(dnsFindings(diagnosis).filter((finding) => finding.status !== 'pass')).toEqual([]);
  });

  it('warns when the DNS has no reverse zones, pointing at the Corefile', async () => {
    const dns = await rawServer(answer({}));

    const diagnosis = await run(dns.nameserver, { port: 'mysql' });

    const ptr = findingOf(diagnosis, 'ptr');
    expect(ptr.status).toBe('warn');
    expect(ptr.evidence).toContain('  10.244.0.1 → NXDOMAIN, negative TTL 5 s');
    expect(ptr.evidence).toContain('2 addresses without a PTR record');
    expect(ptr.fix[0]).toContain('"kubernetes cluster.local in-addr.arpa ip6.arpa"');
    expect(ptr.fix).toContain(`dig @127.0.0.1 -p ${dns.port} -x 10.244.0.1`);
    expect(statuses(diagnosis)).toMatchObject({ 'pod-names': 'pass', self: 'pass', ordinals: 'pass' });
  });

  it('warns when a PTR names another pod than the one the address belongs to', async () => {
    const dns = await rawServer(answer({ ptr: { ...PTRS, '2.0.244.10.in-addr.arpa': `mysql-0.${ZONE}` } }));

    const ptr = findingOf(await run(dns.nameserver, { port: 'mysql' }), 'ptr');

    expect(ptr.status).toBe('warn');
    expect(ptr.evidence).toContain(`  10.244.0.2 → mysql-0.${ZONE}. (expected mysql-1.${ZONE}.)`);
    expect(ptr.evidence).toContain('1 address whose PTR names another host');
  });

  it('leaves A-only discovery without per-pod names when there are no PTRs', async () => {
    const dns = await rawServer(answer({}));

    const diagnosis = await run(dns.nameserver, { port: 3306 });

    expect(findingOf(diagnosis, 'pod-names')).toMatchObject({ status: 'warn' });
    expect(findingOf(diagnosis, 'pod-names').evidence).toContain('no per-pod name found: peers are known by address only');
    expect(findingOf(diagnosis, 'ptr').fix.join('\n')).toContain('known by address only: a named port (SRV) names them');
    expect(findingOf(diagnosis, 'ordinals').evidence).toContain('per-pod names unknown (see pod-names): only the seed was looked up');
    expect(findingOf(diagnosis, 'ordinals').status).toBe('pass');
  });
});

describe('pod-names', () => {
  it('warns when an SRV target resolves to another address than its glue', async () => {
    const dns = await rawServer(answer({ ptr: PTRS, glue: { [`mysql-0.${ZONE}`]: '10.244.0.1', [`mysql-1.${ZONE}`]: '10.244.0.9' } }));

    const names = findingOf(await run(dns.nameserver, { port: 'mysql' }), 'pod-names');

    expect(names.status).toBe('warn');
    expect(names.evidence).toContain(`mysql-1.${ZONE}.: resolves to 10.244.0.2, but the SRV glue says 10.244.0.9`);
    expect(names.fix[0]).toMatch(/^re-run: a pod that restarted/);
  });
});
