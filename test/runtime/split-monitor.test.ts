/**
 * The split monitor's loop, on a fake clock: it asks every ready peer but this pod, a few at a
 * time, one round at a time, at a jittered interval; it reports a split after every check that
 * finds one, heals only on a check that reached everyone, skips stale views, and stops cleanly.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Split } from '../../src/bootstrap/split';
import type { ClusterReport } from '../../src/bootstrap/types';
import type { DiscoveryError } from '../../src/errors';
import type { Membership, Peer } from '../../src/membership/types';
import { SPLIT_CHECK_DEFAULTS, SplitMonitor, type SplitWatchOptions } from '../../src/runtime/split-monitor';
import { view } from '../bootstrap/support';

beforeEach(() => {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

interface Harness {
  readonly monitor: SplitMonitor;
  readonly events: string[];
  readonly asked: string[];
  readonly errors: DiscoveryError[];
  membership: Membership;
  answers: Record<string, ClusterReport | null | 'fail'>;
}

function setup(options: Partial<SplitWatchOptions> = {}, pods = ['kv-0', 'kv-1', 'kv-2', 'kv-3'], random = () => 0.5): Harness {
  const harness = {
    events: [] as string[],
    asked: [] as string[],
    errors: [] as DiscoveryError[],
    membership: view(pods, { statefulSet: 'kv' }),
    answers: {} as Record<string, ClusterReport | null | 'fail'>,
  } as Harness;
  const probe = async (peer: Peer): Promise<ClusterReport | null> => {
    harness.asked.push(peer.name);
    const answer = harness.answers[peer.name];
    if (answer === 'fail') throw new Error('connection refused');
    return answer ?? null;
  };
  const monitor = new SplitMonitor(
    {
      membership: () => harness.membership,
      podName: 'kv-1',
      random,
      onSplit: (split: Split, previous: Split | null) => harness.events.push(`split ${split.losers.map((group) => group.clusterId).join(',')}${previous ? ' again' : ''}`),
      onHealed: (previous: Split) => harness.events.push(`healed ${previous.winner.clusterId}`),
      onError: (error) => harness.errors.push(error),
    },
    { probe, intervalMs: 1000, jitter: 0, ...options },
  );
  return Object.assign(harness, { monitor });
}

describe('SplitMonitor', () => {
  it('asks every ready peer but this pod, reports a split after every check, and heals when all agree', async () => {
    // kv-1 is this pod; its own report puts it with kv-0.
    const own: ClusterReport = { clusterId: 'c1' };
    const harness = setup({ report: () => own });
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c2' }, 'kv-3': { clusterId: 'c2' } };
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.asked.sort()).toEqual(['kv-0', 'kv-2', 'kv-3']);
    expect(harness.events).toEqual(['split c2']);
    expect(harness.monitor.split?.winner).toEqual({ clusterId: 'c1', members: ['kv-0', 'kv-1'] });
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2', 'split c2 again']);
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c1' }, 'kv-3': null };
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2', 'split c2 again', 'healed c1']);
    expect(harness.monitor.split).toBeNull();
    await harness.monitor.stop();
  });

  it('does not call it healed while a peer could not be asked', async () => {
    const harness = setup();
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c2' } };
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.events).toEqual(['split c2']);
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': 'fail' };
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2']);
    expect(harness.monitor.split).not.toBeNull();
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c1' } };
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2', 'healed c1']);
    await harness.monitor.stop();
  });

  it('never runs two rounds at once: the next interval starts when a slow round ends', async () => {
    let release!: () => void;
    let inFlight = 0;
    let most = 0;
    const slow = async (): Promise<ClusterReport> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => (release = resolve));
      inFlight -= 1;
      return { clusterId: 'c1' };
    };
    const harness = setup({ probe: slow, probeTimeoutMs: 60_000 }, ['kv-0', 'kv-1']);
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(inFlight).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(999);
    expect(inFlight).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(inFlight).toBe(1);
    expect(most).toBe(1);
    release();
    await harness.monitor.stop();
  });

  it('asks at most a few peers at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const probe = async (): Promise<null> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight -= 1;
      return null;
    };
    const pods = Array.from({ length: 20 }, (_, index) => `kv-${index}`);
    const harness = setup({ probe }, pods);
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(most).toBe(SPLIT_CHECK_DEFAULTS.concurrency);
    await harness.monitor.stop();
  });

  it('starts within jitter × interval and spreads every interval by ±jitter', async () => {
    for (const [random, first, second] of [
      [0, 0, 500],
      [0.5, 250, 1250],
      [0.999, 500, 1999],
    ] as const) {
      const times: number[] = [];
      const started = Date.now();
      const harness = setup({ jitter: 0.5, probe: async () => (times.push(Date.now() - started), null) }, ['kv-0', 'kv-1'], () => random);
      harness.monitor.start();
      await vi.advanceTimersByTimeAsync(first);
      expect(times).toEqual([first]);
      await vi.advanceTimersByTimeAsync(second - first - 1);
      expect(times).toEqual([first]);
      await vi.advanceTimersByTimeAsync(1);
      expect(times).toEqual([first, second]);
      await harness.monitor.stop();
    }
  });

  it('decides nothing on a stale membership, and stops: no round, no event after stop()', async () => {
    const harness = setup();
    harness.membership = view(['kv-0', 'kv-1', 'kv-2'], { statefulSet: 'kv', stale: true });
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c2' } };
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(harness.asked).toEqual([]);
    harness.membership = view(['kv-0', 'kv-1', 'kv-2'], { statefulSet: 'kv' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2']);
    await harness.monitor.stop();
    const asked = harness.asked.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(harness.asked.length).toBe(asked);
    expect(harness.events).toEqual(['split c2']);
  });

  it('reports an own report that throws, and does not heal on it', async () => {
    let fail = false;
    const harness = setup({
      report: () => {
        if (fail) throw new Error('db down');
        return { clusterId: 'c1' };
      },
    });
    harness.answers = { 'kv-0': { clusterId: 'c1' }, 'kv-2': { clusterId: 'c2' }, 'kv-3': { clusterId: 'c1' } };
    harness.monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.events).toEqual(['split c2']);
    fail = true;
    harness.answers['kv-2'] = { clusterId: 'c1' };
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.events).toEqual(['split c2']);
    expect(harness.errors.map((error) => error.code)).toEqual(['ERR_LISTENER']);
    await harness.monitor.stop();
  });

  it('rejects bad options as ERR_INVALID_OPTION', () => {
    const host = { membership: () => view([]), podName: 'kv-0', random: Math.random, onSplit: () => undefined, onHealed: () => undefined, onError: () => undefined };
    expect(() => new SplitMonitor(host, {} as SplitWatchOptions)).toThrow(expect.objectContaining({ option: 'probe' }));
    expect(() => new SplitMonitor(host, { probe: async () => null, intervalMs: 0 })).toThrow(expect.objectContaining({ option: 'intervalMs' }));
    expect(() => new SplitMonitor(host, { probe: async () => null, jitter: 2 })).toThrow(expect.objectContaining({ option: 'jitter' }));
    expect(() => new SplitMonitor(host, { probe: async () => null, every: 5 } as unknown as SplitWatchOptions)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
