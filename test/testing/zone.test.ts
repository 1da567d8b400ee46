import { describe, expect, it } from 'vitest';
import { answerQuestion, type ZoneService, type ZoneState } from '../../src/testing/zone';

const service = (overrides: Partial<ZoneService> = {}): ZoneService => ({
  name: 'web',
  namespace: 'default',
  ports: [{ name: 'peer', port: 7000 }],
  publishNotReadyAddresses: false,
  hostnames: true,
  pods: [
    { name: 'web-0', ordinal: 0, addresses: ['10.244.1.5'], ready: true },
    { name: 'web-1', ordinal: 1, addresses: ['10.244.2.6'], ready: true },
    { name: 'web-2', ordinal: 2, addresses: ['10.244.3.7'], ready: true },
  ],
  ...overrides,
});
const zone = (services: ZoneService[], clusterDomain = 'cluster.local'): ZoneState => ({ clusterDomain, ttl: 30, serial: 42, services });

describe('answerQuestion (CoreDNS rules)', () => {
  it('SRV: priority 0, weight floor(100/N), targets by hostname, glue in additional', () => {
    const answer = answerQuestion(zone([service()]), '_peer._tcp.web.default.svc.cluster.local.', 'SRV');
    expect(answer.rcode).toBe(0);
    expect(answer.answers.map((record) => record.type === 'SRV' && [record.priority, record.weight, record.port, record.target])).toEqual([
      [0, 33, 7000, 'web-0.web.default.svc.cluster.local.'],
      [0, 33, 7000, 'web-1.web.default.svc.cluster.local.'],
      [0, 33, 7000, 'web-2.web.default.svc.cluster.local.'],
    ]);
    expect(answer.additionals.map((record) => record.type === 'A' && [record.name, record.address])).toEqual([
      ['web-0.web.default.svc.cluster.local.', '10.244.1.5'],
      ['web-1.web.default.svc.cluster.local.', '10.244.2.6'],
      ['web-2.web.default.svc.cluster.local.', '10.244.3.7'],
    ]);
  });

  it('a dual-stack pod counts twice in the weight and gets both glue records', () => {
    const dual = service({
      pods: [0, 1, 2].map((i) => ({ name: `web-${i}`, ordinal: i, addresses: [`10.0.0.${i}`, `fd00::${i}`], ready: true })),
    });
    const answer = answerQuestion(zone([dual]), '_peer._tcp.web.default.svc.cluster.local', 'SRV');
    expect(answer.answers).toHaveLength(3);
    expect(answer.answers.every((record) => record.type === 'SRV' && record.weight === 16)).toBe(true);
    expect(answer.additionals.map((record) => record.type)).toEqual(['A', 'AAAA', 'A', 'AAAA', 'A', 'AAAA']);
  });

  it('the bare service name answers SRV for every port, and names are case-insensitive', () => {
    const answer = answerQuestion(zone([service({ ports: [{ name: 'peer', port: 7000 }, { port: 8080 }] })]), 'WEB.default.svc.cluster.local', 'SRV');
    expect(answer.answers.map((record) => record.type === 'SRV' && record.port)).toEqual([7000, 7000, 7000, 8080, 8080, 8080]);
  });

  it('NXDOMAIN with an SOA when no pod is ready; NODATA with an SOA for another type', () => {
    const down = answerQuestion(zone([service({ pods: service().pods.map((pod) => ({ ...pod, ready: false })) })]), 'web.default.svc.cluster.local', 'A');
    expect(down.rcode).toBe(3);
    expect(down.authorities).toMatchObject([{ type: 'SOA', name: 'cluster.local.', ttl: 30, mname: 'ns.dns.cluster.local.', serial: 42, minimum: 30 }]);
    const nodata = answerQuestion(zone([service()]), 'web.default.svc.cluster.local', 'AAAA');
    expect(nodata.rcode).toBe(0);
    expect(nodata.answers).toEqual([]);
    expect(nodata.authorities).toHaveLength(1);
  });

  it.each([
    ['_peer._udp.web.default.svc.cluster.local', 'SRV', 3],
    ['_other._tcp.web.default.svc.cluster.local', 'SRV', 3],
    ['10-244-1-5.web.default.svc.cluster.local', 'A', 3],
    ['web-9.web.default.svc.cluster.local', 'A', 3],
    ['svc.cluster.local', 'A', 0],
    ['default.svc.cluster.local', 'A', 0],
    ['too.long.web-0.web.default.svc.cluster.local', 'A', 3],
    ['example.com', 'A', 5],
  ])('%s %s → RCODE %i', (name, type, rcode) => {
    expect(answerQuestion(zone([service()]), name, type).rcode).toBe(rcode);
  });

  it('honours another zone, ordinals from 10, hostname-less endpoints and PTR', () => {
    const state = zone(
      [
        service({ pods: [{ name: 'web-10', ordinal: 10, addresses: ['10.0.0.10'], ready: true }] }),
        service({ name: 'peers', hostnames: false, pods: [{ name: 'x', ordinal: 0, addresses: ['2001:db8::'], ready: true }] }),
      ],
      'kube.example',
    );
    expect(answerQuestion(state, 'web-10.web.default.svc.kube.example', 'A').answers).toHaveLength(1);
    expect(answerQuestion(state, '2001-db8--0.peers.default.svc.kube.example', 'AAAA').answers).toHaveLength(1);
    expect(answerQuestion(state, '10.0.0.10.in-addr.arpa', 'PTR').answers).toMatchObject([{ target: 'web-10.web.default.svc.kube.example.' }]);
  });
});
