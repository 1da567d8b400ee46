/**
 * `watch` on a terminal: the table is redrawn on every change, with the latest events below it.
 * Runs the command's code in-process with a terminal-like stdout, against the fake cluster DNS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await createFakeCluster();
});
afterEach(async () => {
  await cluster.close();
});

describe('watch on a terminal', () => {
  it('clears and redraws the table with each event, marking the seed and this pod', async () => {
    const svc = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const frames: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let onFrame: (() => void) | undefined;
    const stdout = {
      isTTY: true,
      write(text: string) {
        frames.push(text);
        onFrame?.();
        return true;
      },
    };
    const frameWith = (pattern: RegExp): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no frame matching ${String(pattern)}`)), 20_000);
        const check = (): void => {
          const frame = frames.find((candidate) => pattern.test(candidate));
          if (!frame) return;
          clearTimeout(timer);
          onFrame = undefined;
          resolve(frame);
        };
        onFrame = check;
        check();
      });
    const running = runWatch(
      { service: 'mysql', namespace: 'default', port: 'mysql', podName: 'mysql-1', nameservers: [cluster.nameserver], intervalMs: 100 },
      false,
      { stdout, stopped },
    );
    const first = await frameWith(/snapshot/);
    expect(first.startsWith('\x1b[H')).toBe(true);
    expect(first.endsWith('\n\x1b[J')).toBe(true);
    expect(first).toMatch(/headless-discovery watch mysql: fresh, 2 peers \(2 ready\)/);
    expect(first).toMatch(/^★ +0 +mysql-0 /m);
    expect(first).toMatch(/^ › +1 +mysql-1 /m);
    expect(first).not.toContain('the last poll asked');
    svc.scale(3);
    const joined = await frameWith(/join +mysql-2/);
    expect(joined).toMatch(/^ +2 +mysql-2 +10\.244\.\S+ +3306 +yes +srv\x1b\[K$/m);
    expect(joined).toMatch(/Z  join    mysql-2 \S+:3306  \[fresh\]\x1b\[K$/m);
    stop();
    expect(await running).toBe(0);
  });
});
