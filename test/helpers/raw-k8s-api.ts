/**
 * A scriptable Kubernetes API server on loopback, for the client's own tests: each request is
 * recorded and answered by the test's handler, with JSON, raw bytes, or a watch stream the test
 * then writes events to, ends or breaks mid-stream. Plain HTTP or TLS (the test CA of
 * `k8s-tls.ts`, optionally asking for a client certificate).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CA_CERT, SERVER_CERT, SERVER_KEY } from './k8s-tls';

/** One request the server received. */
export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** `watch=true` (or `1`) was asked. */
  readonly watch: boolean;
  /** The client certificate's subject CN, when one was presented and verified. */
  readonly clientCommonName: string | undefined;
}

/** A watch response held open: the test writes its events. */
export interface WatchStream {
  readonly call: ApiCall;
  /** Write `events` as JSON lines, in one chunk. */
  send(...events: readonly unknown[]): void;
  /** Write raw text (a line that is not JSON, half a line). */
  write(text: string): void;
  /** End the response normally, as the server does at `timeoutSeconds`. */
  end(): void;
  /** Break the connection mid-stream. */
  destroy(): void;
  /** Resolves when the response is over (ended, broken, or closed by the client). */
  readonly closed: Promise<void>;
}

/** How the handler answers a request. */
export type ApiReply =
  | { readonly status?: number; readonly json: unknown }
  | { readonly status?: number; readonly raw: string }
  | { readonly watch: true }
  | { readonly hangUp: true };

/** The running server. */
export interface RawApiServer {
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in order. */
  readonly calls: ApiCall[];
  /** Resolve with the next watch stream not taken yet (in the order they opened). */
  nextWatch(timeoutMs?: number): Promise<WatchStream>;
  /** Resolve once `count` requests have been received. */
  callCount(count: number, timeoutMs?: number): Promise<void>;
  /** Connections open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Server options. */
export interface RawApiServerOptions {
  /** Serve TLS with the test CA's server certificate. Default: false (plain HTTP). */
  readonly tls?: boolean;
  /** With TLS: ask for a client certificate signed by the test CA (and accept a request without one). */
  readonly requestCert?: boolean;
}

/** Start a server answering with `handle`. */
export async function startRawApiServer(handle: (call: ApiCall) => ApiReply, options: RawApiServerOptions = {}): Promise<RawApiServer> {
  const calls: ApiCall[] = [];
  const sockets = new Set<Socket>();
  const opened: WatchStream[] = [];
  let taken = 0;
  const waiting: Array<() => void> = [];
  const wake = (): void => {
    for (const waiter of waiting.splice(0)) waiter();
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const peer = (request.socket as Partial<TLSSocket>).getPeerCertificate?.();
    const call: ApiCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      watch: url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1',
      clientCommonName: (request.socket as Partial<TLSSocket>).authorized && peer && typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
    };
    calls.push(call);
    wake();
    const reply = handle(call);
    if ('hangUp' in reply) {
      request.socket.destroy();
      return;
    }
    if ('watch' in reply) {
      response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      response.flushHeaders();
      let resolveClosed: () => void = () => undefined;
      const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
      response.on('close', resolveClosed);
      opened.push({
        call,
        send: (...events) => {
          if (!response.writableEnded) response.write(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
        },
        write: (text) => {
          if (!response.writableEnded) response.write(text);
        },
        end: () => response.end(),
        destroy: () => request.socket.destroy(),
        closed,
      });
      wake();
      return;
    }
    const body = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    response.end(body);
  };

  const server = options.tls
    ? createHttpsServer({ cert: SERVER_CERT, key: SERVER_KEY, ca: CA_CERT, requestCert: options.requestCert ?? false, rejectUnauthorized: false }, onRequest)
    : createHttpServer(onRequest);
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on(options.tls ? 'secureConnection' : 'connection', track);
  if (options.tls) server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const until = (ready: () => boolean, what: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
        } else {
          waiting.push(check);
        }
      };
      const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms (calls: ${calls.map((c) => `${c.watch ? 'watch' : c.method} ${c.path}`).join(', ')})`)), timeoutMs);
      check();
    });

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    calls,
    nextWatch: async (timeoutMs = 20_000) => {
      await until(() => opened.length > taken, 'no new watch', timeoutMs);
      return opened[taken++] as WatchStream;
    },
    callCount: (count, timeoutMs = 20_000) => until(() => calls.length >= count, `fewer than ${count} calls`, timeoutMs),
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
