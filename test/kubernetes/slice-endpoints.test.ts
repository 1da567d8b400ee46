/**
 * From EndpointSlices to observed endpoints (pure): the checks of an object, the mapping of each
 * endpoint (pod name, host, addresses by family, the named port, conditions, UID, placement),
 * the merge of every slice with duplicates kept once (the copy written last), and bad input
 * kept out without losing the last good copy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEndpointSlice, type EndpointSlice } from '../../src/kubernetes/endpoint-slice';
import type { SliceMapping } from '../../src/kubernetes/settings';
import { mapSlice, mergeSlices } from '../../src/kubernetes/slice-endpoints';
import { SliceStore } from '../../src/kubernetes/slice-store';
import { endpointSlice, podEndpoint } from '../helpers/k8s-objects';

const MAPPING: SliceMapping = { service: 'web', serviceDomain: 'web.default.svc.cluster.local', portName: 'peer', protocol: 'tcp', port: null, family: 'both' };

function read(object: Record<string, unknown>): EndpointSlice {
  const result = readEndpointSlice(object, 'web');
  if (!result.ok) throw new Error(result.problem.message);
  return result.slice;
}

const mapped = (object: Record<string, unknown>, mapping: SliceMapping = MAPPING) => mapSlice(read(object), mapping).endpoints.map((entry) => entry.endpoint);

describe('readEndpointSlice', () => {
  it('accepts a slice of the Service, with or without kind and apiVersion (list items may omit them), endpoints and ports', () => {
    const { kind: _kind, apiVersion: _apiVersion, ...bare } = endpointSlice('web-abc', 'web', []);
    expect(readEndpointSlice(bare, 'web').ok).toBe(true);
    expect(readEndpointSlice({ ...bare, endpoints: null, ports: undefined }, 'web')).toMatchObject({ ok: true, slice: { endpoints: [], ports: [] } });
  });

  it.each([
    ['not an object', 'a string', /where an EndpointSlice was expected/],
    ['another kind', { ...endpointSlice('x', 'web', []), kind: 'Pod' }, /kind "Pod"/],
    ['another apiVersion', { ...endpointSlice('x', 'web', []), apiVersion: 'discovery.k8s.io/v1beta1' }, /apiVersion "discovery.k8s.io\/v1beta1"/],
    ['no name', { ...endpointSlice('x', 'web', []), metadata: { labels: { 'kubernetes.io/service-name': 'web' } } }, /without a metadata.name/],
    ['another Service\'s label', endpointSlice('x', 'db', []), /belongs to the Service "db"/],
    ['no service label', { ...endpointSlice('x', 'web', []), metadata: { name: 'x' } }, /has no kubernetes.io\/service-name label/],
    [
      'our label, another Service as controller',
      { ...endpointSlice('x', 'web', []), metadata: { name: 'x', labels: { 'kubernetes.io/service-name': 'web' }, ownerReferences: [{ kind: 'Service', name: 'db', controller: true }] } },
      /controlled by the Service "db"/,
    ],
    ['an unknown addressType', { ...endpointSlice('x', 'web', []), addressType: 'IPv5' }, /addressType "IPv5"/],
    ['endpoints that are not a list', { ...endpointSlice('x', 'web', []), endpoints: {} }, /endpoints that are not a list/],
  ])('rejects %s, saying what is wrong', (_, object, message) => {
    const result = readEndpointSlice(object, 'web');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(message);
  });
});

describe('mapSlice', () => {
  it('names the endpoint by its pod, hosts it under the Service, and keeps its conditions, UID and placement', () => {
    expect(mapped(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1', zone: 'zone-a', nodeName: 'node-1', uid: 'u0' })]))).toEqual([
      { host: 'web-0.web.default.svc.cluster.local', addresses: ['10.0.0.1'], port: 7000, pod: 'web-0', ready: true, draining: false, uid: 'u0', nodeName: 'node-1', zone: 'zone-a' },
    ]);
  });

  it('a pod without a hostname (a second Service over the same pods) has no host, but its pod name', () => {
    const [endpoint] = mapped(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1', hostname: null })]));
    expect(endpoint).toMatchObject({ host: null, pod: 'web-0' });
  });

  it('an endpoint without a targetRef is named by its hostname, and without either by nothing (its address names it later)', () => {
    const [named, bare] = mapped(endpointSlice('a', 'web', [{ addresses: ['10.0.0.1'], hostname: 'web-0' }, { addresses: ['10.0.0.2'] }]));
    expect(named).toMatchObject({ pod: 'web-0', host: 'web-0.web.default.svc.cluster.local' });
    expect(bare).toEqual({ host: null, addresses: ['10.0.0.2'], port: 7000, ready: true, draining: false });
  });

  it('readiness is `serving` (the pod\'s Ready condition) before `ready`, so publishNotReadyAddresses still tells not-ready pods apart', () => {
    const endpoints = mapped(
      endpointSlice('a', 'web', [
        { addresses: ['10.0.0.1'], hostname: 'a', conditions: { ready: true, serving: false, terminating: false } },
        { addresses: ['10.0.0.2'], hostname: 'b', conditions: { ready: false } },
        { addresses: ['10.0.0.3'], hostname: 'c', conditions: {} },
        { addresses: ['10.0.0.4'], hostname: 'd', conditions: { ready: false, serving: true, terminating: true } },
      ]),
    );
    expect(endpoints.map((endpoint) => [endpoint.pod, endpoint.ready, endpoint.draining])).toEqual([
      ['a', false, false],
      ['b', false, false],
      ['c', true, false],
      ['d', true, true],
    ]);
  });

  it('takes the named port of the right protocol, or the numeric port option, or none', () => {
    const ports = [
      { name: 'peer', protocol: 'UDP', port: 9999 },
      { name: 'peer', port: 7001 },
      { name: 'admin', protocol: 'TCP', port: 8080 },
    ];
    const slice = endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' })], { ports });
    expect(mapped(slice)[0]?.port).toBe(7001);
    expect(mapped(slice, { ...MAPPING, protocol: 'udp' })[0]?.port).toBe(9999);
    expect(mapped(slice, { ...MAPPING, portName: 'missing' })[0]?.port).toBeNull();
    expect(mapped(slice, { ...MAPPING, portName: null, port: 5432 })[0]?.port).toBe(5432);
  });

  it('keeps the families asked for; an FQDN slice names no pod address; IPv6 in canonical form', () => {
    const v6 = endpointSlice('b', 'web', [podEndpoint({ pod: 'web-0', address: 'FD00:0:0::0001' })], { addressType: 'IPv6' });
    expect(mapped(v6)[0]?.addresses).toEqual(['fd00::1']);
    expect(mapped(v6, { ...MAPPING, family: 4 })).toEqual([]);
    expect(mapped(endpointSlice('c', 'web', [{ addresses: ['db.example.com'] }], { addressType: 'FQDN' }))).toEqual([]);
  });

  it('an endpoint without addresses (or with one of the other family) is a problem, and keeps its last good copy', () => {
    const good = read(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' }), podEndpoint({ pod: 'web-1', address: '10.0.0.2' })]));
    const first = mapSlice(good, MAPPING);
    const bad = read(endpointSlice('a', 'web', [{ ...podEndpoint({ pod: 'web-0', address: '10.0.0.1' }), addresses: [] }, podEndpoint({ pod: 'web-1', address: 'fd00::2' })]));
    const second = mapSlice(bad, MAPPING, first.endpoints);
    expect(second.endpoints).toEqual(first.endpoints);
    expect(second.problems.map((problem) => problem.message)).toEqual([
      'The endpoint 0 of the EndpointSlice a (web-0) has no addresses.',
      'The endpoint 1 of the EndpointSlice a (web-1) has an address that is not an IPv4 address.',
    ]);
  });
});

describe('mergeSlices', () => {
  it('keeps one copy of an endpoint two slices hold (the one written last), and both families of a pod', () => {
    const old = { written: 1, endpoints: mapSlice(read(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1', ready: false })])), MAPPING).endpoints };
    const current = { written: 2, endpoints: mapSlice(read(endpointSlice('b', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' })])), MAPPING).endpoints };
    const v6 = { written: 0, endpoints: mapSlice(read(endpointSlice('c', 'web', [podEndpoint({ pod: 'web-0', address: 'fd00::1' })], { addressType: 'IPv6' })), MAPPING).endpoints };
    const merged = mergeSlices([old, current, v6]);
    expect(merged.map((endpoint) => [endpoint.addresses, endpoint.ready])).toEqual([
      [['10.0.0.1'], true],
      [['fd00::1'], true],
    ]);
  });

  it('whatever the order the slices come in, each endpoint appears once', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 100 })), { maxLength: 30 }), (placements) => {
        const slices = placements.map(([pod, written], index) => ({
          written: written * 100 + index,
          endpoints: mapSlice(read(endpointSlice(`s${index}`, 'web', [podEndpoint({ pod: `web-${pod}`, address: `10.0.0.${pod}` })])), MAPPING).endpoints,
        }));
        const merged = mergeSlices(slices);
        expect(merged.map((endpoint) => endpoint.pod)).toEqual([...new Set(placements.map(([pod]) => `web-${pod}`))].sort());
      }),
    );
  });
});

describe('SliceStore', () => {
  it('a list replaces every slice; a bad item keeps its last good version; a slice missing from the list is gone', () => {
    const store = new SliceStore(MAPPING);
    store.replace([endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' })]), endpointSlice('b', 'web', [podEndpoint({ pod: 'web-1', address: '10.0.0.2' })])]);
    expect(store.endpoints().map((endpoint) => endpoint.pod)).toEqual(['web-0', 'web-1']);
    const changed = store.replace([{ ...endpointSlice('a', 'web', []), addressType: 'nonsense' }]);
    expect(changed).toBe(true);
    expect(store.endpoints().map((endpoint) => endpoint.pod)).toEqual(['web-0']);
    expect(store.takeProblems().map((problem) => problem.code)).toEqual(['ERR_K8S_BAD_OBJECT']);
  });

  it('returns the same array while nothing changes, and reports each fault once', () => {
    const store = new SliceStore(MAPPING);
    store.upsert(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' })]));
    const endpoints = store.endpoints();
    for (let i = 0; i < 3; i++) store.upsert(endpointSlice('x', 'db', []));
    expect(store.endpoints()).toBe(endpoints);
    expect(store.takeProblems()).toHaveLength(1);
    expect(store.takeProblems()).toHaveLength(0);
    expect(store.upsert(endpointSlice('a', 'web', [podEndpoint({ pod: 'web-0', address: '10.0.0.1' })]))).toBe(false);
    expect(store.remove({ metadata: { name: 'a' } })).toBe(true);
    expect(store.endpoints()).toEqual([]);
  });
});
