/**
 * The fake API server's storage: objects by resource, namespace and name; one resourceVersion
 * counter for every write (as etcd's revision), the server-set metadata (`uid`,
 * `resourceVersion`, `generation`, `creationTimestamp`), and a bounded history of changes that
 * watches resume from. Older resourceVersions are "compacted": a watch from one gets 410.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { apiTimestamp } from '../fake-pod';
import type { KubeObject } from './cluster-state';
import { VOLATILE_ANNOTATIONS } from './endpoint-slices';
import { RESOURCES, type KubeResource } from './resources';

/** The type of a change (a watch event's `type`). */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of one object. */
export interface StoreEvent {
  readonly type: ChangeType;
  readonly resource: KubeResource;
  readonly namespace: string;
  readonly resourceVersion: number;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change, `null` for ADDED: a watch with a selector needs both. */
  readonly previous: KubeObject | null;
}

interface Entry {
  readonly object: KubeObject;
  /** What was written, without the volatile fields: an identical write is no change. */
  readonly content: string;
  /** Written by the fake cluster's controllers (replaced on every sync), not by a test. */
  readonly managed: boolean;
}

const METADATA_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
];

function orderedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of METADATA_ORDER) if (metadata[key] !== undefined) ordered[key] = metadata[key];
  for (const [key, value] of Object.entries(metadata)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return ordered;
}

function contentOf(object: KubeObject): string {
  const annotations = { ...(object.metadata?.annotations ?? {}) };
  for (const key of VOLATILE_ANNOTATIONS) delete annotations[key];
  return JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: undefined, annotations } });
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/** The objects and their history. */
export class ObjectStore {
  readonly #entries = new Map<KubeResource, Map<string, Entry>>(Object.keys(RESOURCES).map((resource) => [resource as KubeResource, new Map()]));
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #historyLimit: number;
  #history: StoreEvent[] = [];
  // Opaque to clients; starting above 1 keeps a client from mistaking "1" for "first".
  #resourceVersion = 4000;
  #compacted = 4000;

  constructor(historyLimit: number) {
    this.#historyLimit = historyLimit;
  }

  /** The latest resourceVersion (what a list returns). */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** The oldest resourceVersion a watch can start from. */
  get oldestResourceVersion(): number {
    return this.#compacted;
  }

  /** One object, as stored. */
  get(resource: KubeResource, namespace: string, name: string): KubeObject | undefined {
    return this.#table(resource).get(keyOf(namespace, name))?.object;
  }

  /** Every object of a resource (in a namespace, or all), sorted by namespace and name as etcd lists them. */
  list(resource: KubeResource, namespace: string | null): KubeObject[] {
    return [...this.#table(resource).entries()]
      .filter(([key]) => namespace === null || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.object);
  }

  /** The changes after `resourceVersion`, or `null` when some of them are no longer kept. */
  since(resourceVersion: number): StoreEvent[] | null {
    if (resourceVersion < this.#compacted) return null;
    return this.#history.filter((event) => event.resourceVersion > resourceVersion);
  }

  /** Forget the history: a watch from any resourceVersion before now gets 410. */
  compact(): void {
    this.#history = [];
    this.#compacted = this.#resourceVersion;
  }

  /** Be told of every change, as it is made. Returns a function that stops it. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Create or update an object (`managed`: owned by the cluster's controllers). No event when nothing changed. */
  put(resource: KubeResource, object: KubeObject, managed: boolean): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    const table = this.#table(resource);
    const previous = table.get(keyOf(namespace, name));
    const content = contentOf(object);
    if (previous && previous.content === content) return;
    const givenUid = object.metadata?.uid;
    if (previous && givenUid !== undefined && givenUid !== previous.object.metadata?.uid) {
      // Another object under the same name (a re-created pod): a delete, then a create.
      this.remove(resource, namespace, name);
      this.put(resource, object, managed);
      return;
    }
    const before = previous?.object.metadata;
    const generation = RESOURCES[resource].generation ? { generation: ((before?.['generation'] as number | undefined) ?? 0) + 1 } : {};
    const stored: KubeObject = {
      ...object,
      metadata: orderedMetadata({
        ...object.metadata,
        uid: givenUid ?? before?.uid ?? randomUUID(),
        resourceVersion: String(++this.#resourceVersion),
        ...generation,
        creationTimestamp: object.metadata?.['creationTimestamp'] ?? before?.['creationTimestamp'] ?? apiTimestamp(Date.now()),
      }),
    };
    table.set(keyOf(namespace, name), { object: stored, content, managed });
    this.#emit({ type: previous ? 'MODIFIED' : 'ADDED', resource, namespace, resourceVersion: this.#resourceVersion, object: stored, previous: previous?.object ?? null });
  }

  /** Delete an object, if it exists. */
  remove(resource: KubeResource, namespace: string, name: string): void {
    const table = this.#table(resource);
    const previous = table.get(keyOf(namespace, name));
    if (!previous) return;
    table.delete(keyOf(namespace, name));
    const object = { ...previous.object, metadata: { ...previous.object.metadata, resourceVersion: String(++this.#resourceVersion) } };
    this.#emit({ type: 'DELETED', resource, namespace, resourceVersion: this.#resourceVersion, object, previous: previous.object });
  }

  /**
   * Write what the controllers want of a resource: creates first, then updates (as the
   * EndpointSlice controller orders them, so an endpoint is never missing in between). Returns
   * the managed objects that are no longer wanted, for the caller to delete last.
   */
  putManaged(resource: KubeResource, desired: ReadonlyMap<string, KubeObject>): string[] {
    const table = this.#table(resource);
    const fresh = [...desired].filter(([key]) => !table.has(key));
    const existing = [...desired].filter(([key]) => table.has(key));
    for (const [, object] of [...fresh, ...existing]) this.put(resource, object, true);
    return [...table].filter(([key, entry]) => entry.managed && !desired.has(key)).map(([key]) => key);
  }

  /** Delete objects by `<namespace>/<name>` key. */
  removeKeys(resource: KubeResource, keys: readonly string[]): void {
    for (const key of keys) {
      const slash = key.indexOf('/');
      this.remove(resource, key.slice(0, slash), key.slice(slash + 1));
    }
  }

  #table(resource: KubeResource): Map<string, Entry> {
    return this.#entries.get(resource) as Map<string, Entry>;
  }

  #emit(event: StoreEvent): void {
    this.#history.push(event);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#compacted = (dropped.at(-1) as StoreEvent).resourceVersion;
    }
    for (const listener of this.#listeners) listener(event);
  }
}
