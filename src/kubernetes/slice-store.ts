/**
 * The Service's EndpointSlices as last seen, by name, and the endpoints they make together.
 * A list replaces them all, a watch event one; an object that fails the checks changes nothing
 * (the slice keeps its last good version) and is a problem, reported once over the store's life.
 *
 * @module
 */
import type { KubernetesApiError } from '../errors';
import type { ObservedEndpoint } from '../membership/observation';
import { badObjectError } from './api-errors';
import { objectName, readEndpointSlice, type SliceProblem } from './endpoint-slice';
import type { SliceMapping } from './settings';
import { mapSlice, mergeSlices, type KeyedEndpoint, type StoredSlice } from './slice-endpoints';

/** Problems remembered as reported, at most; past it, the memory starts again (a fault may then be reported again). */
const MAX_REMEMBERED_PROBLEMS = 1024;

interface Entry extends StoredSlice {
  /** What the endpoints are, to tell a change that matters from one that does not (an annotation). */
  readonly fingerprint: string;
}

/** The cache of one Service's slices. */
export class SliceStore {
  readonly #mapping: SliceMapping;
  readonly #slices = new Map<string, Entry>();
  readonly #reported = new Set<string>();
  #problems: KubernetesApiError[] = [];
  #writes = 0;
  #endpoints: readonly ObservedEndpoint[] | undefined = [];

  constructor(mapping: SliceMapping) {
    this.#mapping = mapping;
  }

  /** The Service's endpoints: the same array until a slice changes what they are. */
  endpoints(): readonly ObservedEndpoint[] {
    this.#endpoints ??= Object.freeze(mergeSlices(this.#slices.values()));
    return this.#endpoints;
  }

  /** How many slices are held. */
  get size(): number {
    return this.#slices.size;
  }

  /** The problems found since the last call, each new one once. */
  takeProblems(): readonly KubernetesApiError[] {
    const problems = this.#problems;
    this.#problems = [];
    return problems;
  }

  /** Whether problems wait to be taken. */
  get hasProblems(): boolean {
    return this.#problems.length > 0;
  }

  /** Report a problem (once per key), e.g. a watch line that is not JSON. */
  report(verb: 'list' | 'watch', problem: SliceProblem): void {
    if (this.#reported.has(problem.key)) return;
    if (this.#reported.size >= MAX_REMEMBERED_PROBLEMS) this.#reported.clear();
    this.#reported.add(problem.key);
    this.#problems.push(badObjectError(verb, problem.message));
  }

  /** Replace every slice with a list's items. True when the endpoints changed. */
  replace(items: readonly unknown[]): boolean {
    const kept = new Set<string>();
    let changed = false;
    for (const item of items) {
      changed = this.#put(item, 'list') || changed;
      const name = objectName(item);
      if (name !== undefined) kept.add(name);
    }
    for (const name of [...this.#slices.keys()]) {
      if (kept.has(name)) continue;
      changed = (this.#slices.get(name)?.endpoints.length ?? 0) > 0 || changed;
      this.#slices.delete(name);
      this.#endpoints = undefined;
    }
    return changed;
  }

  /** An ADDED or MODIFIED slice. True when the endpoints changed. */
  upsert(object: unknown): boolean {
    return this.#put(object, 'watch');
  }

  /** A DELETED slice (of this Service or not: a slice relabelled away is deleted for our selector). True when the endpoints changed. */
  remove(object: unknown): boolean {
    const name = objectName(object);
    if (name === undefined) {
      this.report('watch', { key: 'deleted-without-name', message: 'The API sent a DELETED event for an object without a metadata.name.' });
      return false;
    }
    const entry = this.#slices.get(name);
    if (!entry) return false;
    this.#slices.delete(name);
    this.#endpoints = undefined;
    return entry.endpoints.length > 0;
  }

  #put(object: unknown, verb: 'list' | 'watch'): boolean {
    const read = readEndpointSlice(object, this.#mapping.service);
    if (!read.ok) {
      this.report(verb, read.problem);
      return false;
    }
    const previous = this.#slices.get(read.slice.name);
    const mapped = mapSlice(read.slice, this.#mapping, previous?.endpoints);
    for (const problem of mapped.problems) this.report(verb, problem);
    this.#writes += 1;
    const fingerprint = fingerprintOf(mapped.endpoints);
    this.#slices.set(read.slice.name, { written: this.#writes, endpoints: mapped.endpoints, fingerprint });
    // Merged again even when this slice is unchanged: being written last, its copy of a duplicate now wins.
    this.#endpoints = undefined;
    return previous?.fingerprint !== fingerprint;
  }
}

function fingerprintOf(endpoints: readonly KeyedEndpoint[]): string {
  return JSON.stringify(endpoints);
}
