/**
 * waitFor, waitForSeed and bootstrap on a running discovery against the fake cluster DNS.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ClusterReport, Peer } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-1', intervalMs: 100, jitter: 0, dnsTimeoutMs: 200, dnsAttempts: 1 }, quiet: true });
const { discovery } = harness;

describe('waitFor', () => {
  it('resolves once enough members have been there, unchanged, for stableForMs', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const subject = discovery();
    const started = performance.now();
    const waiting = subject.waitFor({ minPeers: 3, stableForMs: 300 });
    await subject.start();
    svc.scale(3);
    const membership = await waiting;
    expect(membership.peers).toHaveLength(3);
    expect(membership.stale).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('waits for a quorum of expectedReplicas', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const subject = discovery({ expectedReplicas: 5 });
    const waiting = subject.waitFor({ quorum: true });
    await subject.start();
    svc.scale(2);
    await subject.refresh();
    expect(subject.membership.peers).toHaveLength(2);
    svc.scale(3);
    expect((await waiting).peers).toHaveLength(3);
    await expect(discovery().waitFor({ quorum: true })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'quorum' });
  });

  it('does not count a stale membership, and rejects with ERR_WAIT_TIMEOUT saying what it saw', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    harness.cluster.outage('servfail');
    const error = await discovery().waitFor({ minPeers: 1, timeoutMs: 400 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_WAIT_TIMEOUT' });
    expect((error as Error).message).toContain('at least 1 member');
  });

  it('rejects with the signal reason when aborted, and with ERR_DISCOVERY_CLOSED when the discovery closes', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    const subject = discovery();
    const controller = new AbortController();
    const aborted = subject.waitFor({ minPeers: 5, signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    const closing = subject.waitFor({ minPeers: 5 });
    await subject.close();
    await expect(closing).rejects.toMatchObject({ code: 'ERR_DISCOVERY_CLOSED' });
  });

  it('rejects bad options without waiting', async () => {
    await expect(discovery().waitFor({ minPeers: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'minPeers' });
    await expect(discovery().waitFor({ stableForMs: Number.NaN })).rejects.toMatchObject({ option: 'stableForMs' });
  });
});

describe('waitForSeed', () => {
  it('resolves with the seed once it appears', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], ordinalStart: 3, replicas: 0 });
    const subject = discovery({ ordinalStart: 3, podName: 'mysql-4' });
    const waiting = subject.waitForSeed({ timeoutMs: 20_000 });
    await subject.start();
    svc.scale(2);
    const seed: Peer = await waiting;
    expect(seed.name).toBe('mysql-3');
  });
});

describe('bootstrap', () => {
  it('asks the ready peers and rejoins the cluster they report instead of forming a second one', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const asked: string[] = [];
    const probe = async (peer: Peer): Promise<ClusterReport | null> => {
      asked.push(peer.name);
      return { clusterId: 'c1' };
    };
    const decision = await discovery({ podName: 'mysql-0' }).bootstrap({ probe, stableForMs: 0 });
    expect(decision).toMatchObject({ action: 'join', target: { name: 'mysql-1' } });
    expect(asked.sort()).toEqual(['mysql-1', 'mysql-2']);
  });

  it('waits while the seed is missing, reporting why, and joins once it is there', async () => {
    const svc = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    svc.setReady('mysql-0', false);
    const subject = discovery({ podName: 'mysql-2' });
    const reasons: string[] = [];
    let waited!: () => void;
    const firstWait = new Promise<void>((resolve) => (waited = resolve));
    const deciding = subject.bootstrap({
      stableForMs: 0,
      onWait: (decision) => {
        reasons.push(decision.reason);
        waited();
      },
    });
    await firstWait;
    svc.setReady('mysql-0', true);
    const decision = await deciding;
    expect(reasons[0]).toContain('waiting for the seed mysql-0');
    expect(decision).toMatchObject({ action: 'join', target: { name: 'mysql-0' }, cloneFrom: { name: 'mysql-1' }, replicateFrom: { name: 'mysql-0' } });
  });

  it('leaves no abort listener on the signal it gave a probe once the probe has answered', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
    const signals: AbortSignal[] = [];
    const probe = async (_peer: Peer, signal: AbortSignal): Promise<ClusterReport> => {
      signals.push(signal);
      return { clusterId: 'c1' };
    };
    await discovery({ podName: 'mysql-0' }).bootstrap({ probe, stableForMs: 0, signal: new AbortController().signal });
    expect(signals).toHaveLength(2);
    expect(signals.map((signal) => getEventListeners(signal, 'abort').length)).toEqual([0, 0]);
  });

  it('a seed that cannot ask a peer keeps waiting and times out with the reason', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 2 });
    const probe = (): Promise<ClusterReport> => new Promise(() => undefined);
    const error = await discovery({ podName: 'mysql-0' })
      .bootstrap({ probe, probeTimeoutMs: 50, stableForMs: 0, timeoutMs: 600 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_WAIT_TIMEOUT' });
    expect((error as { lastReason?: string }).lastReason).toContain('could not ask mysql-1');
  });
});
