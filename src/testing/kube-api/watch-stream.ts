/**
 * One open watch: a chunked HTTP response of newline-delimited JSON events
 * (`{"type":…,"object":…}`), as the API server streams them (Node's HTTP layer may put events
 * written in the same tick into one chunk; a client must not rely on the framing). Objects that
 * start or stop matching the watch's selectors arrive as ADDED or DELETED, as the watch cache
 * sends them; bookmarks when asked for; a clean end after `timeoutSeconds`; an ERROR event ends
 * the stream. A test can also cut it in the middle of a chunk.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './cluster-state';
import { RESOURCES, type KubeResource } from './resources';
import type { Selector } from './selectors';
import type { StatusBody } from './status';
import type { StoreEvent } from './store';

/** What a watch asked for. */
export interface WatchRequest {
  readonly resource: KubeResource;
  readonly namespace: string | null;
  /** The label and field selectors, together. */
  readonly matches: Selector;
  /** `allowWatchBookmarks=true`. */
  readonly bookmarks: boolean;
}

/** A watch event's `type`. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Response headers of a watch, as the API server sends them. */
export const WATCH_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' } as const;

/** The object with its `kind` and `apiVersion` first (those of the resource, unless it has its own). */
export function withType(info: { readonly kind: string; readonly apiVersion: string }, object: KubeObject): KubeObject {
  const { kind, apiVersion, ...rest } = object;
  return { kind: kind ?? info.kind, apiVersion: apiVersion ?? info.apiVersion, ...rest };
}

/** An open watch on one HTTP response. */
export class WatchStream {
  readonly request: WatchRequest;
  readonly #response: ServerResponse;
  readonly #timers: NodeJS.Timeout[] = [];
  #held = false;
  #closed = false;
  readonly #closedListeners: (() => void)[] = [];

  constructor(response: ServerResponse, request: WatchRequest) {
    this.#response = response;
    this.request = request;
    response.once('close', () => this.#close());
  }

  /** Whether the stream has ended (either side). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Send the headers now, so the client sees the watch open before any event. */
  open(timeoutMs: number, bookmarkIntervalMs: number, resourceVersion: () => number): void {
    this.#response.writeHead(200, WATCH_HEADERS);
    this.#response.flushHeaders();
    this.#timers.push(setTimeout(() => this.end(), timeoutMs).unref());
    if (this.request.bookmarks && bookmarkIntervalMs > 0) {
      this.#timers.push(setInterval(() => this.bookmark(resourceVersion()), bookmarkIntervalMs).unref());
    }
  }

  /** Call `listener` once the stream has ended. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closedListeners.push(listener);
  }

  /** Send an object that exists at the start (a watch from resourceVersion 0 or none). */
  initial(object: KubeObject): void {
    if (this.#inScope(object) && this.request.matches(object)) this.#write('ADDED', object);
  }

  /** Send a change, as this watch's selectors see it. */
  push(event: StoreEvent): void {
    if (event.resource !== this.request.resource || !this.#inScope(event.object)) return;
    const now = event.type !== 'DELETED' && this.request.matches(event.object);
    const before = event.previous !== null && this.request.matches(event.previous);
    if (event.type === 'DELETED') {
      if (before) this.#write('DELETED', event.object);
    } else if (now) this.#write(before ? 'MODIFIED' : 'ADDED', event.object);
    else if (before) this.#write('DELETED', event.object);
  }

  /** Send a BOOKMARK at `resourceVersion`, if the client asked for bookmarks. */
  bookmark(resourceVersion: number): boolean {
    if (!this.request.bookmarks) return false;
    this.#writeRaw({ type: 'BOOKMARK', object: RESOURCES[this.request.resource].bookmark(String(resourceVersion)) });
    return true;
  }

  /** Send an ERROR event with `status`, then end the stream, as the API server does. */
  fail(status: StatusBody): void {
    this.#writeRaw({ type: 'ERROR', object: status });
    this.end();
  }

  /** Send an event as given (any type, any object), without the watch's selectors. */
  sendEvent(type: string, object: unknown): void {
    this.#writeRaw({ type, object });
  }

  /** Send one raw line (a newline is added). */
  sendLine(line: string): void {
    if (this.#writable()) this.#response.write(`${line}\n`);
  }

  /** End cleanly (the last chunk), as when `timeoutSeconds` is reached. */
  end(): void {
    if (this.#writable()) this.#response.end();
  }

  /** Stop sending anything: the server hangs, the connection stays open. */
  hold(): void {
    this.#held = true;
  }

  /** Drop the connection without a word. */
  destroy(): void {
    this.#response.socket?.destroy();
    this.#close();
  }

  /**
   * Break the stream in the middle of a chunk: announce a chunk of one event's length, send half
   * of it, and drop the connection once that half has left.
   */
  async break(resourceVersion: number): Promise<void> {
    const socket = this.#response.socket;
    if (this.#closed || !socket) return;
    const line = `${JSON.stringify({ type: 'BOOKMARK', object: RESOURCES[this.request.resource].bookmark(String(resourceVersion)) })}\n`;
    const half = line.slice(0, Math.floor(line.length / 2));
    this.#held = true;
    // The HTTP layer holds what was written in this tick until the next one (Node 20 corks the
    // socket; Node 22 and later buffer the chunks in the response): let it flush first, so the
    // cut chunk comes after every whole one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#closed || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.write(`${Buffer.byteLength(line).toString(16)}\r\n${half}`, () => resolve());
    });
    socket.destroy();
    this.#close();
  }

  #inScope(object: KubeObject): boolean {
    return this.request.namespace === null || (object.metadata?.namespace ?? '') === this.request.namespace;
  }

  #write(type: WatchEventType, object: KubeObject): void {
    this.#writeRaw({ type, object: withType(RESOURCES[this.request.resource], object) });
  }

  #writeRaw(event: { type: string; object: unknown }): void {
    if (this.#writable()) this.#response.write(`${JSON.stringify(event)}\n`);
  }

  #writable(): boolean {
    return !this.#closed && !this.#held && !this.#response.writableEnded;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const listener of this.#closedListeners.splice(0)) listener();
  }
}
