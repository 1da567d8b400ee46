/**
 * The list/watch loop over one Service's EndpointSlices, as client-go's reflector runs it:
 * list, then watch from the list's `resourceVersion` with bookmarks and a randomised
 * `timeoutSeconds`; a watch that ends (normally, or broken mid-stream) is resumed from the last
 * `resourceVersion` seen, bookmarks included, so nothing is lost; `410 Gone` (as the status or as
 * an `ERROR` event) lists again; a 401 re-reads the credentials and tries once more at once;
 * other failures back off (jittered, capped) and try again. The loop only fills the store and
 * says when something changed; what it means is decided elsewhere.
 *
 * @module
 */
import { KubernetesApiError } from '../errors';
import { badObjectError, statusError, unreachableError, type ApiRequest } from './api-errors';
import { Backoff } from './backoff';
import type { Credentials } from './credentials';
import { asRecord, objectResourceVersion, parseJson } from './endpoint-slice';
import { readBody, sendGet, streamWithoutIdleTimeout, type ApiExchange } from './http-request';
import { JsonLines } from './json-lines';
import { toldList, toldWatch, watchTeller, type WatchedService, type WatchTeller } from './list-watch-channels';
import type { KubernetesSettings } from './settings';
import type { SliceStore } from './slice-store';
import { applyWatchLine } from './watch-event';

/** Where the loop stands: before its first outcome, in sync with the API, or failing (the store then holds the last known slices). */
export type WatchState = { readonly kind: 'starting' } | { readonly kind: 'synced' } | { readonly kind: 'failing'; readonly error: KubernetesApiError };

/** The biggest list body read (a slice of 1000 endpoints is about half a megabyte). */
const MAX_LIST_BYTES = 64 * 1024 * 1024;
/** The longest watch event. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
/** The longest error body read. */
const MAX_ERROR_BYTES = 64 * 1024;
/** A watch that delivers nothing and ends sooner than this did not work: the next one waits. */
const UNPRODUCTIVE_MS = 1000;
/** Past its `timeoutSeconds`, the server has this long to end a watch before the client does. */
const WATCH_GRACE_MS = 30_000;

/** What the loop is built from. */
export interface SliceWatchOptions {
  readonly settings: Pick<KubernetesSettings, 'namespace' | 'service' | 'timing'>;
  readonly credentials: Credentials;
  readonly store: SliceStore;
  /** Called when the store, its problems or the state changed (once per chunk of events at most). */
  readonly changed: () => void;
  /** Draws the watch timeouts and the backoff jitter. Default: `Math.random`. */
  readonly random?: () => number;
}

/** The options of one request: a list (`resourceVersion` `0`: from the watch cache) or a watch from a `resourceVersion`. */
export type SlicesQuery = { readonly watch?: undefined; readonly fromCache: boolean } | { readonly watch: true; readonly resourceVersion: string; readonly timeoutSeconds: number };

/** The path of the Service's EndpointSlices: the list, or the watch from `resourceVersion`. */
export function endpointSlicesPath(namespace: string, service: string, request: SlicesQuery = { fromCache: false }): string {
  const query = new URLSearchParams({ labelSelector: `kubernetes.io/service-name=${service}` });
  if (!request.watch && request.fromCache) query.set('resourceVersion', '0');
  if (request.watch) {
    const watch = request;
    query.set('watch', 'true');
    query.set('resourceVersion', watch.resourceVersion);
    query.set('allowWatchBookmarks', 'true');
    query.set('timeoutSeconds', String(watch.timeoutSeconds));
  }
  return `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices?${query.toString()}`;
}

/** How one watch ended: with a `410` (list again), and whether it did any good (else the next waits). */
type WatchEnd = { readonly expired: boolean; readonly productive: boolean };

/** The loop of one source. */
export class SliceWatch {
  readonly #options: SliceWatchOptions;
  readonly #controller = new AbortController();
  readonly #backoff: Backoff;
  readonly #random: () => number;
  #state: WatchState = { kind: 'starting' };
  #running: Promise<void> | undefined;
  // Node 20 has no Promise.withResolvers.
  #resolveFirstOutcome: () => void = () => undefined;
  readonly #firstOutcome = new Promise<void>((resolve) => (this.#resolveFirstOutcome = resolve));
  #unproductive = 0;
  /** The API server of the last request, for diagnostics. */
  #server = '';
  readonly #watched: WatchedService;

  constructor(options: SliceWatchOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#backoff = new Backoff(options.settings.timing.backoff, this.#random);
    this.#watched = { service: options.settings.service, namespace: options.settings.namespace, server: () => this.#server };
  }

  /** Where the loop stands. */
  get state(): WatchState {
    return this.#state;
  }

  /** Start the loop (once), and resolve when its first attempt has an outcome; rejects only when `signal` aborts. */
  async started(signal: AbortSignal): Promise<void> {
    this.#running ??= this.#run();
    if (this.#state.kind !== 'starting') return;
    signal.throwIfAborted();
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#firstOutcome, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stop: abort the request in flight and wait for the loop to end. */
  async close(): Promise<void> {
    this.#controller.abort();
    this.#resolveFirstOutcome();
    await this.#running;
    this.#options.credentials.close();
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    let resourceVersion: string | undefined;
    let retriedUnauthorized = false;
    // As client-go: the first list may come from the API server's watch cache (resourceVersion 0),
    // which spares etcd when every pod starts at once; a list after 410 is a consistent read.
    let fromCache = true;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.#list(fromCache);
          retriedUnauthorized = false;
        }
        const end = await this.#watch(resourceVersion, (seen) => (resourceVersion = seen));
        retriedUnauthorized = false;
        if (end.expired) {
          resourceVersion = undefined;
          fromCache = false;
        }
        if (end.productive) {
          this.#unproductive = 0;
          this.#backoff.reset();
        } else if (this.#unproductive++ > 0) {
          await this.#pause(this.#backoff.next());
        }
      } catch (error) {
        if (signal.aborted) return;
        const failure =
          error instanceof KubernetesApiError
            ? error
            : new KubernetesApiError('ERR_K8S_API', 'list endpointslices', `The kubernetes source failed unexpectedly (please report this): ${String(error)}`, { cause: error });
        if (failure.code === 'ERR_K8S_UNAUTHORIZED') {
          // A rotated token, an expired exec credential: read them again, and try once more at once.
          this.#options.credentials.unauthorized();
          if (!retriedUnauthorized) {
            retriedUnauthorized = true;
            continue;
          }
        }
        this.#fail(failure);
        await this.#pause(this.#backoff.next());
      }
    }
  }

  #list(fromCache: boolean): Promise<string> {
    return toldList(this.#watched, fromCache, async () => ({ resourceVersion: await this.#listSlices(fromCache), items: this.#options.store.size }));
  }

  async #listSlices(fromCache: boolean): Promise<string> {
    const { exchange, request } = await this.#send('list', { fromCache });
    const text = await readBody(exchange, exchange.response.statusCode === 200 ? MAX_LIST_BYTES : MAX_ERROR_BYTES).catch((error: unknown) => {
      throw unreachableError(request, error, this.#options.credentials.facts());
    });
    if (exchange.response.statusCode !== 200) throw statusError(request, exchange.response.statusCode ?? 0, parseJson(text), this.#options.credentials.facts());
    const list = asRecord(parseJson(text));
    const items = list?.['items'] ?? [];
    const resourceVersion = objectResourceVersion(list);
    if (!list || (list['kind'] !== undefined && list['kind'] !== 'EndpointSliceList') || !Array.isArray(items) || resourceVersion === undefined) {
      throw badObjectError('list', `The API answered the list of endpointslices at ${request.server} with something that is not an EndpointSliceList (${JSON.stringify(text.slice(0, 80))}…).`);
    }
    const changed = this.#options.store.replace(items);
    if (!this.#synced() && (changed || this.#options.store.hasProblems)) this.#options.changed();
    return resourceVersion;
  }

  #watch(resourceVersion: string, seen: (resourceVersion: string) => void): Promise<WatchEnd> {
    const timeoutSeconds = Math.floor(this.#options.settings.timing.minWatchSeconds * (1 + this.#random()));
    const told = watchTeller(this.#watched, resourceVersion, timeoutSeconds);
    const watched = this.#send('watch', { watch: true, resourceVersion, timeoutSeconds }).then(async ({ exchange, request }) => {
      if (exchange.response.statusCode !== 200) {
        const body = parseJson(await readBody(exchange, MAX_ERROR_BYTES).catch(() => ''));
        if (exchange.response.statusCode === 410) return { expired: true, productive: false };
        throw statusError(request, exchange.response.statusCode ?? 0, body, this.#options.credentials.facts());
      }
      streamWithoutIdleTimeout(exchange);
      told?.({ event: 'opened' });
      this.#synced();
      return this.#stream(exchange, request, seen, timeoutSeconds, told);
    });
    return toldWatch(watched, told);
  }

  /** Read a watch's events until it ends; resolves how it ended, rejects with an `ERROR` event that is not 410. */
  #stream(exchange: ApiExchange, request: ApiRequest, seen: (resourceVersion: string) => void, timeoutSeconds: number, told: WatchTeller | undefined): Promise<WatchEnd> {
    const { response } = exchange;
    const { store } = this.#options;
    const started = performance.now();
    const lines = new JsonLines(MAX_EVENT_BYTES);
    let events = 0;
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => response.destroy(), timeoutSeconds * 1000 + WATCH_GRACE_MS);
      deadline.unref();
      let outcome: { expired: boolean } | KubernetesApiError = { expired: false };
      response.on('data', (chunk: Buffer) => {
        const got = lines.push(chunk);
        if (got === 'too long') {
          store.report('watch', { key: 'event-too-long', message: `The API sent a watch event longer than ${MAX_EVENT_BYTES} bytes; the watch is started again.` });
          this.#options.changed();
          response.destroy();
          return;
        }
        let changed = false;
        for (const line of got) {
          const event = applyWatchLine(line, store, seen, (status) => statusError(request, status.code ?? 500, status, this.#options.credentials.facts()));
          if (event === 'ignored') continue;
          events += 1;
          if (event === 'changed') changed = true;
          if (event === 'expired' || typeof event === 'object') {
            outcome = event === 'expired' ? { expired: true } : event;
            response.destroy();
            break;
          }
        }
        if (changed || store.hasProblems) this.#options.changed();
      });
      response.on('error', () => undefined);
      response.on('close', () => {
        clearTimeout(deadline);
        if ('code' in outcome) {
          reject(outcome);
          return;
        }
        if (!outcome.expired) told?.({ event: 'ended', events, durationMs: performance.now() - started });
        resolve({ expired: outcome.expired, productive: events > 0 || performance.now() - started >= UNPRODUCTIVE_MS });
      });
    });
  }

  /** Connect and send one request; every failure is a {@link KubernetesApiError}. */
  async #send(verb: 'list' | 'watch', query: SlicesQuery): Promise<{ exchange: ApiExchange; request: ApiRequest }> {
    const { settings, credentials } = this.#options;
    const endpoint = await credentials.connect();
    const request: ApiRequest = { verb, namespace: settings.namespace, server: endpoint.server.href.replace(/\/+$/, '') };
    this.#server = request.server;
    const path = endpointSlicesPath(settings.namespace, settings.service, query);
    try {
      return { exchange: await sendGet(endpoint, path, this.#controller.signal, settings.timing.requestTimeoutMs), request };
    } catch (error) {
      throw unreachableError(request, error, credentials.facts());
    }
  }

  /** Now in sync; true when that is news (and `changed` was called for it). */
  #synced(): boolean {
    const was = this.#state.kind;
    this.#state = { kind: 'synced' };
    this.#resolveFirstOutcome();
    if (was === 'synced') return false;
    this.#options.changed();
    return true;
  }

  #fail(error: KubernetesApiError): void {
    this.#state = { kind: 'failing', error };
    this.#resolveFirstOutcome();
    this.#options.changed();
  }

  #pause(ms: number): Promise<void> {
    const signal = this.#controller.signal;
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
