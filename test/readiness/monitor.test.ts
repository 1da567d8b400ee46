import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Peer } from '../../src/membership/types';
import type { ReadinessOption } from '../../src/config/options';
import { resolveReadiness } from '../../src/config/readiness';
import type { ReadinessConfig } from '../../src/readiness/probe-spec';
import { ReadinessMonitor, type ReadinessMonitorOptions } from '../../src/readiness/monitor';
import { runProbe } from '../../src/readiness/probes';
import { deferred, peer, waitFor } from './support';

const monitors: ReadinessMonitor[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function config(option: ReadinessOption): ReadinessConfig {
  const resolved = resolveReadiness(option);
  if (!resolved) throw new Error('expected a config');
  return resolved;
}

/** A monitor closed after the test, recording its onChange calls as `name:ready`. */
function monitor(options: Omit<ReadinessMonitorOptions, 'onChange'> & Partial<Pick<ReadinessMonitorOptions, 'onChange'>>) {
  const changes: string[] = [];
  const created = new ReadinessMonitor({
    ...options,
    onChange: (name, ready) => {
      changes.push(`${name}:${ready}`);
      options.onChange?.(name, ready);
    },
  });
  monitors.push(created);
  return { monitor: created, changes };
}

/** Let pending promise callbacks and I/O callbacks run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Wait `ms` for something that must NOT happen (a negative check cannot wait for a condition). */
const quietFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A port on loopback that nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Listen on `port`; the returned function stops listening and drops every connection. */
async function open(port: number): Promise<() => Promise<void>> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  servers.push(server);
  return async () => {
    servers.splice(servers.indexOf(server), 1);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
}

describe('ReadinessMonitor with real TCP probes', () => {
  it('reports ready once the listener opens, and not ready after failureThreshold failures once it closes', async () => {
    const port = await freePort();
    const readiness = config({ tcp: true, periodMs: 100, timeoutMs: 2000, failureThreshold: 2 });
    const results: boolean[] = [];
    const resultsAtChange: boolean[][] = [];
    const { monitor: m, changes } = monitor({
      config: readiness,
      probe: async (target, signal) => {
        const ready = await runProbe(target, readiness.probe, readiness.timeoutMs, signal);
        results.push(ready);
        return ready;
      },
      onChange: () => resultsAtChange.push([...results]),
    });
    m.track([peer('web-0', ['127.0.0.1'], port)]);

    await waitFor(() => results.length >= 2, 'two failed probes');
    expect(results.every((ready) => !ready)).toBe(true);
    expect(changes).toEqual([]);
    expect(m.isReady('web-0')).toBe(false);

    const close = await open(port);
    await waitFor(() => changes.length === 1, 'the peer to turn ready');
    expect(changes).toEqual(['web-0:true']);
    expect(m.isReady('web-0')).toBe(true);
    expect(resultsAtChange[0]?.at(-1)).toBe(true);

    await close();
    await waitFor(() => changes.length === 2, 'the peer to turn not ready');
    expect(changes).toEqual(['web-0:true', 'web-0:false']);
    expect(m.isReady('web-0')).toBe(false);
    const atFailure = resultsAtChange[1] ?? [];
    expect(atFailure.slice(-3)).toEqual([true, false, false]);
  });

  it('probes every peer at its own address and port', async () => {
    const readyPort = await freePort();
    const close = await open(readyPort);
    const downPort = await freePort();
    const { monitor: m, changes } = monitor({ config: config({ tcp: true, periodMs: 100 }) });
    m.track([peer('web-0', ['127.0.0.1'], readyPort), peer('web-1', ['127.0.0.1'], downPort)]);
    await m.settled();
    expect(changes).toEqual(['web-0:true']);
    expect([m.isReady('web-0'), m.isReady('web-1'), m.isReady('web-2')]).toEqual([true, false, false]);
    await close();
  });

  it('keeps the state of a peer whose port changed, and probes the new port', async () => {
    const oldPort = await freePort();
    const closeOld = await open(oldPort);
    const newPort = await freePort();
    const { monitor: m, changes } = monitor({ config: config({ tcp: true, periodMs: 100, failureThreshold: 1 }) });
    m.track([peer('web-0', ['127.0.0.1'], oldPort)]);
    await waitFor(() => m.isReady('web-0'), 'the peer to turn ready on its old port');
    m.track([peer('web-0', ['127.0.0.1'], newPort)]);
    expect(m.isReady('web-0')).toBe(true);
    await waitFor(() => !m.isReady('web-0'), 'a failed probe of the new, closed port');
    const closeNew = await open(newPort);
    await waitFor(() => m.isReady('web-0'), 'the peer to turn ready on its new port');
    expect(changes).toEqual(['web-0:true', 'web-0:false', 'web-0:true']);
    await closeOld();
    await closeNew();
  });
});

describe('ReadinessMonitor scheduling', () => {
  it('runs at most `concurrency` probes at once and probes every peer', async () => {
    const peers = Array.from({ length: 20 }, (_, index) => peer(`web-${index}`, ['127.0.0.1'], 80));
    const waiting: (() => void)[] = [];
    const probed = new Set<string>();
    let inFlight = 0;
    let maxInFlight = 0;
    const { monitor: m } = monitor({
      config: config({ check: async () => true, concurrency: 3, periodMs: 3_600_000 }),
      probe: (target) => {
        probed.add(target.name);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise((resolve) =>
          waiting.push(() => {
            inFlight--;
            resolve(true);
          }),
        );
      },
    });
    m.track(peers);
    let done = 0;
    while (done < peers.length) {
      const batch = Math.min(3, peers.length - done);
      await waitFor(() => waiting.length === batch, `a batch of ${batch} probes`);
      await turn();
      expect(inFlight).toBe(batch);
      for (const release of waiting.splice(0)) release();
      done += batch;
    }
    await waitFor(() => peers.every((entry) => m.isReady(entry.name)), 'every peer to be ready');
    expect(maxInFlight).toBe(3);
    expect(probed.size).toBe(20);
  });

  it('never runs two probes of one peer at once, even when a probe outlasts the period', async () => {
    const running = new Map<string, number>();
    const completed = new Map<string, number>();
    let overlaps = 0;
    const { monitor: m } = monitor({
      config: config({ check: async () => true, periodMs: 100, timeoutMs: 10_000 }),
      probe: async (target) => {
        const now = (running.get(target.name) ?? 0) + 1;
        running.set(target.name, now);
        if (now > 1) overlaps++;
        await new Promise((resolve) => setTimeout(resolve, 350));
        running.set(target.name, (running.get(target.name) ?? 0) - 1);
        completed.set(target.name, (completed.get(target.name) ?? 0) + 1);
        return true;
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80), peer('web-1', ['127.0.0.1'], 80)]);
    await waitFor(() => (completed.get('web-0') ?? 0) >= 3 && (completed.get('web-1') ?? 0) >= 3, 'three probes of each peer');
    expect(overlaps).toBe(0);
  });

  it('stops probing an untracked peer, aborts its probe in flight and forgets its state', async () => {
    const counts = new Map<string, number>();
    const hanging: AbortSignal[] = [];
    let hang = false;
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100 }),
      probe: (target, signal) => {
        counts.set(target.name, (counts.get(target.name) ?? 0) + 1);
        if (target.name === 'web-0' && hang) {
          hanging.push(signal);
          return new Promise((resolve) => signal.addEventListener('abort', () => resolve(true)));
        }
        return Promise.resolve(true);
      },
    });
    const web0 = peer('web-0', ['127.0.0.1'], 80);
    const web1 = peer('web-1', ['127.0.0.1'], 80);
    m.track([web0, web1]);
    await waitFor(() => m.isReady('web-0') && m.isReady('web-1'), 'both peers to be ready');
    hang = true;
    await waitFor(() => hanging.length === 1, 'a probe of web-0 in flight');

    m.track([web1]);
    expect(hanging[0]?.aborted).toBe(true);
    expect(m.isReady('web-0')).toBe(false);
    const web0Probes = counts.get('web-0');
    const web1Probes = counts.get('web-1') ?? 0;
    await waitFor(() => (counts.get('web-1') ?? 0) >= web1Probes + 3, 'three more probes of web-1');
    expect(counts.get('web-0')).toBe(web0Probes);
    expect(changes).toEqual(['web-0:true', 'web-1:true']);

    hang = false;
    m.track([web0, web1]);
    expect(m.isReady('web-0')).toBe(false);
    await waitFor(() => m.isReady('web-0'), 'web-0 to be probed again once tracked again');
    expect(changes).toEqual(['web-0:true', 'web-1:true', 'web-0:true']);
  });

  it('calls onChange only on changes: not for a first failure, once for a run of successes', async () => {
    let verdict = false;
    let probes = 0;
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100, successThreshold: 2, failureThreshold: 1 }),
      probe: async () => {
        probes++;
        return verdict;
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80)]);
    await waitFor(() => probes >= 3, 'three failed probes');
    expect(changes).toEqual([]);
    verdict = true;
    const before = probes;
    await waitFor(() => probes >= before + 5, 'five more probes');
    expect(changes).toEqual(['web-0:true']);
    verdict = false;
    await waitFor(() => changes.length === 2, 'the peer to turn not ready');
    expect(changes).toEqual(['web-0:true', 'web-0:false']);
  });

  it('counts a rejected probe, or one that does not resolve true, as a failure', async () => {
    let probes = 0;
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100, failureThreshold: 1 }),
      probe: async () => {
        probes++;
        if (probes === 1) return true;
        if (probes === 2) throw new Error('boom');
        return 'true' as unknown as boolean;
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80)]);
    await waitFor(() => probes >= 3, 'three probes');
    expect(changes).toEqual(['web-0:true', 'web-0:false']);
  });

  it('keeps probing when onChange throws', async () => {
    let verdict = true;
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100, failureThreshold: 1 }),
      probe: async () => verdict,
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80)]);
    await waitFor(() => changes.length === 1, 'the peer to turn ready');
    verdict = false;
    await waitFor(() => changes.length === 2, 'the peer to turn not ready despite the throwing listener');
    expect(m.isReady('web-0')).toBe(false);
  });
});

describe('ReadinessMonitor.settled', () => {
  /** A monitor whose probes wait for the test: `release(name, verdict)` finishes one. */
  function manual() {
    const pending = new Map<string, (ready: boolean) => void>();
    const created = monitor({
      config: config({ check: async () => true, periodMs: 3_600_000 }),
      probe: (target, signal) => {
        const { promise, resolve } = deferred<boolean>();
        pending.set(target.name, resolve);
        signal.addEventListener('abort', () => resolve(false));
        return promise;
      },
    });
    const release = (name: string, ready: boolean): void => {
      const resolve = pending.get(name);
      if (!resolve) throw new Error(`no probe of ${name} in flight`);
      pending.delete(name);
      resolve(ready);
    };
    return { ...created, pending, release };
  }

  const peers: Peer[] = ['web-0', 'web-1', 'web-2'].map((name) => peer(name, ['127.0.0.1'], 80));

  it('resolves at once when no peer is tracked', async () => {
    const { monitor: m } = manual();
    await m.settled();
    m.track([]);
    await m.settled();
  });

  it('resolves once every tracked peer has a first result, ready or not', async () => {
    const { monitor: m, pending, release, changes } = manual();
    m.track(peers);
    let settled = false;
    void m.settled().then(() => {
      settled = true;
    });
    await waitFor(() => pending.size === 3, 'three probes in flight');
    release('web-0', true);
    release('web-2', false);
    await turn();
    await turn();
    expect(settled).toBe(false);
    release('web-1', true);
    await waitFor(() => settled, 'settled() to resolve');
    expect(changes.sort()).toEqual(['web-0:true', 'web-1:true']);
    await m.settled();
  });

  it('resolves when the peer it waits for is untracked, and on close', async () => {
    const { monitor: m, pending, release } = manual();
    m.track(peers);
    await waitFor(() => pending.size === 3, 'three probes in flight');
    release('web-0', true);
    release('web-1', true);
    await waitFor(() => m.isReady('web-0') && m.isReady('web-1'), 'the first results of web-0 and web-1');
    const first = m.settled();
    m.track(peers.slice(0, 2));
    await first;

    m.track(peers);
    await waitFor(() => pending.has('web-2'), 'web-2 to be probed again');
    const second = m.settled();
    await m.close();
    await second;
  });
});

describe('ReadinessMonitor.close', () => {
  it('aborts probes in flight, waits for them, and then never probes or calls onChange again', async () => {
    let running = 0;
    let started = 0;
    const signals: AbortSignal[] = [];
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100 }),
      probe: (_target, signal) => {
        started++;
        running++;
        signals.push(signal);
        return new Promise((resolve) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              running--;
              resolve(true);
            }, 20),
          ),
        );
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80), peer('web-1', ['127.0.0.1'], 80)]);
    await waitFor(() => running === 2, 'two probes in flight');
    await m.close();
    expect(running).toBe(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    const startedAtClose = started;
    m.track([peer('web-2', ['127.0.0.1'], 80)]);
    await quietFor(400);
    expect(started).toBe(startedAtClose);
    expect(changes).toEqual([]);
    expect(m.isReady('web-0')).toBe(false);
    await m.close();
  });

  it('stops at once when onChange closes the monitor', async () => {
    let probes = 0;
    let closing: Promise<void> | undefined;
    const holder: { monitor?: ReadinessMonitor } = {};
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true, periodMs: 100 }),
      probe: async () => {
        probes++;
        return true;
      },
      onChange: () => {
        closing = holder.monitor?.close();
      },
    });
    holder.monitor = m;
    m.track([peer('web-0', ['127.0.0.1'], 80), peer('web-1', ['127.0.0.1'], 80)]);
    await waitFor(() => closing !== undefined, 'the first change');
    await closing;
    const probesAtClose = probes;
    await quietFor(400);
    expect(changes).toHaveLength(1);
    expect(probes).toBe(probesAtClose);
  });

  it('waits for a probe that ignores the abort, and drops its result', async () => {
    const { promise, resolve } = deferred<boolean>();
    let calls = 0;
    const { monitor: m, changes } = monitor({
      config: config({ check: async () => true }),
      probe: () => {
        calls++;
        return promise;
      },
    });
    m.track([peer('web-0', ['127.0.0.1'], 80)]);
    await waitFor(() => calls === 1, 'the probe to start');
    let closed = false;
    const closing = m.close().then(() => {
      closed = true;
    });
    expect(m.close()).toBe(m.close());
    await turn();
    expect(closed).toBe(false);
    resolve(true);
    await closing;
    expect(closed).toBe(true);
    expect(changes).toEqual([]);
    expect(m.isReady('web-0')).toBe(false);
  });
});
