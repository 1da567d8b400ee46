import { describe, expect, it } from 'vitest';
import { toPeers, type MembershipContext } from '../../src/membership/identity';
import type { ObservedEndpoint, SuccessfulObservation } from '../../src/membership/observation';

const context: MembershipContext = {
  statefulSet: 'mysql',
  ordinalStart: 0,
  podName: 'mysql-1',
  serviceDomain: 'mysql.default.svc.cluster.local',
};

function observe(endpoints: ObservedEndpoint[]): SuccessfulObservation {
  return { ok: true, source: 'srv', endpoints, queries: 1 };
}

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
      { name: '10.0.0.9', ordinal: null, host: null, addresses: ['10.0.0.9', 'fd00::2'], port: null, ready: true, draining: false, uid: null, nodeName: null, zone: null, self: false, sources: ['srv'] },
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
