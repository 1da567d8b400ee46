/**
 * Pure naming: pod name ⇄ ordinal ⇄ DNS name, and the RFC 1123 label rules.
 */
import { describe, expect, it } from 'vitest';
import { dashedName, deriveStatefulSet, firstLabel, hasOrdinalSuffix, isDashedAddressName, isDnsLabel, isDnsSubdomain, isPodHost, parseOrdinal, predictedHost } from '../src/names';

describe('parseOrdinal', () => {
  it.each([
    ['mysql-0', 0],
    ['mysql-1', 1],
    ['mysql-10', 10],
    ['mysql-2147483647', 2_147_483_647],
  ])('%s is ordinal %i', (name, ordinal) => {
    expect(parseOrdinal(name, 'mysql')).toBe(ordinal);
  });

  it.each(['mysql-01', 'mysql--1', 'mysql-x', 'mysql-', 'mysql', 'other-1', 'mysql-1a', 'mysql-2147483648', 'my-mysql-1', 'mysql-+1', 'mysql-1.5'])(
    '%s is not an ordinal of mysql',
    (name) => {
      expect(parseOrdinal(name, 'mysql')).toBeNull();
    },
  );

  it('handles StatefulSet names with dashes', () => {
    expect(parseOrdinal('my-db-3', 'my-db')).toBe(3);
    expect(parseOrdinal('my-db-3', 'my')).toBeNull();
  });
});

describe('deriveStatefulSet', () => {
  it.each([
    ['mysql-2', 'mysql'],
    ['my-db-0', 'my-db'],
    ['web-7d9f8-xk2p', undefined],
    ['laptop', undefined],
    ['mysql-01', undefined],
    ['mysql--1', undefined],
  ])('%s → %s', (pod, sts) => {
    expect(deriveStatefulSet(pod)).toBe(sts);
  });
});

describe('predicted and dashed names', () => {
  it('predicts a pod host', () => {
    expect(predictedHost('pg', 10, 'db.prod.svc.kube.example')).toBe('pg-10.db.prod.svc.kube.example');
  });

  it.each([
    ['10.244.1.5', '10-244-1-5'],
    ['5678:abcd::1', '5678-abcd--1'],
    ['2001:db8::', '2001-db8--0'],
  ])('dashes %s as CoreDNS does: %s', (address, dashed) => {
    expect(dashedName(address)).toBe(dashed);
    expect(isDashedAddressName(dashed, ['192.0.2.1', address])).toBe(true);
  });
});

describe('labels', () => {
  it.each(['a', 'mysql', 'my-db-0', '0', 'a'.repeat(63)])('%s is an RFC 1123 label', (label) => {
    expect(isDnsLabel(label)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'A', 'my_db', 'a.b', 'a'.repeat(64)])('%j is not', (label) => {
    expect(isDnsLabel(label)).toBe(false);
  });

  it('checks every label of a subdomain, and its length', () => {
    expect(isDnsSubdomain('mysql.default.svc.cluster.local')).toBe(true);
    expect(isDnsSubdomain('mysql..local')).toBe(false);
    expect(isDnsSubdomain('mysql.local.')).toBe(false);
    expect(isDnsSubdomain(`${'a'.repeat(63)}.`.repeat(4).slice(0, 254))).toBe(false);
  });

  it('takes the first label of a name, absolute or not', () => {
    expect(firstLabel('mysql-1.mysql.default.svc.cluster.local.')).toBe('mysql-1');
    expect(firstLabel('mysql-1')).toBe('mysql-1');
  });

  it('tells names with an ordinal suffix apart, whatever their prefix', () => {
    expect(hasOrdinalSuffix('other-3')).toBe(true);
    expect(hasOrdinalSuffix('other-03')).toBe(false);
    expect(hasOrdinalSuffix('laptop')).toBe(false);
  });
});

describe('isPodHost', () => {
  const domain = 'mysql.default.svc.cluster.local';

  it.each(['mysql-0.mysql.default.svc.cluster.local', 'MYSQL-1.mysql.default.svc.cluster.local.', '10-244-0-2.mysql.default.svc.cluster.local', '2001-db8--0.mysql.default.svc.cluster.local'])(
    '%s is a pod of the Service',
    (host) => {
      expect(isPodHost(host, domain)).toBe(true);
    },
  );

  it.each([
    'mysql.default.svc.cluster.local',
    'mysql-1.other.default.svc.cluster.local',
    'a.mysql-1.mysql.default.svc.cluster.local',
    'mysql-1.example.com',
    '\u00e0\ufffdsql-0.mysql.default.svc.cluster.local',
    'my_sql-0.mysql.default.svc.cluster.local',
    '-mysql-0.mysql.default.svc.cluster.local',
    `${'a'.repeat(64)}.mysql.default.svc.cluster.local`,
  ])('%s is not', (host) => {
    expect(isPodHost(host, domain)).toBe(false);
  });
});
