import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../src/readiness/probe-spec';
import { PROBE_USER_AGENT, runProbe } from '../../src/readiness/probes';
import { peer, waitFor } from './support';

const servers: (Server | HttpServer)[] = [];
const sockets = new Map<Server | HttpServer, Set<Socket>>();

afterEach(async () => {
  for (const open of sockets.values()) for (const socket of open) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listen on `host`, port 0, keeping track of the server's open connections. */
async function listen<S extends Server | HttpServer>(server: S, host = '127.0.0.1'): Promise<number> {
  const open = new Set<Socket>();
  sockets.set(server, open);
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** How many connections to `server` are open now. */
function openConnections(server: Server | HttpServer): number {
  return sockets.get(server)?.size ?? 0;
}

/** A TCP server that accepts connections and reads (and drops) what they send. */
function acceptingServer(): Server {
  return createTcpServer((socket) => socket.resume());
}

/** A port on `host` that nothing listens on (it was free a moment ago). */
async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server, host);
  servers.splice(servers.indexOf(server), 1);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const never = new AbortController().signal;
const tcp: ProbeSpec = { kind: 'tcp', port: null };

describe('tcp probe', () => {
  it('is true when the peer port accepts a connection, and closes it', async () => {
    const server = acceptingServer();
    const port = await listen(server);
    let connections = 0;
    server.on('connection', () => connections++);
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), tcp, 5000, never)).toBe(true);
    await waitFor(() => connections === 1, 'the server to see the connection');
    await waitFor(() => openConnections(server) === 0, 'the probe connection to close');
  });

  it('is false when nothing listens', async () => {
    const port = await closedPort();
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), tcp, 5000, never)).toBe(false);
  });

  it('connects over IPv6 loopback', async () => {
    const server = acceptingServer();
    const port = await listen(server, '::1');
    expect(await runProbe(peer('web-0', ['::1'], port), tcp, 5000, never)).toBe(true);
    const closed = await closedPort('::1');
    expect(await runProbe(peer('web-0', ['::1'], closed), tcp, 5000, never)).toBe(false);
  });

  it('uses the first address, and the spec port over the peer port', async () => {
    const port = await listen(acceptingServer());
    const closed = await closedPort();
    expect(await runProbe(peer('web-0', ['127.0.0.1', '::1'], closed), { kind: 'tcp', port }, 5000, never)).toBe(true);
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), { kind: 'tcp', port: closed }, 5000, never)).toBe(false);
  });

  it('is false without an address, without a port, or with a name instead of an address', async () => {
    const port = await listen(acceptingServer());
    expect(await runProbe(peer('web-0', [], port), tcp, 5000, never)).toBe(false);
    expect(await runProbe(peer('web-0', ['127.0.0.1'], null), tcp, 5000, never)).toBe(false);
    expect(await runProbe(peer('web-0', ['localhost'], port), tcp, 5000, never)).toBe(false);
  });

  it('is false when the signal is already aborted', async () => {
    const port = await listen(acceptingServer());
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), tcp, 5000, AbortSignal.abort())).toBe(false);
  });
});

/** An HTTP server answering with `handler`, recording every request it gets. */
async function httpServer(
  handler: (request: IncomingMessage) => { status: number } | 'hang',
  host = '127.0.0.1',
): Promise<{ port: number; requests: IncomingMessage[]; server: HttpServer }> {
  const requests: IncomingMessage[] = [];
  const server = createHttpServer((request, response) => {
    requests.push(request);
    const answer = handler(request);
    if (answer === 'hang') return;
    response.writeHead(answer.status, { 'content-type': 'text/plain' });
    response.end('x'.repeat(100_000));
  });
  const port = await listen(server, host);
  return { port, requests, server };
}

const http = (path = '/ready', expectStatus: readonly number[] | null = null, port: number | null = null): ProbeSpec => ({
  kind: 'http',
  path,
  port,
  expectStatus,
});

describe('http probe', () => {
  it('is true on 200, sending the path, Host and User-Agent, and leaves no connection open', async () => {
    const { port, requests, server } = await httpServer(() => ({ status: 200 }));
    const target = peer('web-0', ['127.0.0.1'], port, 'web-0.web.default.svc.cluster.local');
    expect(await runProbe(target, http('/ready?deep=1'), 5000, never)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.url).toBe('/ready?deep=1');
    expect(requests[0]?.headers.host).toBe(`web-0.web.default.svc.cluster.local:${port}`);
    expect(requests[0]?.headers['user-agent']).toBe(PROBE_USER_AGENT);
    await waitFor(() => openConnections(server) === 0, 'the probe connection to close');
  });

  it('sends the address as Host when the peer has no host name, bracketed for IPv6', async () => {
    const v4 = await httpServer(() => ({ status: 200 }));
    expect(await runProbe(peer('10-0-0-1', ['127.0.0.1'], v4.port), http(), 5000, never)).toBe(true);
    expect(v4.requests[0]?.headers.host).toBe(`127.0.0.1:${v4.port}`);
    const v6 = await httpServer(() => ({ status: 200 }), '::1');
    expect(await runProbe(peer('fd00--1', ['::1'], v6.port), http(), 5000, never)).toBe(true);
    expect(v6.requests[0]?.headers.host).toBe(`[::1]:${v6.port}`);
  });

  it('accepts 200 to 399 by default', async () => {
    let status = 503;
    const { port } = await httpServer(() => ({ status }));
    const target = peer('web-0', ['127.0.0.1'], port);
    const verdicts: [number, boolean][] = [];
    for (status of [199, 200, 204, 302, 399, 400, 404, 500, 503]) {
      verdicts.push([status, await runProbe(target, http(), 5000, never)]);
    }
    expect(verdicts).toEqual([
      [199, false],
      [200, true],
      [204, true],
      [302, true],
      [399, true],
      [400, false],
      [404, false],
      [500, false],
      [503, false],
    ]);
  });

  it('honours expectStatus', async () => {
    let status = 204;
    const { port } = await httpServer(() => ({ status }));
    const target = peer('web-0', ['127.0.0.1'], port);
    expect(await runProbe(target, http('/', [204]), 5000, never)).toBe(true);
    status = 200;
    expect(await runProbe(target, http('/', [204]), 5000, never)).toBe(false);
    status = 503;
    expect(await runProbe(target, http('/', [503]), 5000, never)).toBe(true);
  });

  it('uses the spec port over the peer port', async () => {
    const { port, requests } = await httpServer(() => ({ status: 200 }));
    const closed = await closedPort();
    expect(await runProbe(peer('web-0', ['127.0.0.1'], closed), http('/', null, port), 5000, never)).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('is false when nothing listens', async () => {
    const closed = await closedPort();
    expect(await runProbe(peer('web-0', ['127.0.0.1'], closed), http(), 5000, never)).toBe(false);
  });

  it('is false, at the timeout, when the server never answers', async () => {
    const { port, requests, server } = await httpServer(() => 'hang');
    const started = performance.now();
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), http(), 200, never)).toBe(false);
    const elapsed = performance.now() - started;
    expect(requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(5000);
    await waitFor(() => openConnections(server) === 0, 'the abandoned connection to close');
  });

  it('is false when the parent signal aborts mid-request', async () => {
    const { port, requests } = await httpServer(() => 'hang');
    const parent = new AbortController();
    const verdict = runProbe(peer('web-0', ['127.0.0.1'], port), http(), 60_000, parent.signal);
    await waitFor(() => requests.length === 1, 'the request to arrive');
    parent.abort();
    expect(await verdict).toBe(false);
  });

  it('is false, without sending anything, when the host name cannot be a Host header', async () => {
    const { port, requests } = await httpServer(() => ({ status: 200 }));
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port, 'web-0\r\nX-Injected: 1'), http(), 5000, never)).toBe(false);
    expect(requests).toHaveLength(0);
  });

  it('is false when the server is not HTTP', async () => {
    const server = createTcpServer((socket) => socket.resume().end('SSH-2.0-OpenSSH\r\n'));
    const port = await listen(server);
    expect(await runProbe(peer('web-0', ['127.0.0.1'], port), http(), 5000, never)).toBe(false);
  });
});

const custom = (check: (signal: AbortSignal) => Promise<boolean>): ProbeSpec => ({
  kind: 'custom',
  check: (_peer, signal) => check(signal),
});

describe('custom probe', () => {
  const target = peer('web-0', ['127.0.0.1'], 80);

  it('is true only when the check resolves exactly true', async () => {
    expect(await runProbe(target, custom(async () => true), 5000, never)).toBe(true);
    expect(await runProbe(target, custom(async () => false), 5000, never)).toBe(false);
    expect(await runProbe(target, custom(async () => 1 as unknown as boolean), 5000, never)).toBe(false);
    expect(await runProbe(target, custom(async () => 'yes' as unknown as boolean), 5000, never)).toBe(false);
  });

  it('passes the peer to the check', async () => {
    const seen: string[] = [];
    const spec: ProbeSpec = {
      kind: 'custom',
      check: async (probed) => {
        seen.push(probed.name);
        return true;
      },
    };
    expect(await runProbe(target, spec, 5000, never)).toBe(true);
    expect(seen).toEqual(['web-0']);
  });

  it('is false when the check throws or rejects', async () => {
    const throws = custom(() => {
      throw new Error('boom');
    });
    expect(await runProbe(target, throws, 5000, never)).toBe(false);
    expect(await runProbe(target, custom(() => Promise.reject(new Error('boom'))), 5000, never)).toBe(false);
  });

  it('is false at the timeout when the check never resolves, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const verdict = await runProbe(
      target,
      custom((signal) => {
        seen = signal;
        return new Promise<boolean>(() => undefined);
      }),
      100,
      never,
    );
    const elapsed = performance.now() - started;
    expect(verdict).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(5000);
    expect(seen?.aborted).toBe(true);
  });

  it('is false when the parent signal aborts, without waiting for the check', async () => {
    const parent = new AbortController();
    let called = false;
    const verdict = runProbe(
      target,
      custom(() => {
        called = true;
        return new Promise<boolean>(() => undefined);
      }),
      60_000,
      parent.signal,
    );
    await waitFor(() => called, 'the check to be called');
    parent.abort();
    expect(await verdict).toBe(false);
  });

  it('is false without calling the check when the signal is already aborted', async () => {
    let called = false;
    const verdict = await runProbe(
      target,
      custom(async () => {
        called = true;
        return true;
      }),
      5000,
      AbortSignal.abort(),
    );
    expect(verdict).toBe(false);
    expect(called).toBe(false);
  });
});
