/**
 * The poll scheduler on a fake clock: one poll at a time, requests coalesced into one follow-up,
 * the floor between two starts, the regular delay from what the last poll reported, and stop().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PollTiming } from '../../src/config/discovery-config';
import { ClosedError } from '../../src/errors';
import { PollScheduler } from '../../src/runtime/scheduler';

const TIMING: PollTiming = { intervalMs: 1000, fastIntervalMs: 500, maxIntervalMs: 8000, minIntervalMs: 200, jitter: 0 };

/** A poll whose runs the test ends by hand, recording when each started. */
function controlledPoll(): { poll: () => Promise<number>; starts: number[]; finish: (result?: number) => void; fail: (error: unknown) => void } {
  const starts: number[] = [];
  const pending: Array<{ resolve: (value: number) => void; reject: (error: unknown) => void }> = [];
  return {
    starts,
    poll: () => {
      starts.push(Date.now());
      return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
    },
    finish: (result = starts.length) => pending.shift()?.resolve(result),
    fail: (error) => pending.shift()?.reject(error),
  };
}

/** A poll that ends at once with the number of its run. */
function instantPoll(): { poll: () => Promise<number>; starts: number[] } {
  const starts: number[] = [];
  return { starts, poll: async () => starts.push(Date.now()) };
}

let scheduler: PollScheduler<number> | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

function create(poll: () => Promise<number>, timing: PollTiming = TIMING): PollScheduler<number> {
  scheduler = new PollScheduler(poll, timing, () => Date.now(), () => 0.5);
  return scheduler;
}

describe('requests', () => {
  it('start a poll at once when none ran yet, and resolve with its result', async () => {
    const { poll, starts } = instantPoll();
    const result = await create(poll).request();
    expect(result).toBe(1);
    expect(starts).toEqual([0]);
  });

  it('made while a poll is in flight share one follow-up poll, started after it ends', async () => {
    const run = controlledPoll();
    const subject = create(run.poll);
    const first = subject.request();
    await vi.advanceTimersByTimeAsync(10);
    const followUps = [subject.request(), subject.request(), subject.request()];
    await vi.advanceTimersByTimeAsync(500);
    expect(run.starts).toEqual([0]);

    run.finish(1);
    expect(await first).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.starts).toEqual([0, 510]);
    run.finish(2);
    expect(await Promise.all(followUps)).toEqual([2, 2, 2]);
  });

  it('never start two polls closer together than minIntervalMs', async () => {
    const { poll, starts } = instantPoll();
    const subject = create(poll);
    await subject.request();
    const second = subject.request();
    await vi.advanceTimersByTimeAsync(199);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(starts).toEqual([0, 200]);
  });

  it('urgent (a source pushed a change): start without waiting for the floor, still one at a time', async () => {
    const run = controlledPoll();
    const subject = create(run.poll);
    const first = subject.request();
    run.finish();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    // A plain request waits for the floor; an urgent one made meanwhile starts it at once.
    const plain = subject.request();
    expect(run.starts).toEqual([0]);
    const urgent = subject.request({ urgent: true });
    expect(run.starts).toEqual([0, 0]);
    // While that poll runs, more pushes share one follow-up, which starts as soon as it ends.
    const during = [subject.request({ urgent: true }), subject.request({ urgent: true })];
    run.finish();
    await Promise.all([plain, urgent]);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.starts).toEqual([0, 0, 0]);
    run.finish();
    const [a, b] = await Promise.all(during);
    expect(a).toBe(b);
  });

  it('reject with the poll\'s error, and polling goes on', async () => {
    const run = controlledPoll();
    const subject = create(run.poll);
    const failing = subject.request();
    run.fail(new TypeError('boom'));
    await expect(failing).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(TIMING.intervalMs);
    expect(run.starts).toHaveLength(2);
    run.finish();
  });
});

describe('the regular schedule', () => {
  it('polls again after the interval, faster while degraded, backing off while polls fail', async () => {
    const { poll, starts } = instantPoll();
    const subject = create(poll);
    await subject.request();
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toEqual([0, 1000]);

    subject.report({ consecutiveFailures: 0, degraded: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toEqual([0, 1000, 2000]);
    await vi.advanceTimersByTimeAsync(500);
    expect(starts).toEqual([0, 1000, 2000, 2500]);

    subject.report({ consecutiveFailures: 2, degraded: false });
    await vi.advanceTimersByTimeAsync(500);
    expect(starts.at(-1)).toBe(3000);
    await vi.advanceTimersByTimeAsync(4000);
    expect(starts.at(-1)).toBe(7000);
  });

  it('spreads the first scheduled poll wider than the jitter, to break up a fleet started together', async () => {
    const { poll, starts } = instantPoll();
    scheduler = new PollScheduler(poll, { ...TIMING, jitter: 0.1 }, () => Date.now(), () => 0);
    await scheduler.request();
    await vi.advanceTimersByTimeAsync(500);
    expect(starts).toEqual([0, 500]);
  });
});

describe('status()', () => {
  it('tells whether a poll runs, when the last one started and ended, and when the next is due', async () => {
    const run = controlledPoll();
    const subject = create(run.poll);
    expect(subject.status()).toEqual({ inFlight: false, lastStartedAt: undefined, lastEndedAt: undefined, nextAt: undefined });
    const first = subject.request();
    await vi.advanceTimersByTimeAsync(30);
    expect(subject.status()).toEqual({ inFlight: true, lastStartedAt: 0, lastEndedAt: undefined, nextAt: undefined });
    run.finish();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(subject.status()).toEqual({ inFlight: false, lastStartedAt: 0, lastEndedAt: 30, nextAt: 30 + TIMING.intervalMs });
    await vi.advanceTimersByTimeAsync(TIMING.intervalMs);
    run.finish();
  });
});

describe('stop()', () => {
  it('rejects waiting requests, waits for the poll in flight, and starts no poll afterwards', async () => {
    const run = controlledPoll();
    const subject = create(run.poll);
    const first = subject.request();
    const waiting = subject.request();
    let stopped = false;
    const stopping = subject.stop().then(() => (stopped = true));
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    await vi.advanceTimersByTimeAsync(10);
    expect(stopped).toBe(false);

    run.finish(1);
    await stopping;
    expect(await first).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * TIMING.maxIntervalMs);
    expect(run.starts).toHaveLength(1);
    await expect(subject.request()).rejects.toBeInstanceOf(ClosedError);
  });
});
