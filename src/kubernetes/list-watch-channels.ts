/**
 * What the list/watch loop publishes on the diagnostics channels (`headless-discovery:kubernetes:list`
 * and `…:watch`): each list with its outcome, each watch as it opens and ends. Built only while
 * someone subscribes.
 *
 * @module
 */
import { kubernetesListChannel, kubernetesWatchChannel, type KubernetesWatchMessage } from '../observability/channels';

/** Which Service the loop watches, and the API server it talks to (known once a request was sent). */
export interface WatchedService {
  readonly service: string;
  readonly namespace: string;
  server(): string;
}

/** Publishes one event of a watch. */
export type WatchTeller = (event: Pick<KubernetesWatchMessage, 'event' | 'events' | 'error' | 'durationMs'>) => void;

/** Run `list` (resolving with the list's `resourceVersion` and how many slices the store then holds), publishing its outcome when someone listens. */
export async function toldList(watched: WatchedService, fromCache: boolean, list: () => Promise<{ resourceVersion: string; items: number }>): Promise<string> {
  if (!kubernetesListChannel.hasSubscribers) return (await list()).resourceVersion;
  const started = performance.now();
  const { service, namespace } = watched;
  try {
    const { resourceVersion, items } = await list();
    kubernetesListChannel.publish({ service, namespace, server: watched.server(), fromCache, outcome: 'ok', items, resourceVersion, durationMs: performance.now() - started });
    return resourceVersion;
  } catch (error) {
    kubernetesListChannel.publish({ service, namespace, server: watched.server(), fromCache, outcome: 'failed', error: error as Error, durationMs: performance.now() - started });
    throw error;
  }
}

/** A teller for one watch from `resourceVersion`, or `undefined` while nobody listens. */
export function watchTeller(watched: WatchedService, resourceVersion: string, timeoutSeconds: number): WatchTeller | undefined {
  if (!kubernetesWatchChannel.hasSubscribers) return undefined;
  const { service, namespace } = watched;
  return (event) => kubernetesWatchChannel.publish({ service, namespace, server: watched.server(), resourceVersion, timeoutSeconds, ...event });
}

/** `watched` with `expired` and `failed` told once it settles (`opened` and `ended` are told by the stream). */
export function toldWatch<T extends { readonly expired: boolean }>(watched: Promise<T>, told: WatchTeller | undefined): Promise<T> {
  if (!told) return watched;
  return watched.then(
    (end) => {
      if (end.expired) told({ event: 'expired' });
      return end;
    },
    (error: unknown) => {
      told({ event: 'failed', error: error as Error });
      throw error;
    },
  );
}
