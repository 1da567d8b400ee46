/**
 * One GET to the API over `node:https` (or `node:http` for an http:// server), with the
 * credentials' options: resolves with the response once its headers arrive, or rejects (network
 * error, TLS failure, no headers within the timeout, abort). Each request has its own socket
 * (no keep-alive), so ending a request ends its connection.
 *
 * @module
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ApiEndpoint } from './credentials';

/** A request in flight and its response. */
export interface ApiExchange {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
}

/** `path` (with its query) under the server's own path prefix. */
export function apiUrl(server: URL, path: string): URL {
  const url = new URL(server.href);
  const [pathname = '', search = ''] = path.split('?');
  url.pathname = `${server.pathname.replace(/\/+$/, '')}${pathname}`;
  url.search = search;
  return url;
}

/**
 * Send `GET path` and wait for the response headers. `idleTimeoutMs` also bounds the silence
 * while a body is read; a watch turns it off ({@link streamWithoutIdleTimeout}).
 */
export function sendGet(endpoint: ApiEndpoint, path: string, signal: AbortSignal, idleTimeoutMs: number): Promise<ApiExchange> {
  const url = apiUrl(endpoint.server, path);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      ...endpoint.options,
      method: 'GET',
      headers: { ...endpoint.options.headers, accept: 'application/json', 'user-agent': 'headless-discovery' },
      signal,
    });
    request.setTimeout(idleTimeoutMs, () => {
      request.destroy(Object.assign(new Error(`no answer within ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    request.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    request.on('error', reject);
    request.on('response', (response) => {
      // Errors after the headers belong to the response (a reset while the body streams).
      request.off('error', reject);
      request.on('error', () => undefined);
      resolve({ request, response });
    });
    request.end();
  });
}

/** A watch may be silent for minutes: no idle timeout once it streams. */
export function streamWithoutIdleTimeout(exchange: ApiExchange): void {
  exchange.request.setTimeout(0);
}

/** The whole body as text, up to `maxBytes` (more rejects). Rejects when the connection fails while it is read. */
export function readBody(exchange: ApiExchange, maxBytes: number): Promise<string> {
  const { response } = exchange;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(new Error(`the response is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('close', () => {
      if (!response.complete) reject(new Error('the connection closed before the response was complete'));
    });
  });
}
