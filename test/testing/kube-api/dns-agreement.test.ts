/**
 * DNS and API describe one cluster: after any sequence of operations, the ready endpoints of a
 * Service's EndpointSlices (read over HTTPS, deduplicated across slices) are exactly the pods
 * and addresses its DNS lists (read with node:dns over UDP), as CoreDNS builds its answers from
 * those slices. A property test (fast-check) over scale, setReady, restart, terminate,
 * deletePod, setIpFamilies and duplicated endpoints, with slices split at 2.
 */
import { Resolver } from 'node:dns/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi, type FakeService } from '../../../src/testing/index';
import { request, slicesPath } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
let resolver: Resolver;

beforeAll(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ maxEndpointsPerSlice: 2 });
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([cluster.nameserver]);
});
afterAll(async () => {
  await cluster.close();
});

type Operation =
  | { readonly op: 'scale'; readonly replicas: number }
  | { readonly op: 'setReady'; readonly pod: number; readonly ready: boolean }
  | { readonly op: 'restart' | 'terminate' | 'deletePod' | 'duplicate'; readonly pod: number }
  | { readonly op: 'setIpFamilies'; readonly families: readonly ('IPv4' | 'IPv6')[] };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ op: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ op: fc.constant('setReady' as const), pod: fc.nat(), ready: fc.boolean() }),
  fc.record({ op: fc.constantFrom('restart' as const, 'terminate' as const, 'deletePod' as const, 'duplicate' as const), pod: fc.nat() }),
  fc.record({ op: fc.constant('setIpFamilies' as const), families: fc.constantFrom(['IPv4'] as const, ['IPv6'] as const, ['IPv4', 'IPv6'] as const, ['IPv6', 'IPv4'] as const) }),
);

function apply(service: FakeService, step: Operation): void {
  if (step.op === 'scale') service.scale(step.replicas);
  else if (step.op === 'setIpFamilies') service.setIpFamilies(step.families);
  else {
    const pod = service.pods[step.pod % Math.max(1, service.pods.length)];
    if (!pod) return;
    if (step.op === 'setReady') service.setReady(pod.name, step.ready);
    else if (step.op === 'restart') service.restart(pod.name);
    else if (step.op === 'terminate') service.terminate(pod.name);
    else if (step.op === 'deletePod') service.deletePod(pod.name);
    else api.duplicateEndpoint(service, pod.name);
  }
}

async function dnsView(service: FakeService): Promise<{ addresses: string[]; hosts: string[] }> {
  const orNone = <T>(lookup: Promise<T[]>): Promise<T[]> => lookup.catch((error: { code?: string }) => (['ENOTFOUND', 'ENODATA'].includes(error.code ?? '') ? [] : Promise.reject(error)));
  const [v4, v6, srv] = await Promise.all([orNone(resolver.resolve4(service.host)), orNone(resolver.resolve6(service.host)), orNone(resolver.resolveSrv(`_peer._tcp.${service.host}`))]);
  return { addresses: [...v4, ...v6].sort(), hosts: srv.map((record) => record.name.split('.')[0] as string).sort() };
}

async function apiView(service: FakeService): Promise<{ addresses: string[]; hosts: string[] }> {
  const { body } = await request(api, slicesPath(service.name));
  type Endpoint = { addresses: string[]; hostname: string; conditions: { ready: boolean } };
  const ready = (body.items as { endpoints: Endpoint[] | null }[]).flatMap((slice) => slice.endpoints ?? []).filter((endpoint) => endpoint.conditions.ready);
  return { addresses: [...new Set(ready.flatMap((endpoint) => endpoint.addresses))].sort(), hosts: [...new Set(ready.map((endpoint) => endpoint.hostname))].sort() };
}

let runs = 0;

describe('DNS and the API agree', () => {
  it('after any sequence of operations, the ready endpoints in the slices are what DNS lists', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.array(operation, { maxLength: 12 }), async (replicas, publish, steps) => {
        const service = cluster.defineService({ name: `p${runs++}`, ports: [{ name: 'peer', port: 7000 }], replicas, publishNotReadyAddresses: publish });
        for (const step of steps) apply(service, step);
        expect(await apiView(service)).toEqual(await dnsView(service));
        cluster.deleteService(service.name);
      }),
      { numRuns: 60 },
    );
  });

  it('the check itself sees a difference: a terminating pod is in the API’s slices, not ready, and not in DNS', async () => {
    const service = cluster.defineService({ name: 'check', ports: [{ name: 'peer', port: 7000 }], replicas: 2 });
    service.terminate('check-1');
    const dns = await dnsView(service);
    expect(dns.hosts).toEqual(['check-0']);
    const { body } = await request(api, slicesPath('check'));
    expect(body.items[0].endpoints.map((endpoint: { hostname: string }) => endpoint.hostname)).toEqual(['check-0', 'check-1']);
    expect(await apiView(service)).toEqual(dns);
  });
});
