import { describe, expect, it } from 'vitest';
import { applyResolverEnv, parseResolvConf } from '../../src/config/resolv-conf';

describe('parseResolvConf', () => {
  it('reads the file the kubelet writes for a ClusterFirst pod', () => {
    const conf = parseResolvConf(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    expect(conf).toEqual({
      nameservers: [{ address: '10.96.0.10', port: 53, family: 4 }],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: { ndots: 5 },
    });
  });

  it('keeps nameservers in order, IPv6 ones too (zone ids dropped), and skips what it cannot parse', () => {
    const conf = parseResolvConf('nameserver fd00::a\nnameserver fe80::1%eth0\nnameserver not-an-ip\nnameserver 10.0.0.2\n');
    expect(conf.nameservers.map((server) => server.address)).toEqual(['fd00::a', 'fe80::1', '10.0.0.2']);
  });

  it('ignores comments and lets the last of search and domain win', () => {
    expect(parseResolvConf('# comment\n; comment\nsearch a.example b.example\ndomain c.example\n').search).toEqual(['c.example']);
    expect(parseResolvConf('domain c.example\nsearch a.example. b.example\n').search).toEqual(['a.example', 'b.example']);
  });

  it('reads timeout, attempts and flags, with glibc caps', () => {
    expect(parseResolvConf('options timeout:2 attempts:3 rotate edns0 use-vc').options).toEqual({
      timeoutMs: 2000,
      attempts: 3,
      rotate: true,
      edns0: true,
      useVc: true,
    });
    expect(parseResolvConf('options timeout:99 attempts:9 ndots:40').options).toEqual({ timeoutMs: 30_000, attempts: 5, ndots: 15 });
    expect(parseResolvConf('options timeout:x attempts:0').options).toEqual({});
  });
});

describe('applyResolverEnv', () => {
  const conf = parseResolvConf('search a.example\nnameserver 10.0.0.1\noptions timeout:1');

  it('replaces the search list with LOCALDOMAIN and adds RES_OPTIONS', () => {
    expect(applyResolverEnv(conf, { LOCALDOMAIN: 'x.example y.example', RES_OPTIONS: 'attempts:4' })).toEqual({
      nameservers: conf.nameservers,
      search: ['x.example', 'y.example'],
      options: { timeoutMs: 1000, attempts: 4 },
    });
  });

  it('changes nothing without them', () => {
    expect(applyResolverEnv(conf, {})).toEqual(conf);
  });
});
