/**
 * One line of a watch stream applied to the slice store: `ADDED` / `MODIFIED` / `DELETED` change
 * a slice, a `BOOKMARK` only moves the resume point, an `ERROR` carrying `410` means the resume
 * point is too old (list again) and any other `ERROR` ends the watch; a line that is not a watch
 * event is a problem, reported once, and skipped.
 *
 * @module
 */
import type { KubernetesApiError } from '../errors';
import { readStatus, type ApiStatus } from './api-errors';
import { asRecord, objectResourceVersion, parseJson } from './endpoint-slice';
import type { SliceStore } from './slice-store';

/** What a line did: changed the endpoints or not, was skipped, expired the watch, or ended it with an error. */
export type WatchLineOutcome = 'changed' | 'same' | 'ignored' | 'expired' | KubernetesApiError;

/**
 * Apply `line`. `seen` is told every `resourceVersion` an event carries (the resume point moves
 * even past an object that is ignored: the server must not send it again); `failure` turns an
 * `ERROR` event's Status into the error that ends the watch.
 */
export function applyWatchLine(line: string, store: SliceStore, seen: (resourceVersion: string) => void, failure: (status: ApiStatus) => KubernetesApiError): WatchLineOutcome {
  const event = asRecord(parseJson(line));
  const type = event?.['type'];
  if (!event || typeof type !== 'string') {
    const start = line.slice(0, 40);
    store.report('watch', { key: `not-an-event:${start}`, message: `The API sent a watch line that is not a JSON watch event (${JSON.stringify(start)}…).` });
    return 'ignored';
  }
  const object = event['object'];
  if (type === 'ERROR') {
    const status = readStatus(object);
    return status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone' ? 'expired' : failure(status);
  }
  const resourceVersion = objectResourceVersion(object);
  if (resourceVersion !== undefined) seen(resourceVersion);
  if (type === 'BOOKMARK') return 'same';
  if (type === 'ADDED' || type === 'MODIFIED') return store.upsert(object) ? 'changed' : 'same';
  if (type === 'DELETED') return store.remove(object) ? 'changed' : 'same';
  store.report('watch', { key: `event-type:${type.slice(0, 40)}`, message: `The API sent a watch event of the unknown type ${JSON.stringify(type.slice(0, 40))}.` });
  return 'ignored';
}
