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
import { createCredentials } from '../kubernetes/credential-source';
import type { KubernetesSettings } from '../kubernetes/settings';
import { SliceWatch } from '../kubernetes/list-watch';
import { SliceStore } from '../kubernetes/slice-store';
import type { Observation } from '../membership/observation';
import type { Source, SourceSettings } from './source';

/** How long after the first of a burst of watch events the runtime is told: the rest of the burst comes with it. */
export const BURST_WINDOW_MS = 25;

/** Settings of the kubernetes source. */
export type KubernetesSourceSettings = Pick<SourceSettings, 'kubernetes' | 'serviceDomain' | 'portName' | 'protocol' | 'port' | 'family'>;

/** Create the `kubernetes` source. Nothing is read or sent before its first observation. */
export function createKubernetesSource(_resolver: Resolver, settings: KubernetesSourceSettings): Source {
  const given = settings.kubernetes;
  if (given === undefined) throw new RangeError('the kubernetes source needs its settings (config fills them in when "kubernetes" is among the sources)');
  const kubernetes: KubernetesSettings = given;
  const store = new SliceStore({
    service: kubernetes.service,
    serviceDomain: settings.serviceDomain,
    portName: settings.portName,
    protocol: settings.protocol,
    port: settings.port,
    family: settings.family,
  });
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
  let watch: SliceWatch | undefined;
  let closed = false;

  async function observe(signal: AbortSignal): Promise<Observation> {
    signal.throwIfAborted();
    if (closed) return closedObservation();
    watch ??= new SliceWatch({ settings: kubernetes, credentials: createCredentials(kubernetes.credentials, kubernetes), store, changed });
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
      await watch?.close();
    },
  };
}

/** What a source closed before its first list answers: a failure, never an empty Service. */
function closedObservation(): Observation {
  const error = new KubernetesApiError('ERR_K8S_UNREACHABLE', 'list endpointslices', 'The kubernetes source was closed before it could list the EndpointSlices.');
  return { ok: false, source: 'kubernetes', error, queries: 0 };
}
