import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jitteredDelay } from '../src/interval';

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
