/**
 * Answering one request as the API server does: authenticate the bearer token (401), authorize
 * the verb (403), then get, list (with `limit`/`continue` pages of one snapshot) or watch (from
 * a resourceVersion, with 410 for one older than the history kept, delivered either as an ERROR
 * event in a 200 stream, as the watch cache does, or as the HTTP status).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from './cluster-state';
import { parseQuery, parseRoute, verbOf, type ListQuery, type ResourceRoute } from './routes';
import { parseFieldSelector, parseLabelSelector, SelectorError, type Selector } from './selectors';
import * as statuses from './status';
import type { KubeVerb, StatusBody } from './status';
import type { ObjectStore } from './store';
import { WatchStream, withType } from './watch-stream';

/** How a watch from a compacted resourceVersion is refused. */
export type ExpiredWatchMode = 'event' | 'status';

/** A request the fake API received. */
export interface KubeApiRequest {
  /** `GET`, … */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The verb it is authorized as (`null` for a path outside the resources, such as `/version`). */
  readonly verb: KubeVerb | null;
  /** The resource (`endpointslices`, `services`, `pods`), or `null`. */
  readonly resource: string | null;
  /** The namespace in the path, or `null`. */
  readonly namespace: string | null;
  /** The object's name in the path, or `null` for a collection. */
  readonly name: string | null;
  /** Whether it carried a bearer token the server accepts. */
  readonly authenticated: boolean;
}

/** What the handler needs from the fake API. */
export interface HandlerContext {
  readonly store: ObjectStore;
  /** The user the token authenticates as (in 403 messages). */
  readonly user: string;
  readonly expiredAs: ExpiredWatchMode;
  readonly bookmarkIntervalMs: number;
  readonly watchTimeoutSeconds: number;
  readonly version: KubeObject;
  /** `true` while the server answers 503 to everything. */
  readonly unavailable: boolean;
  /** `true` while the server leaves requests unanswered. */
  readonly hanging: boolean;
  /** Leave a request unanswered until the outage ends. */
  hold(response: ServerResponse): void;
  acceptsToken(token: string): boolean;
  isForbidden(resource: string, verb: KubeVerb, namespace: string | null): boolean;
  received(request: KubeApiRequest): void;
  watchOpened(stream: WatchStream): void;
}

/** Pages of a list, by continue token: each page comes from the snapshot of the first. */
interface Snapshot {
  readonly resourceVersion: number;
  readonly items: readonly KubeObject[];
}

const SNAPSHOTS_KEPT = 64;

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Audit-Id': randomUUID() });
  response.end(JSON.stringify(body));
}

function sendStatus(response: ServerResponse, status: StatusBody): void {
  send(response, status.code, status);
}

/** Serves requests from a {@link HandlerContext}. */
export class RequestHandler {
  readonly #context: HandlerContext;
  readonly #snapshots = new Map<string, Snapshot>();

  constructor(context: HandlerContext) {
    this.#context = context;
  }

  /** Answer one request. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'https://fake');
    const route = parseRoute(url.pathname);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const authenticated = token !== undefined && this.#context.acceptsToken(token);
    let query: ListQuery | undefined;
    let invalid = '';
    try {
      query = parseQuery(url.searchParams);
    } catch (error) {
      invalid = (error as Error).message;
    }
    this.#context.received({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      verb: route && query ? verbOf(route, query) : null,
      resource: route?.info.resource ?? null,
      namespace: route?.namespace ?? null,
      name: route?.name ?? null,
      authenticated,
    });
    if (this.#context.hanging) return this.#context.hold(response);
    if (this.#context.unavailable) return sendStatus(response, statuses.unavailable());
    if (!authenticated) return sendStatus(response, statuses.unauthorized());
    if (request.method !== 'GET') return sendStatus(response, statuses.methodNotAllowed());
    if (url.pathname === '/version') return send(response, 200, this.#context.version);
    if (!route) return sendStatus(response, statuses.noSuchPath());
    if (!query) return sendStatus(response, statuses.badRequest(invalid));
    const verb = verbOf(route, query);
    if (this.#context.isForbidden(route.info.resource, verb, route.namespace)) {
      return sendStatus(response, statuses.forbidden(route.info, verb, this.#context.user, route.namespace, route.name));
    }
    let matches: Selector;
    try {
      const labels = parseLabelSelector(query.labelSelector);
      const fields = parseFieldSelector(route.name !== null ? `metadata.name=${route.name}` : query.fieldSelector);
      matches = (object) => labels(object) && fields(object);
    } catch (error) {
      if (!(error instanceof SelectorError)) throw error;
      return sendStatus(response, statuses.badRequest(error.message));
    }
    if (verb === 'watch') return this.#watch(route, query, matches, response);
    if (verb === 'get') return this.#get(route, response);
    return this.#list(route, query, matches, response);
  }

  #get(route: ResourceRoute, response: ServerResponse): void {
    const object = this.#context.store.get(route.info.resource, route.namespace ?? '', route.name ?? '');
    if (!object) return sendStatus(response, statuses.notFound(route.info, route.name ?? ''));
    send(response, 200, withType(route.info, object));
  }

  #list(route: ResourceRoute, query: ListQuery, matches: Selector, response: ServerResponse): void {
    const store = this.#context.store;
    let snapshot: Snapshot;
    let offset = 0;
    if (query.continueToken !== null) {
      const [id, start] = query.continueToken.split('.');
      const found = this.#snapshots.get(id ?? '');
      if (!found || found.resourceVersion < store.oldestResourceVersion) return sendStatus(response, statuses.continueExpired());
      snapshot = found;
      offset = Number(start);
    } else {
      snapshot = { resourceVersion: store.resourceVersion, items: store.list(route.info.resource, route.namespace).filter(matches) };
    }
    const end = query.limit === null ? snapshot.items.length : Math.min(snapshot.items.length, offset + query.limit);
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.resourceVersion) };
    if (end < snapshot.items.length) {
      const id = randomUUID();
      this.#snapshots.set(id, snapshot);
      for (const old of [...this.#snapshots.keys()].slice(0, Math.max(0, this.#snapshots.size - SNAPSHOTS_KEPT))) this.#snapshots.delete(old);
      metadata['continue'] = `${id}.${end}`;
      metadata['remainingItemCount'] = snapshot.items.length - end;
    }
    send(response, 200, { kind: route.info.listKind, apiVersion: route.info.apiVersion, metadata, items: snapshot.items.slice(offset, end) });
  }

  #watch(route: ResourceRoute, query: ListQuery, matches: Selector, response: ServerResponse): void {
    const store = this.#context.store;
    const requested = query.resourceVersion;
    const fromNow = requested === null || requested === '0';
    const version = fromNow ? store.resourceVersion : Number(requested);
    if (!fromNow && !/^\d+$/.test(requested)) {
      return sendStatus(response, statuses.badRequest(`resourceVersion: Invalid value: "${requested}": strconv.ParseUint: parsing "${requested}": invalid syntax`));
    }
    if (version > store.resourceVersion) return sendStatus(response, statuses.tooLargeResourceVersion(version, store.resourceVersion));
    const backlog = fromNow ? [] : store.since(version);
    if (backlog === null && this.#context.expiredAs === 'status') {
      return sendStatus(response, statuses.expired(version, store.oldestResourceVersion));
    }
    const stream = new WatchStream(response, {
      resource: route.info.resource,
      namespace: route.namespace,
      matches,
      bookmarks: query.allowWatchBookmarks,
    });
    stream.open((query.timeoutSeconds || this.#context.watchTimeoutSeconds) * 1000, this.#context.bookmarkIntervalMs, () => store.resourceVersion);
    if (backlog === null) return stream.fail(statuses.expired(version, store.oldestResourceVersion));
    if (fromNow) for (const object of store.list(route.info.resource, route.namespace)) stream.initial(object);
    for (const event of backlog) stream.push(event);
    this.#context.watchOpened(stream);
  }
}
