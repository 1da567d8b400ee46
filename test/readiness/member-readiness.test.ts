/**
 * createMemberReadiness: the verdict in every state (not joined, joined, latch not confirmed,
 * losing or winning a split, draining, a report that throws), and its node:http handler served
 * by a real server on loopback (200 / 503, the reason in the body, none for HEAD, never cached).
 */
import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemberReadiness, type MemberStatus, type OwnReport } from '../../src/index';

const split = {
  winner: { clusterId: 'c-1', members: ['kv-0', 'kv-1'] },
  losers: [{ clusterId: 'c-2', members: ['kv-2', 'kv-3'] }],
};

function subject(status: Partial<MemberStatus> = {}, own: OwnReport | null | (() => never) = { clusterId: 'c-1' }) {
  const state: { -readonly [K in keyof MemberStatus]: MemberStatus[K] } = { draining: false, split: null, latchPending: false, ...status };
  const report = typeof own === 'function' ? own : () => own;
  return { state, readiness: createMemberReadiness(state, { report }) };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('createMemberReadiness', () => {
  it('is ready only once its own report names a cluster', () => {
    expect(subject({}, null).readiness.check()).toEqual({ ready: false, reason: 'not a member of a cluster yet: its own report names no cluster (bootstrap, or joining, is not finished)' });
    expect(subject({}, {}).readiness.check().ready).toBe(false);
    expect(subject().readiness.check()).toEqual({ ready: true, reason: 'member of cluster c-1' });
  });

  it('is not ready on the losing side of a split, and ready (saying so) on the winning side', () => {
    expect(subject({ split }, { clusterId: 'c-2' }).readiness.check()).toEqual({
      ready: false,
      reason: 'on the losing side of a split: its cluster c-2 (kv-2, kv-3) loses to c-1 (kv-0, kv-1)',
    });
    expect(subject({ split }).readiness.check()).toEqual({ ready: true, reason: 'member of cluster c-1; a split is detected, and c-2 loses' });
  });

  it('is not ready while draining (the discovery\'s or its own report\'s), nor before the latch is confirmed', () => {
    const { state, readiness } = subject();
    state.draining = true;
    expect(readiness.check()).toEqual({ ready: false, reason: 'this pod is draining (drain() was called): it is leaving the cluster' });
    expect(subject({}, { clusterId: 'c-1', draining: true }).readiness.check().reason).toBe('its own report says it is draining');
    expect(subject({ latchPending: true }).readiness.check().reason).toContain('call confirm()');
  });

  it('follows the state as it changes, and a report that throws is "not ready", not a crash', () => {
    const { state, readiness } = subject();
    expect(readiness.check().ready).toBe(true);
    state.split = { winner: split.losers[0]!, losers: [split.winner] };
    expect(readiness.check().ready).toBe(false);
    state.split = null;
    expect(readiness.check().ready).toBe(true);
    const failing = subject({}, () => {
      throw new Error('database down');
    });
    expect(failing.readiness.check()).toEqual({ ready: false, reason: 'its own report failed: database down' });
    expect(() => createMemberReadiness(state, {} as never)).toThrow(TypeError);
  });

  it('serves 200 or 503 over node:http, the reason as the plain-text body, none for HEAD, never cached', async () => {
    const { state, readiness } = subject();
    server = createServer(readiness.handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const ask = (method: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const sent = request({ host: '127.0.0.1', port, method, path: '/ready', agent: false }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        });
        sent.on('error', reject);
        sent.end();
      });
    const ok = await ask('GET');
    expect(ok).toMatchObject({ status: 200, body: 'ready: member of cluster c-1\n' });
    expect(ok.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    state.draining = true;
    expect(await ask('GET')).toMatchObject({ status: 503, body: 'not ready: this pod is draining (drain() was called): it is leaving the cluster\n' });
    expect(await ask('HEAD')).toMatchObject({ status: 503, body: '' });
  });
});
