import { describe, expect, it } from 'vitest';
import { SafeEmitter } from '../../src/runtime/safe-emitter';

interface Events {
  tick: [n: number];
  other: [];
}

class Recorder extends SafeEmitter<Events> {
  readonly failures: Array<{ event: string; error: unknown }> = [];
  onFailure: ((error: unknown) => void) | undefined;
  protected override onListenerError(event: keyof Events, error: unknown): void {
    this.failures.push({ event, error });
    this.onFailure?.(error);
  }
}

describe('SafeEmitter', () => {
  it('keeps calling the other listeners when one throws, and reports the throw', () => {
    const emitter = new Recorder();
    const seen: string[] = [];
    emitter.on('tick', (n) => seen.push(`a${n}`));
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => seen.push(`c${n}`));

    emitter.emit('tick', 1);

    expect(seen).toEqual(['a1', 'c1']);
    expect(emitter.failures).toHaveLength(1);
    expect(emitter.failures[0]?.event).toBe('tick');
    expect((emitter.failures[0]?.error as Error).message).toBe('boom');
  });

  it('reports a rejected promise returned by an async listener', async () => {
    const emitter = new Recorder();
    const reported = new Promise<unknown>((resolve) => {
      emitter.onFailure = resolve;
    });
    emitter.on('tick', async () => {
      throw new Error('async boom');
    });
    emitter.emit('tick', 2);
    expect(((await reported) as Error).message).toBe('async boom');
  });

  it('removes a listener with off() and once() fires once', () => {
    const emitter = new Recorder();
    let calls = 0;
    let onceCalls = 0;
    const listener = (): void => {
      calls++;
    };
    emitter.on('tick', listener);
    emitter.once('tick', () => {
      onceCalls++;
    });
    emitter.emit('tick', 1);
    emitter.off('tick', listener);
    emitter.emit('tick', 2);

    expect(calls).toBe(1);
    expect(onceCalls).toBe(1);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('lists the original listeners, not the wrappers', () => {
    const emitter = new Recorder();
    const listener = (): void => undefined;
    emitter.on('other', listener);
    expect(emitter.listeners('other')).toEqual([listener]);
  });

  it('rejects a listener that is not a function at registration', () => {
    const emitter = new Recorder();
    expect(() => emitter.on('tick', 'nope' as never)).toThrow(TypeError);
  });
});
