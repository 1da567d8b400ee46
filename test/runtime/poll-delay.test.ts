import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jitteredDelay, nextPollDelay } from '../../src/runtime/poll-delay';

describe('jitteredDelay', () => {
  it('stays within interval × (1 ± jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 86_400_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (interval, jitter, u) => {
          const delay = jitteredDelay(interval, jitter, () => u);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(interval * (1 - jitter)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(interval * (1 + jitter)));
        },
      ),
    );
  });

  it('spreads delays across the whole window, not a fixed value', () => {
    expect(jitteredDelay(1000, 0.1, () => 0)).toBe(900);
    expect(jitteredDelay(1000, 0.1, () => 0.5)).toBe(1000);
    expect(jitteredDelay(1000, 0.1, () => 0.99)).toBe(1098);
    expect(jitteredDelay(1000, 0, () => 0.99)).toBe(1000);
  });
});

describe('nextPollDelay', () => {
  const timing = { intervalMs: 1000, fastIntervalMs: 200, maxIntervalMs: 5000, minIntervalMs: 150, jitter: 0 };
  const healthy = { consecutiveFailures: 0, degraded: false };

  it('uses the interval when healthy and the fast interval while degraded', () => {
    expect(nextPollDelay(timing, healthy)).toBe(1000);
    expect(nextPollDelay(timing, { consecutiveFailures: 0, degraded: true })).toBe(200);
  });

  it('backs off ×2 per failed poll up to maxIntervalMs, degraded or not', () => {
    const delays = [1, 2, 3, 4, 40].map((consecutiveFailures) => nextPollDelay(timing, { consecutiveFailures, degraded: true }));
    expect(delays).toEqual([2000, 4000, 5000, 5000, 5000]);
  });

  it('spreads the first scheduled poll ±50 % so pods started together fall out of step at once, unless jitter is 0', () => {
    const jittered = { ...timing, jitter: 0.1 };
    expect(nextPollDelay(jittered, { ...healthy, first: true }, () => 0)).toBe(500);
    expect(nextPollDelay(jittered, { ...healthy, first: true }, () => 0.99)).toBe(1490);
    expect(nextPollDelay(jittered, healthy, () => 0)).toBe(900);
    expect(nextPollDelay(timing, { ...healthy, first: true }, () => 0)).toBe(1000);
  });

  it('spreads over what the floor leaves instead of piling delays onto the floor', () => {
    const floored = { intervalMs: 1000, fastIntervalMs: 1000, maxIntervalMs: 5000, minIntervalMs: 1000, jitter: 0.1 };
    const draws = [0, 0.25, 0.5, 0.75, 0.999].map((u) => nextPollDelay(floored, healthy, () => u));
    expect(draws).toEqual([1000, 1025, 1050, 1075, 1100]);
    expect(nextPollDelay(floored, { ...healthy, first: true }, () => 0.5)).toBe(1250);
  });

  it('never goes below the floor, whatever the jitter draws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 10_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.integer({ min: 0, max: 50 }),
        fc.boolean(),
        (intervalMs, jitter, u, consecutiveFailures, degraded) => {
          const bounds = { intervalMs, fastIntervalMs: 100, maxIntervalMs: intervalMs * 4, minIntervalMs: 100, jitter };
          const delay = nextPollDelay(bounds, { consecutiveFailures, degraded }, () => u);
          expect(delay).toBeGreaterThanOrEqual(100);
          expect(delay).toBeLessThanOrEqual(Math.ceil(intervalMs * 4 * (1 + jitter)));
        },
      ),
    );
  });
});
