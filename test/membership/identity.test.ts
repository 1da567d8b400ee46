import { describe, expect, it } from 'vitest';
import {
  dashedName,
  deriveStatefulSet,
  isDashedAddressName,
  parseOrdinal,
  predictedHost,
  toPeers,
  type MembershipContext,
} from '../../src/membership/identity';
import type { ObservedEndpoint, SuccessfulObservation } from '../../src/sources/observation';

const context: MembershipContext = {
  statefulSet: 'mysql',
  ordinalStart: 0,
  podName: 'mysql-1',
  serviceDomain: 'mysql.default.svc.cluster.local',
};

function observe(endpoints: ObservedEndpoint[]): SuccessfulObservation {
  return { ok: true, source: 'srv', endpoints, ttl: 5, queries: 1 };
}

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

describe('names', () => {
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

describe('toPeers', () => {
  it('names StatefulSet pods, parses ordinals, flags self, sorts by ordinal', () => {
    const peers = toPeers(
      observe([
        { host: 'mysql-10.mysql.default.svc.cluster.local', addresses: ['10.0.0.10'], port: 3306 },
        { host: 'mysql-2.mysql.default.svc.cluster.local', addresses: ['10.0.0.2'], port: 3306 },
        { host: 'mysql-1.mysql.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 3306 },
      ]),
      context,
    );
    expect(peers.map((peer) => [peer.name, peer.ordinal, peer.self])).toEqual([
      ['mysql-1', 1, true],
      ['mysql-2', 2, false],
      ['mysql-10', 10, false],
    ]);
    expect(peers[0]).toMatchObject({ host: 'mysql-1.mysql.default.svc.cluster.local', port: 3306, ready: true, sources: ['srv'] });
  });

  it('leaves out pods of another StatefulSet under the same Service', () => {
    const peers = toPeers(
      observe([
        { host: 'mysql-0.mysql.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 1 },
        { host: 'backup-0.mysql.default.svc.cluster.local', addresses: ['10.0.0.2'], port: 1 },
      ]),
      context,
    );
    expect(peers.map((peer) => peer.name)).toEqual(['mysql-0']);
  });

  it('keeps hostname-less endpoints (dashed IP names) and other names without an ordinal, after the ordinals', () => {
    const peers = toPeers(
      observe([
        { host: '10-244-1-8.mysql.default.svc.cluster.local', addresses: ['10.244.1.8'], port: 1 },
        { host: 'mysql-0.mysql.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 1 },
        { host: 'ab12cd34.mysql.default.svc.cluster.local', addresses: ['10.0.0.3'], port: 1 },
      ]),
      context,
    );
    expect(peers.map((peer) => [peer.name, peer.ordinal])).toEqual([
      ['mysql-0', 0],
      ['10-244-1-8', null],
      ['ab12cd34', null],
    ]);
  });

  it('keys endpoints without a name by address', () => {
    const peers = toPeers(observe([{ host: null, addresses: ['fd00::2', '10.0.0.9'], port: null }]), context);
    expect(peers).toEqual([
      { name: '10.0.0.9', ordinal: null, host: null, addresses: ['10.0.0.9', 'fd00::2'], port: null, ready: true, self: false, sources: ['srv'] },
    ]);
  });

  it('merges the endpoints of one pod (dual stack) into one peer with sorted addresses', () => {
    const peers = toPeers(
      observe([
        { host: 'mysql-0.mysql.default.svc.cluster.local', addresses: ['fd00::1'], port: 3306 },
        { host: 'mysql-0.mysql.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 3306 },
      ]),
      context,
    );
    expect(peers).toHaveLength(1);
    expect(peers[0]?.addresses).toEqual(['10.0.0.1', 'fd00::1']);
  });

  it('compares names case-insensitively', () => {
    const peers = toPeers(observe([{ host: 'MySQL-3.mysql.default.svc.cluster.local', addresses: ['10.0.0.3'], port: 1 }]), context);
    expect(peers.map((peer) => [peer.name, peer.ordinal])).toEqual([['mysql-3', 3]]);
  });
});
