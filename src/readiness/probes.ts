/**
 * One readiness probe of one peer: a TCP connect, an HTTP GET, or the application's own check.
 * A probe never rejects: an error, a refusal, a timeout or an abort all mean "not ready".
 *
 * @module
 */
import type { ClientRequest } from 'node:http';
import { connect, isIP } from 'node:net';
import type { Peer } from '../membership/types';
import type { ProbeSpec } from './probe-spec';

type TcpSpec = Extract<ProbeSpec, { kind: 'tcp' }>;
type HttpSpec = Extract<ProbeSpec, { kind: 'http' }>;
type CustomSpec = Extract<ProbeSpec, { kind: 'custom' }>;

/** Sent as `User-Agent` by HTTP probes, so the peer's logs can tell probes apart. */
export const PROBE_USER_AGENT = 'headless-discovery';

/**
 * Run `spec` against `peer`, giving up after `timeoutMs` or when `signal` aborts (the check of
 * a custom probe sees one signal that aborts in both cases).
 * Resolves `true` when the peer is ready, `false` otherwise; never rejects.
 */
export async function runProbe(peer: Peer, spec: ProbeSpec, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  // Linked by hand, not with AbortSignal.any(): that keeps a reference on the long-lived
  // `signal` per probe, which Node 20 frees late.
  const probeController = new AbortController();
  const combined = probeController.signal;
  const onAbort = (): void => probeController.abort(signal.reason);
  const timer = setTimeout(() => probeController.abort(new DOMException('The probe timed out.', 'TimeoutError')), timeoutMs);
  timer.unref();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    switch (spec.kind) {
      case 'tcp':
        return await probeTcp(peer, spec, combined);
      case 'http':
        return await probeHttp(peer, spec, combined);
      case 'custom':
        return await probeCustom(peer, spec, combined);
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Ready when a TCP connection to the peer's first address and the port opens. */
export function probeTcp(peer: Peer, spec: TcpSpec, signal: AbortSignal): Promise<boolean> {
  const target = targetOf(peer, spec.port);
  if (target === null || signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port });
    const finish = (ready: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ready);
    };
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true));
    socket.on('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/** Ready when `GET path` on the peer answers with an expected status (200–399 by default). */
export function probeHttp(peer: Peer, spec: HttpSpec, signal: AbortSignal): Promise<boolean> {
  const target = targetOf(peer, spec.port);
  if (target === null || signal.aborted) return Promise.resolve(false);
  const host = peer.host ?? (isIP(target.address) === 6 ? `[${target.address}]` : target.address);
  let req: ClientRequest;
  try {
    // node:http is loaded by the first HTTP probe, not by importing the library.
    req = process.getBuiltinModule('node:http').request({
      hostname: target.address,
      port: target.port,
      path: spec.path,
      method: 'GET',
      agent: false,
      headers: {
        Host: target.port === 80 ? host : `${host}:${target.port}`,
        'User-Agent': PROBE_USER_AGENT,
        Accept: '*/*',
        Connection: 'close',
      },
    });
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const finish = (ready: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(ready);
    };
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', () => finish(false));
    req.once('close', () => finish(false));
    req.once('response', (response) => {
      response.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      finish(spec.expectStatus === null ? status >= 200 && status <= 399 : spec.expectStatus.includes(status));
      response.destroy();
    });
    req.end();
  });
}

/** Ready when the application's check resolves exactly `true` before `signal` aborts. */
export function probeCustom(peer: Peer, spec: CustomSpec, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ready: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      resolve(ready);
    };
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      Promise.resolve(spec.check(peer, signal)).then(
        (result) => finish(result === true),
        () => finish(false),
      );
    } catch {
      finish(false);
    }
  });
}

function targetOf(peer: Peer, port: number | null): { address: string; port: number } | null {
  const address = peer.addresses[0];
  const resolved = port ?? peer.port;
  if (address === undefined || isIP(address) === 0 || resolved === null) return null;
  return { address, port: resolved };
}
