/**
 * The fake API's failure controls, seen from the client side of real sockets: a watch cut in
 * the middle of a chunk (checked on the raw bytes), connections refused then back on the same
 * port, a server that hangs, 503s, and the bad input a client must report and ignore.
 */
import { connect } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeCluster,
  endpointSliceWithoutAddresses,
  foreignEndpointSlice,
  MALFORMED_WATCH_LINE,
  wrongKindObject,
  type FakeCluster,
  type FakeKubernetesApi,
} from '../../../src/testing/index';
import { openWatch, request, slicesPath, type OpenWatch } from './https-client';

let cluster: FakeCluster;
let api: FakeKubernetesApi;
const watches: OpenWatch[] = [];

beforeEach(async () => {
  cluster = await createFakeCluster();
  api = await cluster.startKubernetesApi({ bookmarkIntervalMs: 0 });
  cluster.defineService({ name: 'web', replicas: 2 });
});
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.close();
  await cluster.close();
});

async function watchWeb(): Promise<OpenWatch> {
  const watch = await openWatch(api, slicesPath('web', 'default', `&watch=true&resourceVersion=${api.resourceVersion}`));
  watches.push(watch);
  return watch;
}

/** Every byte the server sends on one raw TLS connection, until it closes it. */
function rawWatch(path: string): { ready: Promise<void>; bytes: Promise<string> } {
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const bytes = new Promise<string>((resolve, reject) => {
    const socket = connect({ host: api.host, port: api.port, ca: api.ca }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${api.host}\r\nAuthorization: Bearer ${api.token}\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n\r\n')) ready();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { ready: readyPromise, bytes };
}

describe('a watch broken mid-stream', () => {
  it('breakWatches(): a chunk is announced, half of it arrives, the connection drops (no terminating chunk)', async () => {
    const raw = rawWatch(slicesPath('web', 'default', `&watch=true&resourceVersion=${api.resourceVersion}`));
    await raw.ready;
    await api.waitForWatches(1);
    cluster.defineService({ name: 'web', replicas: 3 }); // a few whole events first
    expect(await api.breakWatches()).toBe(1);
    const text = await raw.bytes;
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    // Walk the chunked framing: every complete chunk, then the cut one.
    let rest = body;
    let complete = 0;
    let cut: { announced: number; received: number } | undefined;
    while (rest.length > 0) {
      const header = /^([0-9a-f]+)\r\n/.exec(rest);
      expect(header, `a chunk header at: ${JSON.stringify(rest.slice(0, 20))}`).not.toBeNull();
      const size = Number.parseInt(header?.[1] as string, 16);
      const data = rest.slice((header?.[0] as string).length);
      if (data.length < size + 2) {
        cut = { announced: size, received: data.length };
        break;
      }
      expect(size).toBeGreaterThan(0); // no terminating 0-chunk: this is no clean end
      // A whole chunk holds whole events (one or more lines of JSON).
      const lines = data.slice(0, size).split('\n');
      expect(lines.pop()).toBe('');
      for (const line of lines) JSON.parse(line);
      complete++;
      rest = data.slice(size + 2);
    }
    expect(complete).toBeGreaterThan(0);
    expect(cut).toBeDefined();
    expect(cut?.received).toBeGreaterThan(0);
    expect(cut?.received).toBeLessThan(cut?.announced as number);
  });

  it('an HTTPS client sees the stream fail (not end) with a partial line left over', async () => {
    const watch = await watchWeb();
    await api.waitForWatches(1);
    await api.breakWatches();
    const end = await watch.ended;
    expect(end.kind).toBe('error');
    expect(watch.partial().length).toBeGreaterThan(0);
    expect(() => JSON.parse(watch.partial())).toThrow();
    expect(api.stats.openWatches).toBe(0);
  });
});

describe('outages', () => {
  it('refuse: connections are refused and open watches drop; afterwards the same port answers again', async () => {
    const port = api.port;
    const watch = await watchWeb();
    await api.waitForWatches(1);
    await api.outage('refuse');
    expect((await watch.ended).kind).toBe('error');
    await expect(request(api, '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await api.outage(null);
    expect(api.port).toBe(port);
    expect((await request(api, '/version')).status).toBe(200);
  });

  it('hang: requests are read and never answered, watches go silent; when it ends they are dropped', async () => {
    const watch = await watchWeb();
    await api.waitForWatches(1);
    await api.outage('hang');
    let answered = false;
    const pending = request(api, '/version').then(
      () => (answered = true),
      (error: Error) => error,
    );
    const web = cluster.defineService({ name: 'web', replicas: 5 });
    const seen = new Promise<string>((resolve) => api.onRequest((incoming) => resolve(incoming.path)));
    expect(await seen).toBe('/version'); // the request arrived…
    expect(answered).toBe(false); // …and got no answer
    expect(watch.lines).toEqual([]); // no event while hanging
    await api.outage(null);
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
    expect((await watch.ended).kind).toBe('error');
    expect(web.pods).toHaveLength(5);
  });

  it('unavailable: every request is a 503 Status until it ends', async () => {
    await api.outage('unavailable');
    const { status, body } = await request(api, slicesPath('web'));
    expect(status).toBe(503);
    expect(body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    await api.outage(null);
    expect((await request(api, slicesPath('web'))).status).toBe(200);
  });
});

describe('bad input for the client to report and ignore', () => {
  it('a malformed line, an object of the wrong kind, an unknown event type: sent as given on the open watches', async () => {
    const watch = await watchWeb();
    await api.waitForWatches(1);
    expect(api.injectWatchLine(MALFORMED_WATCH_LINE)).toBe(1);
    expect(api.injectWatchEvent('ADDED', wrongKindObject({ name: 'web', namespace: 'default' }), { resource: 'endpointslices' })).toBe(1);
    expect(api.injectWatchEvent('SURPRISE', {}, { resource: 'pods' })).toBe(0);
    cluster.defineService({ name: 'web', replicas: 3 }); // and the stream goes on
    await expect.poll(() => watch.lines.length).toBeGreaterThanOrEqual(3);
    expect(watch.lines[0]).toBe(MALFORMED_WATCH_LINE);
    expect(() => JSON.parse(watch.lines[0] as string)).toThrow();
    expect(JSON.parse(watch.lines[1] as string)).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { labels: { 'kubernetes.io/service-name': 'web' } } } });
    expect(JSON.parse(watch.lines[2] as string).object.kind).toBe('EndpointSlice');
  });

  it('an endpoint without addresses and a slice of another Service with our label: stored, so lists and watches both carry them', async () => {
    const web = cluster.defineService({ name: 'web', replicas: 1 });
    const watch = await watchWeb();
    api.putObject('endpointslices', endpointSliceWithoutAddresses(web));
    api.putObject('endpointslices', foreignEndpointSlice(web, 'intruder'));
    const noAddresses = await watch.next();
    expect(noAddresses).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web-noaddr' } } });
    expect(noAddresses.object.endpoints[0]).not.toHaveProperty('addresses');
    const foreign = await watch.next();
    expect(foreign.object).toMatchObject({
      metadata: { name: 'intruder-foreign', labels: { 'kubernetes.io/service-name': 'web' }, ownerReferences: [{ kind: 'Service', name: 'intruder' }] },
      endpoints: [{ addresses: ['127.0.0.99'] }],
    });
    const { body } = await request(api, slicesPath('web'));
    expect(body.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual(expect.arrayContaining(['web-noaddr', 'intruder-foreign']));
    web.scale(2); // the cluster's changes leave objects put by a test alone
    expect((await request(api, slicesPath('web'))).body.items).toHaveLength(3);
    api.deleteObject('endpointslices', 'default', 'intruder-foreign');
    expect(await watch.next((event) => event.type === 'DELETED')).toMatchObject({ object: { metadata: { name: 'intruder-foreign' } } });
  });
});
