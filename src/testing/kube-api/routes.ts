/**
 * The URLs the fake API serves, read as the API server reads them
 * (`/api/v1/namespaces/{ns}/pods/{name}`, `/apis/{group}/{version}/…`), and the query
 * parameters of a list or watch.
 *
 * @module
 */
import { RESOURCES, type ResourceInfo } from './resources';
import type { KubeVerb } from './status';

/** A request for a resource: a collection (`name: null`) or one object. */
export interface ResourceRoute {
  readonly info: ResourceInfo;
  /** `null` for a request across all namespaces. */
  readonly namespace: string | null;
  readonly name: string | null;
}

/** The query parameters of a list, get or watch. */
export interface ListQuery {
  /** `watch=true` or `watch=1`. */
  readonly watch: boolean;
  readonly labelSelector: string | null;
  readonly fieldSelector: string | null;
  /** `null` when absent or empty. */
  readonly resourceVersion: string | null;
  readonly allowWatchBookmarks: boolean;
  /** `null` when absent. */
  readonly timeoutSeconds: number | null;
  /** `null` when absent or 0 (no limit). */
  readonly limit: number | null;
  readonly continueToken: string | null;
}

/** What `path` names, or `null` when the server serves nothing there. */
export function parseRoute(path: string): ResourceRoute | null {
  const parts = path.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts[1] === 'discovery.k8s.io' && parts[2] === 'v1') rest = parts.slice(3);
  else return null;
  const prefix = parts[0] === 'api' ? '/api/v1' : '/apis/discovery.k8s.io/v1';
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1] as string;
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 2) return null;
  const info = Object.values(RESOURCES).find((candidate) => candidate.resource === rest[0] && candidate.prefix === prefix);
  if (!info) return null;
  const name = rest[1] ?? null;
  if (name !== null && namespace === null) return null;
  return { info, namespace, name };
}

/** Read the query of a list or watch; throws a `RangeError` with the API's message when a value is not valid. */
export function parseQuery(query: URLSearchParams): ListQuery {
  const integer = (key: string): number | null => {
    const text = query.get(key);
    if (text === null || text === '') return null;
    if (!/^\d+$/.test(text)) throw new RangeError(`${key}: Invalid value: "${text}": must be a non-negative integer`);
    return Number(text);
  };
  const flag = (key: string): boolean => ['true', '1'].includes(query.get(key) ?? '');
  const limit = integer('limit');
  const resourceVersion = query.get('resourceVersion');
  return {
    watch: flag('watch'),
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    resourceVersion: resourceVersion === null || resourceVersion === '' ? null : resourceVersion,
    allowWatchBookmarks: flag('allowWatchBookmarks'),
    timeoutSeconds: integer('timeoutSeconds'),
    limit: limit === 0 ? null : limit,
    continueToken: query.get('continue') || null,
  };
}

/** The verb a request is checked against (RBAC). */
export function verbOf(route: ResourceRoute, query: ListQuery): KubeVerb {
  if (query.watch) return 'watch';
  return route.name === null ? 'list' : 'get';
}
