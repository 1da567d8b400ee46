/**
 * discovery.drain() on a running discovery against the fake cluster DNS: what stops (bootstrap,
 * split checks, join events) and what goes on (polling, the membership, leave and change), and
 * how it ends with close().
 */
import { describe, expect, it } from 'vitest';
import type { ClusterReport, Peer } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-1', intervalMs: 100, jitter: 0, dnsTimeoutMs: 200, dnsAttempts: 1 }, quiet: true });
const { discovery } = harness;
const define = (replicas: number) => harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });

describe('drain()', () => {
  it('rejects a bootstrap in flight and every later one with ERR_DRAINING', async () => {
    define(3).setReady('mysql-0', false);
    const subject = discovery();
    let waited!: () => void;
    const firstWait = new Promise<void>((resolve) => (waited = resolve));
    const deciding = subject.bootstrap({ stableForMs: 0, onWait: () => waited() });
    await firstWait;
    expect(subject.draining).toBe(false);
    const drained = subject.drain();
    expect(subject.drain()).toBe(drained);
    expect(subject.draining).toBe(true);
    await expect(deciding).rejects.toMatchObject({ code: 'ERR_DRAINING' });
    await drained;
    await expect(subject.bootstrap({ stableForMs: 0 })).rejects.toMatchObject({ code: 'ERR_DRAINING' });
  });

  it('stops join events; the membership, leave and change go on until close()', async () => {
    const svc = define(2);
    const subject = discovery();
    const log: string[] = [];
    for (const event of ['join', 'leave'] as const) subject.on(event, (peer) => log.push(`${event}:${peer.name}`));
    await subject.start();
    expect(log.sort()).toEqual(['join:mysql-0', 'join:mysql-1']);
    log.length = 0;
    await subject.drain();

    const grown = nextEvent(subject, 'change', (membership) => membership.peers.length === 3);
    svc.scale(3);
    const [membership, diff] = await grown;
    expect(diff.joined.map((peer) => peer.name)).toEqual(['mysql-2']);
    expect(membership.ready.map((peer) => peer.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    const left = nextEvent(subject, 'leave');
    svc.scale(2);
    await left;
    expect(log).toEqual(['leave:mysql-2']);

    await subject.close();
    await expect(subject.drain()).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
  });

  it('stops the split checks: a draining pod asks its peers nothing more', async () => {
    define(3);
    const asked: string[] = [];
    const probe = (who: string) => async (peer: Peer): Promise<ClusterReport> => {
      asked.push(`${who}→${peer.name}`);
      return { clusterId: 'c1' };
    };
    const leaving = discovery();
    const staying = discovery({ podName: 'mysql-2' });
    leaving.watchSplits({ probe: probe('leaving'), intervalMs: 20, jitter: 0 });
    await nextEvent(leaving, 'change');
    await leaving.drain();
    const before = asked.filter((entry) => entry.startsWith('leaving')).length;
    // The other pod's checks are the clock: three of its rounds, and the draining one asked nobody.
    let rounds = 0;
    const done = new Promise<void>((resolve) => {
      staying.watchSplits({
        probe: async (peer) => {
          if (peer.name === 'mysql-0' && ++rounds === 3) resolve();
          return { clusterId: 'c1' };
        },
        intervalMs: 20,
        jitter: 0,
      });
    });
    await done;
    expect(asked.filter((entry) => entry.startsWith('leaving')).length).toBe(before);
    expect(() => leaving.watchSplits({ probe: probe('leaving') })).toThrow(expect.objectContaining({ code: 'ERR_DRAINING' }));
  });
});
