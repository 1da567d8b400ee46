/**
 * The backoff of the list/watch loop (pure): each delay in the upper half of its step, the
 * steps doubling up to the cap, back to the first after a reset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/kubernetes/backoff';

describe('Backoff', () => {
  it('draws each delay from [base / 2, base], base doubling from initialMs up to maxMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 100_000 }), fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 1, maxLength: 40 }), (initialMs, extra, draws) => {
        const maxMs = initialMs + extra;
        let index = 0;
        const backoff = new Backoff({ initialMs, maxMs }, () => draws[index++ % draws.length] as number);
        for (let attempt = 0; attempt < draws.length; attempt++) {
          const base = Math.min(maxMs, initialMs * 2 ** attempt);
          const delay = backoff.next();
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2));
          expect(delay).toBeLessThanOrEqual(base);
        }
      }),
    );
  });

  it('starts again from initialMs after a reset', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 }, () => 0.999_999);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([1000, 2000, 4000]);
    for (let i = 0; i < 10; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
    backoff.reset();
    expect(backoff.next()).toBe(1000);
  });
});
