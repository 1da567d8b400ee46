/**
 * The `kubernetes` source: the Service's EndpointSlices, listed and watched through the
 * Kubernetes API (`kubernetes/`). It learns of changes by itself, so besides answering each
 * poll from its cache (no I/O after the first list) it says when the next answer would differ,
 * once per burst of watch events. While the API cannot be read, the poll fails (the membership
 * is kept, stale, and the next source in `sources` answers instead), never empties.
 *
 * @module
 */
import type { Resolver } from '../dns/types';
import { KubernetesApiError } from '../errors';
import type { KubernetesSettings } from '../kubernetes/settings';
import type { SliceFeed } from '../kubernetes/slice-feed';
import type { Observation } from '../membership/observation';
import type { Source, SourceSettings } from './source';

/** How long after the first of a burst of watch events the runtime is told: the rest of the burst comes with it. */
export const BURST_WINDOW_MS = 25;

/** Settings of the kubernetes source. */
export type KubernetesSourceSettings = Pick<SourceSettings, 'kubernetes' | 'serviceDomain' | 'portName' | 'protocol' | 'port' | 'family'>;

/** Create the `kubernetes` source. Nothing is loaded, read or sent before its first observation. */
export function createKubernetesSource(_resolver: Resolver, settings: KubernetesSourceSettings): Source {
  const given = settings.kubernetes;
  if (given === undefined) throw new RangeError('the kubernetes source needs its settings (config fills them in when "kubernetes" is among the sources)');
  const kubernetes: KubernetesSettings = given;
  const listeners = new Set<() => void>();
  // A burst of watch events (the slices the controller rewrites together arrive within a few
  // milliseconds) is one change: the first event opens a short window, the runtime hears of all.
  let pending: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (pending !== undefined || listeners.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      for (const listener of listeners) listener();
    }, BURST_WINDOW_MS);
    pending.unref();
  };
  let feed: Promise<SliceFeed> | undefined;
  let closed = false;

  async function observe(signal: AbortSignal): Promise<Observation> {
    signal.throwIfAborted();
    if (closed) return closedObservation();
    // A feed that could not be opened is opened again by the next poll.
    feed ??= openSliceFeed(kubernetes, settings, changed).catch((error: unknown) => {
      feed = undefined;
      throw error;
    });
    const { store, watch } = await feed;
    if (closed) return closedObservation();
    await watch.started(signal);
    const state = watch.state;
    if (state.kind === 'starting') return closedObservation();
    if (state.kind === 'failing') return { ok: false, source: 'kubernetes', error: state.error, queries: 0 };
    const problems = store.takeProblems();
    return { ok: true, source: 'kubernetes', endpoints: store.endpoints(), ...(problems.length > 0 ? { problems } : {}), queries: 0 };
  }

  return {
    name: 'kubernetes',
    observe,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      closed = true;
      clearTimeout(pending);
      pending = undefined;
      listeners.clear();
      const opened = await feed?.catch(() => undefined);
      await opened?.watch.close();
    },
  };
}

/**
 * The cache and its loop, over the Kubernetes API client code, loaded on first use: a program
 * that reads only DNS never loads (or compiles) it, nor Node's https and tls.
 */
async function openSliceFeed(kubernetes: KubernetesSettings, settings: KubernetesSourceSettings, changed: () => void): Promise<SliceFeed> {
  const { createSliceFeed } = await import('../kubernetes/slice-feed');
  const { serviceDomain, portName, protocol, port, family } = settings;
  return createSliceFeed(kubernetes, { serviceDomain, portName, protocol, port, family }, changed);
}

/** What a source closed before its first list answers: a failure, never an empty Service. */
function closedObservation(): Observation {
  const error = new KubernetesApiError('ERR_K8S_UNREACHABLE', 'list endpointslices', 'The kubernetes source was closed before it could list the EndpointSlices.');
  return { ok: false, source: 'kubernetes', error, queries: 0 };
}
