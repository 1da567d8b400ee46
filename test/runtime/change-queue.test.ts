/**
 * The queue behind `for await (const change of discovery)`: buffered in order, waiting when
 * empty, ended once (after what was buffered), and emptied when the consumer stops early.
 */
import { describe, expect, it } from 'vitest';
import { ChangeQueue } from '../../src/runtime/change-queue';

function queue(): { queue: ChangeQueue<number>; returns: () => number } {
  let returns = 0;
  const created = new ChangeQueue<number>(() => {
    returns += 1;
  });
  return { queue: created, returns: () => returns };
}

describe('ChangeQueue', () => {
  it('hands out pushed items in order, buffering those not yet asked for', async () => {
    const { queue: subject } = queue();
    subject.push(1);
    subject.push(2);
    expect(await subject.next()).toEqual({ value: 1, done: false });
    const waiting = subject.next();
    const later = subject.next();
    expect(await waiting).toEqual({ value: 2, done: false });
    subject.push(3);
    expect(await later).toEqual({ value: 3, done: false });
  });

  it('ends after the buffered items: pending and later next() calls are done, onReturn runs once', async () => {
    const { queue: subject, returns } = queue();
    subject.push(1);
    subject.end();
    subject.end();
    subject.push(2);
    expect(returns()).toBe(1);
    expect(await subject.next()).toEqual({ value: 1, done: false });
    expect(await subject.next()).toEqual({ value: undefined, done: true });
    expect(await subject.next()).toEqual({ value: undefined, done: true });
  });

  it('finishes a consumer that is waiting when it ends', async () => {
    const { queue: subject } = queue();
    const waiting = subject.next();
    subject.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('drops what was buffered when the consumer breaks out, and unsubscribes once', async () => {
    const { queue: subject, returns } = queue();
    subject.push(1);
    subject.push(2);
    const seen: number[] = [];
    for await (const item of subject) {
      seen.push(item);
      break;
    }
    expect(seen).toEqual([1]);
    expect(returns()).toBe(1);
    expect(await subject.next()).toEqual({ value: undefined, done: true });
  });
});
