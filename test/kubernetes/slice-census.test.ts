/**
 * The doctor's pure readings of API objects: the census of a Service's EndpointSlices (one entry
 * per pod over both families and over a transition's duplicate, nil conditions as the API
 * reference reads them, what is ignored and why), and the Service and Pod fields the API checks
 * look at, a field of the wrong shape read as absent.
 */
import { describe, expect, it } from 'vitest';
import { readPod, readService, selectorText } from '../../src/kubernetes/core-objects';
import { takeCensus } from '../../src/kubernetes/slice-census';
import { endpointSlice, podEndpoint } from '../helpers/k8s-objects';

describe('takeCensus', () => {
  it('counts a pod once across its IPv4 and IPv6 slices and a transition’s duplicate, sorted by name', () => {
    const v4 = endpointSlice('web-a', 'web', [podEndpoint({ pod: 'web-10', address: '10.0.0.10' }), podEndpoint({ pod: 'web-2', address: '10.0.0.2', ready: false })]);
    const v6 = endpointSlice('web-b', 'web', [podEndpoint({ pod: 'web-2', address: 'FD00:0:0::2', ready: false })], { addressType: 'IPv6' });
    const copy = endpointSlice('web-c', 'web', [podEndpoint({ pod: 'web-10', address: '10.0.0.10' })]);

    const census = takeCensus([v4, v6, copy], 'web', 'both');

    expect(census.slices.map((slice) => [slice.name, slice.addressType, slice.endpoints])).toEqual([
      ['web-a', 'IPv4', 2],
      ['web-b', 'IPv6', 1],
      ['web-c', 'IPv4', 1],
    ]);
    expect(census.endpoints.map((endpoint) => [endpoint.name, endpoint.addresses, endpoint.ready, endpoint.slices])).toEqual([
      ['web-2', ['10.0.0.2', 'fd00::2'], false, ['web-a', 'web-b']],
      ['web-10', ['10.0.0.10'], true, ['web-a', 'web-c']],
    ]);
    expect(census.duplicated).toEqual(['web-10']);
    expect(census.problems).toEqual([]);
    expect(takeCensus([v4, v6], 'web', 4).endpoints.map((endpoint) => endpoint.addresses)).toEqual([['10.0.0.2'], ['10.0.0.10']]);
  });

  it('reads absent conditions as the API reference does: ready and serving true, terminating false; serving follows ready', () => {
    const bare = { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'web-0' } };
    const draining = { addresses: ['10.0.0.2'], hostname: 'web-1', conditions: { ready: false, terminating: true } };
    const census = takeCensus([endpointSlice('web-a', 'web', [bare, draining])], 'web', 'both');
    expect(census.endpoints.map(({ name, pod, hostname, ready, serving, terminating }) => ({ name, pod, hostname, ready, serving, terminating }))).toEqual([
      { name: 'web-0', pod: 'web-0', hostname: undefined, ready: true, serving: true, terminating: false },
      { name: 'web-1', pod: undefined, hostname: 'web-1', ready: false, serving: false, terminating: true },
    ]);
  });

  it('says what it ignored: another Service’s slice, an FQDN slice, an endpoint without a usable address', () => {
    const census = takeCensus(
      [
        endpointSlice('db-a', 'db', [podEndpoint({ pod: 'db-0', address: '10.0.0.9' })]),
        endpointSlice('web-f', 'web', [{ addresses: ['web.example.'] }], { addressType: 'FQDN' }),
        endpointSlice('web-a', 'web', [{ addresses: ['not-an-ip'], targetRef: { kind: 'Pod', name: 'web-0' } }]),
      ],
      'web',
      'both',
    );
    expect(census.endpoints).toEqual([]);
    expect(census.slices.map((slice) => slice.name)).toEqual(['web-f', 'web-a']);
    expect(census.problems).toEqual([
      'The EndpointSlice db-a belongs to the Service "db" (label kubernetes.io/service-name), not to web.',
      'The EndpointSlice web-f has addressType FQDN (deprecated): it names no pod address, so it is not counted.',
      'Endpoint 0 (web-0) of the EndpointSlice web-a has no usable IPv4 address: not counted.',
    ]);
  });
});

describe('readService and readPod', () => {
  it('read a Service’s type, clusterIP, selector, ports and publishNotReadyAddresses, with the API’s defaults', () => {
    expect(readService({ metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { tier: 'db', app: 'web' }, ports: [{ port: 80, targetPort: 'http' }, 'junk'] } })).toEqual({
      name: 'web',
      type: 'ClusterIP',
      clusterIP: 'None',
      externalName: undefined,
      selector: { tier: 'db', app: 'web' },
      ports: [{ name: '', port: 80, protocol: 'TCP', targetPort: 'http' }],
      publishNotReadyAddresses: false,
    });
    expect(readService({ metadata: { name: 'web' }, spec: { selector: {} } })?.selector).toBeNull();
    expect(readService({ spec: {} })).toBeUndefined();
    expect(selectorText({ tier: 'db', app: 'web' })).toBe('app=web,tier=db');
  });

  it('read a Pod’s readiness, termination, owner, names and addresses', () => {
    const pod = readPod({
      metadata: { name: 'web-0', deletionTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ kind: 'StatefulSet', name: 'web', controller: true }], labels: { app: 'web', n: 1 } },
      spec: { hostname: 'web-0', subdomain: 'web', nodeName: 'node-a' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] },
    });
    expect(pod).toEqual({
      name: 'web-0',
      phase: 'Running',
      ready: true,
      terminating: true,
      statefulSet: 'web',
      hostname: 'web-0',
      subdomain: 'web',
      nodeName: 'node-a',
      addresses: ['10.0.0.1', 'fd00::1'],
      labels: { app: 'web' },
    });
    expect(readPod({ metadata: { name: 'p' }, status: { podIP: '10.0.0.2' } })).toMatchObject({ phase: 'Unknown', ready: false, terminating: false, statefulSet: undefined, addresses: ['10.0.0.2'] });
  });
});
