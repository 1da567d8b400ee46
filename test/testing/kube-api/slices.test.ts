/**
 * How the fake EndpointSlice controller spreads endpoints over slices, read over HTTPS: split
 * past maxEndpointsPerSlice, one family per slice, endpoints that stay in their slice, the
 * placeholder, and the same endpoint in two slices at once (the transition clients must dedupe).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster, type FakeCluster, type FakeKubernetesApi } from '../../../src/testing/index';
import { openWatch, request, slicesPath } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ maxEndpointsPerSlice: 2 });
});
afterEach(async () => {
  await cluster.close();
});

interface Slice {
  metadata: { name: string };
  addressType: string;
  endpoints: { addresses: string[]; targetRef: { name: string } }[] | null;
}

async function slices(service: string): Promise<Slice[]> {
  const { body } = await request(api, slicesPath(service));
  return body.items as Slice[];
}

const layout = (items: Slice[]): string[][] => items.map((slice) => (slice.endpoints ?? []).map((endpoint) => endpoint.targetRef.name)).sort((a, b) => a.length - b.length || (a[0] ?? '').localeCompare(b[0] ?? ''));

describe('slices', () => {
  it('split past maxEndpointsPerSlice: 5 pods at 2 per slice are 3 slices', async () => {
    cluster.defineService({ name: 'web', replicas: 5 });
    expect(layout(await slices('web'))).toEqual([['web-4'], ['web-0', 'web-1'], ['web-2', 'web-3']]);
  });

  it('the default is 100 per slice, as the controller’s', async () => {
    const other = await createFakeCluster();
    try {
      const big = await other.startKubernetesApi();
      other.defineService({ name: 'big', replicas: 150 });
      const { body } = await request(big, slicesPath('big'));
      expect(body.items.map((slice: Slice) => slice.endpoints?.length).sort()).toEqual([100, 50]);
    } finally {
      await other.close();
    }
  });

  it('endpoints stay in their slice; a freed place is filled before a new slice is made', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 4 });
    const before = new Map((await slices('web')).map((slice) => [slice.metadata.name, slice.endpoints?.map((endpoint) => endpoint.targetRef.name)]));
    web.deletePod('web-0');
    web.restart('web-3');
    web.scale(5); // web-0 comes back, web-4 is new
    const after = await slices('web');
    expect(after.map((slice) => slice.metadata.name).sort()).toEqual([...before.keys(), ...after.map((slice) => slice.metadata.name).filter((name) => !before.has(name))].sort());
    const firstSlice = after.find((slice) => before.get(slice.metadata.name)?.includes('web-1'));
    expect(firstSlice?.endpoints?.map((endpoint) => endpoint.targetRef.name)).toEqual(['web-1', 'web-0']);
    expect(layout(after)).toEqual([['web-4'], ['web-1', 'web-0'], ['web-2', 'web-3']]);
  });

  it('dual-stack: one family per slice, every pod in one slice of each', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 3, ipFamilies: ['IPv6', 'IPv4'] });
    const items = await slices('web');
    expect(items.map((slice) => slice.addressType).sort()).toEqual(['IPv4', 'IPv4', 'IPv6', 'IPv6']);
    for (const slice of items) {
      for (const endpoint of slice.endpoints ?? []) {
        expect(endpoint.addresses).toHaveLength(1);
        expect(endpoint.addresses[0]?.includes(':')).toBe(slice.addressType === 'IPv6');
      }
    }
    cluster.defineService({ name: 'none', ipFamilies: ['IPv6', 'IPv4'] });
    expect((await slices('none')).map((slice) => [slice.addressType, slice.endpoints])).toEqual([['IPv6', null]]); // placeholder of the primary family
    expect(web.pods).toHaveLength(3);
  });

  it('duplicateEndpoint: the same endpoint in two slices at once, until it ends', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 2 });
    const { body } = await request(api, slicesPath('web'));
    const watch = await openWatch(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${body.metadata.resourceVersion}`));
    try {
      const end = api.duplicateEndpoint(web, 'web-1');
      const added = await watch.next();
      expect(added.type).toBe('ADDED');
      expect(added.object.endpoints.map((endpoint: { targetRef: { name: string } }) => endpoint.targetRef.name)).toEqual(['web-1']);
      const listed = (await slices('web')).flatMap((slice) => (slice.endpoints ?? []).map((endpoint) => endpoint.targetRef.name));
      expect(listed.sort()).toEqual(['web-0', 'web-1', 'web-1']);
      web.restart('web-1'); // the copy follows the pod
      const copies = (await slices('web')).filter((slice) => slice.endpoints?.some((endpoint) => endpoint.targetRef.name === 'web-1'));
      expect(copies.map((slice) => slice.endpoints?.find((endpoint) => endpoint.targetRef.name === 'web-1')?.addresses)).toEqual([[web.pods[1]?.addresses[0]], [web.pods[1]?.addresses[0]]]);
      end();
      expect(await watch.next((event) => event.type === 'DELETED')).toMatchObject({ object: { metadata: { name: added.object.metadata.name } } });
      expect((await slices('web')).flatMap((slice) => slice.endpoints ?? [])).toHaveLength(2);
    } finally {
      watch.close();
    }
  });

  it('scale to 0 and back: the last slice turns placeholder, then holds endpoints again; the others are deleted', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 4 });
    const names = (await slices('web')).map((slice) => slice.metadata.name);
    web.scale(0);
    const placeholder = await slices('web');
    expect(placeholder).toHaveLength(1);
    expect(names).toContain(placeholder[0]?.metadata.name);
    expect(placeholder[0]?.endpoints).toBeNull();
    web.scale(1);
    const back = await slices('web');
    expect(back.map((slice) => slice.metadata.name)).toEqual([placeholder[0]?.metadata.name]);
  });
});
