/**
 * A small HTTPS client for the fake Kubernetes API tests, over real sockets: `request()` for a
 * whole response, `openWatch()` for a watch stream read line by line, with deadlines instead of
 * sleeps. It trusts the API's CA (and nothing else) and speaks HTTP/1.1 with one connection per
 * request, so a test sees exactly what the server sent.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FakeKubernetesApi } from '../../../src/testing/index';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The parsed JSON body (`undefined` if it is not JSON): tests read API objects field by field. */
  readonly body: any;
}

export interface CallOptions {
  /** Default: the API's first token; `null` sends no Authorization header. */
  readonly token?: string | null;
  /** Default: the API's CA. */
  readonly ca?: string | null;
  /** Default: GET. */
  readonly method?: string;
}

function options(api: FakeKubernetesApi, path: string, call: CallOptions): RequestOptions {
  const token = call.token === undefined ? api.token : call.token;
  return {
    host: api.host,
    port: api.port,
    path,
    method: call.method ?? 'GET',
    agent: false,
    ...(call.ca === null ? {} : { ca: call.ca ?? api.ca }),
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  };
}

/** GET `path` and read the whole response. */
export function request(api: FakeKubernetesApi, path: string, call: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(options(api, path, call), (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown = undefined;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export interface WatchEvent {
  readonly type: string;
  /** The event's object, parsed. */
  readonly object: any;
}

/** How a watch stream ended. */
export type WatchEnd = { readonly kind: 'end' } | { readonly kind: 'error'; readonly error: Error };

export interface OpenWatch {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every complete line received so far. */
  readonly lines: string[];
  /** The next event (after those already taken) that satisfies `accept`; rejects after `timeoutMs`. */
  next(accept?: (event: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves when the stream ends, cleanly or not (the body of a non-200 reply, too). */
  readonly ended: Promise<WatchEnd>;
  /** The text after the last newline when the stream ended (a cut event). */
  readonly partial: () => string;
  close(): void;
}

/** Open a watch (`path` must carry `watch=true`). Resolves once the response headers arrived. */
export function openWatch(api: FakeKubernetesApi, path: string, call: CallOptions = {}): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(options(api, path, call), (response: IncomingMessage) => {
      const lines: string[] = [];
      let buffer = '';
      let taken = 0;
      let wake: (() => void) | undefined;
      const ended = new Promise<WatchEnd>((done) => {
        response.on('end', () => done({ kind: 'end' }));
        response.on('error', (error) => done({ kind: 'error', error }));
        response.on('aborted', () => done({ kind: 'error', error: new Error('aborted') }));
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
        wake?.();
      });
      const next = async (accept: (event: WatchEvent) => boolean = () => true, timeoutMs = 10_000): Promise<WatchEvent> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          while (taken < lines.length) {
            const event = JSON.parse(lines[taken++] as string) as WatchEvent;
            if (accept(event)) return event;
          }
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no matching watch event within ${timeoutMs} ms; lines: ${lines.slice(-5).join(' | ')}`);
          const finished = await Promise.race([
            new Promise<'more'>((more) => {
              wake = () => more('more');
            }),
            ended.then(() => 'ended' as const),
            new Promise<'timeout'>((timeout) => setTimeout(() => timeout('timeout'), left).unref()),
          ]);
          if (finished === 'ended' && taken >= lines.length) throw new Error(`the watch ended before a matching event; lines: ${lines.slice(-5).join(' | ')}`);
        }
      };
      resolve({ status: response.statusCode ?? 0, headers: response.headers, lines, next, ended, partial: () => buffer, close: () => outgoing.destroy() });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** A list path with a label selector for `service`'s slices. */
export function slicesPath(service: string, namespace = 'default', extra = ''): string {
  return `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}${extra}`;
}
