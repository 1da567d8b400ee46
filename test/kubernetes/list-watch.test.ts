/**
 * The list/watch loop against a scriptable API server on loopback: list then watch from the
 * list's resourceVersion with bookmarks and a randomised timeout, resume after a normal end or a
 * break mid-stream from the last resourceVersion (bookmarks included), relist on 410 (status or
 * ERROR event), retry a 401 once at once with fresh credentials, back off other failures, and
 * report bad input once without dropping anything.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubernetesApiError } from '../../src/errors';
import type { Credentials } from '../../src/kubernetes/credentials';
import { endpointSlicesPath, SliceWatch } from '../../src/kubernetes/list-watch';
import type { WatchTiming } from '../../src/kubernetes/settings';
import { SliceStore } from '../../src/kubernetes/slice-store';
import { bookmark, endpointSlice, expiredEvent, podEndpoint, sliceList, status, watchEvent } from '../helpers/k8s-objects';
import { startRawApiServer, type ApiCall, type ApiReply, type RawApiServer } from '../helpers/raw-k8s-api';

const TIMING: WatchTiming = { minWatchSeconds: 300, requestTimeoutMs: 2000, tokenMaxAgeMs: 60_000, backoff: { initialMs: 20, maxMs: 200 } };
const MAPPING = { service: 'web', serviceDomain: 'web.default.svc.cluster.local', portName: 'peer', protocol: 'tcp', port: null, family: 'both' } as const;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function server(handle: (call: ApiCall) => ApiReply): Promise<RawApiServer> {
  const started = await startRawApiServer(handle);
  open.push(started);
  return started;
}

function credentials(url: string): Credentials & { unauthorized: ReturnType<typeof vi.fn<() => void>> } {
  return {
    connect: async () => ({ server: new URL(url), options: { agent: false, headers: { authorization: 'Bearer t' } } }),
    unauthorized: vi.fn<() => void>(),
    facts: () => ({ subject: { kind: 'ServiceAccount', namespace: 'default', name: 'web' }, description: 'the test token' }),
    close: () => undefined,
  };
}

/** A running loop, its store, and a way to wait for what its `changed` calls bring. */
function loop(url: string, random = () => 0.5) {
  const store = new SliceStore(MAPPING);
  const waiters = new Set<() => void>();
  let changes = 0;
  const creds = credentials(url);
  const watch = new SliceWatch({
    settings: { namespace: 'default', service: 'web', timing: TIMING },
    credentials: creds,
    store,
    random,
    changed: () => {
      changes += 1;
      for (const waiter of [...waiters]) waiter();
    },
  });
  open.push(watch);
  const until = (holds: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!holds()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, 20_000);
      waiters.add(check);
      check();
    });
  const names = (): string[] => store.endpoints().map((endpoint) => endpoint.pod ?? '?');
  return { store, watch, until, names, creds, changes: () => changes };
}

const web = (ordinal: number, extra: Partial<Parameters<typeof podEndpoint>[0]> = {}) => podEndpoint({ pod: `web-${ordinal}`, address: `10.0.0.${ordinal}`, ...extra });

describe('endpointSlicesPath', () => {
  it('selects the Service by its label; a watch asks for bookmarks and a timeout, from a resourceVersion', () => {
    expect(endpointSlicesPath('default', 'web')).toBe('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
    expect(endpointSlicesPath('default', 'web', { fromCache: true })).toBe('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb&resourceVersion=0');
    const watch = new URL(`http://x${endpointSlicesPath('prod', 'db', { watch: true, resourceVersion: '42', timeoutSeconds: 377 })}`);
    expect(Object.fromEntries(watch.searchParams)).toEqual({
      labelSelector: 'kubernetes.io/service-name=db',
      watch: 'true',
      resourceVersion: '42',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '377',
    });
  });
});

describe('the list/watch loop', () => {
  it('lists, then watches from the list resourceVersion with bookmarks and a timeout in [5, 10) minutes; events apply as they come', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('web-abc', 'web', [web(0), web(1)])], '100') }));
    const { watch, until, names } = loop(api.url, () => 0.25);
    await watch.started(new AbortController().signal);
    expect(watch.state.kind).toBe('synced');
    expect(names()).toEqual(['web-0', 'web-1']);
    const stream = await api.nextWatch();
    expect(stream.call.query.get('resourceVersion')).toBe('100');
    expect(stream.call.query.get('allowWatchBookmarks')).toBe('true');
    expect(stream.call.query.get('timeoutSeconds')).toBe('375');
    expect(stream.call.headers.authorization).toBe('Bearer t');
    stream.send(watchEvent('MODIFIED', endpointSlice('web-abc', 'web', [web(0), web(1), web(2)]), '101'));
    await until(() => names().length === 3, 'web-2');
    stream.send(watchEvent('DELETED', endpointSlice('web-abc', 'web', []), '102'));
    await until(() => names().length === 0, 'the slice deleted');
  });

  it('resumes a watch that ends normally from the last resourceVersion seen, a bookmark included', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('web-abc', 'web', [web(0)])], '10') }));
    const { watch } = loop(api.url);
    await watch.started(new AbortController().signal);
    const first = await api.nextWatch();
    first.send(watchEvent('MODIFIED', endpointSlice('web-abc', 'web', [web(0), web(1)]), '11'), bookmark('15'));
    first.end();
    const second = await api.nextWatch();
    expect(second.call.query.get('resourceVersion')).toBe('15');
    expect(api.calls.filter((call) => !call.watch)).toHaveLength(1);
  });

  it('resumes a watch broken mid-stream (half an event written) without listing again, and loses nothing', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('web-abc', 'web', [web(0)])], '10') }));
    const { watch, until, names } = loop(api.url);
    await watch.started(new AbortController().signal);
    const first = await api.nextWatch();
    first.send(watchEvent('MODIFIED', endpointSlice('web-abc', 'web', [web(0), web(1)]), '11'));
    await until(() => names().length === 2, 'web-1');
    const half = JSON.stringify(watchEvent('MODIFIED', endpointSlice('web-abc', 'web', [web(0), web(1), web(2)]), '12'));
    first.write(half.slice(0, 40));
    first.destroy();
    const second = await api.nextWatch();
    expect(second.call.query.get('resourceVersion')).toBe('11');
    // The server replays what came after 11: the event that was cut.
    second.send(JSON.parse(half));
    await until(() => names().length === 3, 'web-2 after the resume');
    expect(api.calls.filter((call) => !call.watch)).toHaveLength(1);
    expect(watch.state.kind).toBe('synced');
  });

  it.each([
    ['as the HTTP status of the watch', 'status'],
    ['as an ERROR event', 'event'],
  ])('lists again on 410 Gone %s, replacing the cache (a slice deleted meanwhile is gone)', async (_, how) => {
    let lists = 0;
    const api = await server((call) => {
      if (!call.watch) {
        lists += 1;
        return { json: sliceList(lists === 1 ? [endpointSlice('a', 'web', [web(0)]), endpointSlice('b', 'web', [web(1)])] : [endpointSlice('a', 'web', [web(0)])], String(lists * 100)) };
      }
      if (how === 'status' && call.query.get('resourceVersion') === '150') return { status: 410, json: status(410, 'Expired', 'too old resource version: 150 (180)') };
      return { watch: true };
    });
    const { watch, until, names } = loop(api.url);
    await watch.started(new AbortController().signal);
    expect(names()).toEqual(['web-0', 'web-1']);
    const first = await api.nextWatch();
    first.send(bookmark('150'));
    if (how === 'event') first.send(expiredEvent());
    else first.end();
    await until(() => names().length === 1, 'the relist');
    expect(lists).toBe(2);
    // The first list may come from the watch cache; the one after 410 is a consistent read.
    expect(api.calls.filter((call) => !call.watch).map((call) => call.query.get('resourceVersion'))).toEqual(['0', null]);
    const after = await api.nextWatch();
    expect(after.call.query.get('resourceVersion')).toBe('200');
  });

  it('a 401 re-reads the credentials and tries again at once; a second 401 fails, then keeps trying with backoff', async () => {
    let refuse = 2;
    const api = await server((call) => {
      if (!call.watch && refuse > 0) {
        refuse -= 1;
        return { status: 401, json: status(401, 'Unauthorized', 'Unauthorized') };
      }
      return call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [web(0)])], '5') };
    });
    const { watch, until, creds } = loop(api.url);
    await watch.started(new AbortController().signal);
    expect(watch.state).toMatchObject({ kind: 'failing', error: { code: 'ERR_K8S_UNAUTHORIZED', status: 401 } });
    expect(creds.unauthorized).toHaveBeenCalledTimes(2);
    expect(api.calls).toHaveLength(2);
    await until(() => watch.state.kind === 'synced', 'recovery');
  });

  it('a 403 fails with the missing rule, the service account and how to grant it', async () => {
    const api = await server(() => ({
      status: 403,
      json: status(403, 'Forbidden', 'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:default:web" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "default"'),
    }));
    const { watch } = loop(api.url);
    await watch.started(new AbortController().signal);
    expect(watch.state.kind).toBe('failing');
    const error = (watch.state as { error: KubernetesApiError }).error;
    expect(error).toMatchObject({ code: 'ERR_K8S_FORBIDDEN', status: 403, reason: 'Forbidden', request: 'list endpointslices' });
    expect(error.message).toContain('service account default/web');
    expect(error.message).toContain('verb "list" on resource "endpointslices" in API group "discovery.k8s.io" in namespace "default"');
    expect(error.message).toContain('k8s/endpointslice-reader.yaml');
    expect(error.message).toContain('kubectl create rolebinding headless-discovery -n default --role=headless-discovery --serviceaccount=default:web');
  });

  it('backs off between failures, more each time, and recovers', async () => {
    let failures = 4;
    const api = await server((call) => {
      if (failures > 0) {
        failures -= 1;
        return { status: 503, json: status(503, 'ServiceUnavailable', 'etcd is down') };
      }
      return call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [web(0)])], '5') };
    });
    const { watch, until } = loop(api.url, () => 0.999);
    const started = performance.now();
    await watch.started(new AbortController().signal);
    expect(watch.state).toMatchObject({ kind: 'failing', error: { code: 'ERR_K8S_API', status: 503 } });
    await until(() => watch.state.kind === 'synced', 'recovery');
    // 20 + 40 + 80 + 160 ms (each in [base/2, base)): at least 150 ms in all.
    expect(performance.now() - started).toBeGreaterThan(150);
    expect(api.calls.filter((call) => !call.watch)).toHaveLength(5);
  });

  it('an unreachable API is a failure that says where it looked', async () => {
    const api = await server(() => ({ json: {} }));
    const url = api.url;
    await api.close();
    open.splice(open.indexOf(api), 1);
    const { watch } = loop(url);
    await watch.started(new AbortController().signal);
    expect(watch.state).toMatchObject({ kind: 'failing', error: { code: 'ERR_K8S_UNREACHABLE', request: 'list endpointslices' } });
    expect((watch.state as { error: Error }).error.message).toContain(url);
  });

  it('watches that end at once, with nothing, are retried with backoff, not in a tight loop', async () => {
    const api = await server((call) => (call.watch ? { status: 200, raw: '' } : { json: sliceList([], '5') }));
    const { watch } = loop(api.url, () => 0.999);
    await watch.started(new AbortController().signal);
    const started = performance.now();
    await api.callCount(7);
    // The list, then six quick watches: a pause before each but the second, 20 + 40 + 80 + 160 ms (upper halves).
    expect(performance.now() - started).toBeGreaterThan(150);
  });

  it('reports a watch line that is not JSON and an object of another kind once each, and goes on', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [web(0)])], '5') }));
    const { watch, until, names, store } = loop(api.url);
    await watch.started(new AbortController().signal);
    const stream = await api.nextWatch();
    const pod = { type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-9', resourceVersion: '6' } } };
    stream.write('this is not json\n');
    stream.send(pod);
    stream.write('this is not json\n');
    stream.send(pod, watchEvent('MODIFIED', endpointSlice('a', 'web', [web(0), web(1)]), '7'));
    await until(() => names().length === 2, 'the good event after the bad ones');
    const problems = store.takeProblems();
    expect(problems.map((problem) => problem.code)).toEqual(['ERR_K8S_BAD_OBJECT', 'ERR_K8S_BAD_OBJECT']);
    expect(problems[0]?.message).toContain('not a JSON watch event');
    expect(problems[1]?.message).toContain('kind "Pod"');
    expect(watch.state.kind).toBe('synced');
  });

  it('calls changed once for a chunk of many events', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [])], '5') }));
    const { watch, until, names, changes } = loop(api.url);
    await watch.started(new AbortController().signal);
    const stream = await api.nextWatch();
    const before = changes();
    const events = Array.from({ length: 20 }, (_, index) => watchEvent('MODIFIED', endpointSlice('a', 'web', Array.from({ length: index + 1 }, (_, i) => web(i))), String(6 + index)));
    stream.send(...events);
    await until(() => names().length === 20, 'all 20');
    expect(changes() - before).toBe(1);
  });

  it('close() aborts the watch in flight and ends the loop', async () => {
    const api = await server((call) => (call.watch ? { watch: true } : { json: sliceList([], '5') }));
    const { watch } = loop(api.url);
    await watch.started(new AbortController().signal);
    const stream = await api.nextWatch();
    await watch.close();
    await stream.closed;
    expect(api.openConnections()).toBe(0);
  });
});
