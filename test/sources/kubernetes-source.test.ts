/**
 * The `kubernetes` source as a `Source`, against a scriptable API server on loopback: the first
 * observation lists, later ones answer from the cache with no I/O; `changed` is called once per
 * burst of watch events; a failure is a failed observation (never an empty one); problems are
 * handed over once; close() ends the watch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesSettings } from '../../src/kubernetes/settings';
import { createKubernetesSource } from '../../src/sources/kubernetes';
import type { Resolver } from '../../src/dns/types';
import type { Source } from '../../src/sources/source';
import { endpointSlice, podEndpoint, sliceList, temporaryDirectory, watchEvent, writeKubeconfig } from '../helpers/k8s-objects';
import { startRawApiServer, type ApiCall, type ApiReply, type RawApiServer } from '../helpers/raw-k8s-api';
import { readFileSync } from 'node:fs';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const signal = new AbortController().signal;
const web = (ordinal: number) => podEndpoint({ pod: `web-${ordinal}`, address: `10.0.0.${ordinal}` });
const readFile = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

async function setUp(handle: (call: ApiCall) => ApiReply): Promise<{ api: RawApiServer; source: Source; changes: () => number }> {
  const api = await startRawApiServer(handle);
  cleanups.push(() => api.close());
  const directory = temporaryDirectory();
  cleanups.push(directory.remove);
  const kubernetes: KubernetesSettings = {
    namespace: 'default',
    service: 'web',
    credentials: { kind: 'kubeconfig', paths: [writeKubeconfig(directory.path, [{ name: 'test', server: api.url, token: 't' }])], context: null, from: 'kubernetes.kubeconfig' },
    readFile,
    timing: { minWatchSeconds: 300, requestTimeoutMs: 2000, tokenMaxAgeMs: 60_000, backoff: { initialMs: 20, maxMs: 200 } },
  };
  const source = createKubernetesSource({} as Resolver, { kubernetes, serviceDomain: 'web.default.svc.cluster.local', portName: 'peer', protocol: 'tcp', port: null, family: 'both' });
  cleanups.push(() => source.close?.());
  let changes = 0;
  source.subscribe?.(() => (changes += 1));
  return { api, source, changes: () => changes };
}

/** Resolve once `changes()` has grown past `from` (a listener call is what the runtime reacts to). */
async function changedAfter(changes: () => number, from: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (changes() <= from) {
    if (Date.now() > deadline) throw new Error('no change notified');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the kubernetes source', () => {
  it('lists on its first observation only; later ones answer from the cache, the same endpoints while nothing changes', async () => {
    const { api, source } = await setUp((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [web(0), web(1)])], '7') }));
    const first = await source.observe(signal);
    expect(first).toMatchObject({ ok: true, source: 'kubernetes', queries: 0 });
    if (!first.ok) return;
    expect(first.endpoints.map((endpoint) => endpoint.pod)).toEqual(['web-0', 'web-1']);
    await api.nextWatch();
    const calls = api.calls.length;
    const second = await source.observe(signal);
    expect(second.ok && second.endpoints).toBe(first.endpoints);
    expect(api.calls).toHaveLength(calls);
  });

  it('says it changed once for a burst of events, written in one chunk or in several at once (within the burst window)', async () => {
    const { api, source, changes } = await setUp((call) => (call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [])], '7') }));
    await source.observe(signal);
    const stream = await api.nextWatch();
    await changedAfter(changes, -1);
    let before = changes();
    stream.send(...[1, 2, 3, 4].map((count) => watchEvent('MODIFIED', endpointSlice('a', 'web', Array.from({ length: count }, (_, index) => web(index))), String(7 + count))));
    await changedAfter(changes, before);
    const observation = await source.observe(signal);
    expect(observation.ok && observation.endpoints).toHaveLength(4);
    before = changes();
    for (const name of ['b', 'c', 'd']) stream.send(watchEvent('ADDED', endpointSlice(name, 'web', [web(name.charCodeAt(0))]), `2${name.charCodeAt(0)}`));
    await changedAfter(changes, before);
    // One more event after the burst was told: had the burst been told twice, this is the third.
    stream.send(watchEvent('ADDED', endpointSlice('e', 'web', [web(9)]), '30'));
    await changedAfter(changes, before + 1);
    expect(changes() - before).toBe(2);
  });

  it('a failing API is a failed observation, never an empty one; problems come with the next success, once', async () => {
    let up = false;
    const { api, source } = await setUp((call) => {
      if (!up) return { status: 500, json: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } };
      return call.watch ? { watch: true } : { json: sliceList([endpointSlice('a', 'web', [web(0)]), endpointSlice('x', 'db', [])], '7') };
    });
    const failed = await source.observe(signal);
    expect(failed).toMatchObject({ ok: false, source: 'kubernetes', error: { code: 'ERR_K8S_API', status: 500, request: 'list endpointslices' } });
    up = true;
    await api.nextWatch();
    const recovered = await source.observe(signal);
    expect(recovered).toMatchObject({ ok: true, problems: [{ code: 'ERR_K8S_BAD_OBJECT' }] });
    const again = await source.observe(signal);
    expect(again.ok && again.problems).toBeUndefined();
  });

  it('close() ends the watch, and an observation after it fails rather than answering empty', async () => {
    const { api, source } = await setUp((call) => (call.watch ? { watch: true } : { json: sliceList([], '7') }));
    await source.observe(signal);
    const stream = await api.nextWatch();
    await source.close?.();
    await stream.closed;
    expect(await source.observe(signal)).toMatchObject({ ok: false, error: { code: 'ERR_K8S_UNREACHABLE' } });
  });

  it('an aborted observation rejects with the reason', async () => {
    const { source } = await setUp(() => ({ hangUp: true }));
    const controller = new AbortController();
    controller.abort(new Error('closing'));
    await expect(source.observe(controller.signal)).rejects.toThrow('closing');
  });
});
