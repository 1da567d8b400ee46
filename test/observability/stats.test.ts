/**
 * `discovery.stats()` against what the DNS server saw (the fake cluster counts every query it
 * receives over UDP and TCP, and every answer it truncated), and the current state it reports:
 * staleness, members by state, probes.
 */
import { describe, expect, it } from 'vitest';
import { FixedHistogram } from '../../src/observability/histogram';
import { lookupRcode, rcodeName } from '../../src/observability/stats-recorder';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 60_000, minIntervalMs: 100, jitter: 0, dnsTimeoutMs: 300, dnsAttempts: 1 }, quiet: true });

function mysql(replicas: number) {
  return harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
}

describe('discovery.stats()', () => {
  it('counts the messages, truncations and lookups the DNS server saw', async () => {
    // Enough pods that the SRV answer does not fit in UDP: each poll is a UDP try, then TCP.
    mysql(60);
    const discovery = harness.discovery({ sources: ['srv'] });
    await discovery.start();
    await discovery.refresh();
    await discovery.refresh();
    const stats = discovery.stats();
    const seen = harness.cluster.stats;
    expect(seen.truncated).toBeGreaterThan(0);
    expect(stats.messages).toEqual({ udp: seen.udpQueries, tcp: seen.tcpQueries });
    expect(stats.truncations).toBe(seen.truncated);
    expect(stats.polls).toEqual({ ok: 3, failed: 0 });
    expect(stats.pollDurationMs.count).toBe(3);
    const lookups = Object.values(stats.lookups.byOutcome).reduce((sum, count) => sum + count, 0);
    expect(lookups).toBeGreaterThanOrEqual(3);
    expect(stats.lookups.byRcode['NOERROR']).toBe(stats.lookups.byOutcome['answer']);
    expect(stats.lookupLatencyMs.count).toBe(lookups);
    expect(stats.lookupLatencyMs.counts.reduce((sum, count) => sum + count, 0)).toBe(lookups);
    expect(stats.members).toEqual({ ready: 60, notReady: 0, missing: 0, draining: 0, total: 60 });
    expect(stats.staleness).toEqual({ stale: false, ageMs: expect.any(Number), lastSuccessAt: discovery.membership.updatedAt });
  });

  it('counts failed polls by RCODE and reports the membership stale since the last success', async () => {
    mysql(3);
    const discovery = harness.discovery({ sources: ['srv'], retries: 0 });
    const first = await discovery.start();
    harness.cluster.outage('refused');
    const stale = nextEvent(discovery, 'stale');
    await discovery.refresh();
    await stale;
    const stats = discovery.stats();
    expect(stats.polls).toEqual({ ok: 1, failed: 1 });
    expect(stats.lookups.byOutcome['refused']).toBe(1);
    expect(stats.lookups.byRcode['REFUSED']).toBe(1);
    expect(stats.staleness).toMatchObject({ stale: true, lastSuccessAt: first.updatedAt });
    expect(stats.staleness.ageMs).toBe(stats.at - first.updatedAt);
    expect(stats.messages.udp).toBe(harness.cluster.stats.udpQueries);
  });

  it('counts members by state: not ready, missing but not gone', async () => {
    const service = mysql(3);
    const discovery = harness.discovery({ leaveAfterPolls: 5, readiness: { check: async (peer) => peer.name !== 'mysql-1', periodMs: 60_000 } });
    await discovery.start();
    service.scale(2);
    await discovery.refresh();
    expect(discovery.stats().members).toEqual({ ready: 2, notReady: 1, missing: 1, draining: 0, total: 3 });
    expect(discovery.stats().probes.readiness).toEqual({ passed: 2, failed: 1 });
  });

  it('is a detached, frozen snapshot', async () => {
    mysql(1);
    const discovery = harness.discovery();
    await discovery.start();
    const before = discovery.stats();
    await discovery.refresh();
    expect(before.polls.ok).toBe(1);
    expect(discovery.stats().polls.ok).toBe(2);
    expect(Object.isFrozen(before.lookups.byOutcome)).toBe(true);
    expect(JSON.parse(JSON.stringify(before))).toEqual(before);
  });
});

describe('the pieces', () => {
  it('a histogram puts each observation in the first bucket whose bound it does not exceed', () => {
    const histogram = new FixedHistogram([1, 10]);
    for (const ms of [0, 1, 1.5, 10, 11, -3, Number.NaN]) histogram.observe(ms);
    expect(histogram.snapshot()).toEqual({ boundsMs: [1, 10], counts: [4, 2, 1], count: 7, sumMs: 23.5 });
  });

  it('names RCODEs and the RCODE behind each lookup outcome', () => {
    expect([0, 2, 3, 5, 12].map(rcodeName)).toEqual(['NOERROR', 'SERVFAIL', 'NXDOMAIN', 'REFUSED', 'RCODE12']);
    expect(lookupRcode('nodata', undefined)).toBe('NOERROR');
    expect(lookupRcode('nxdomain', undefined)).toBe('NXDOMAIN');
    expect(lookupRcode('rcode', 4)).toBe('NOTIMP');
    expect(lookupRcode('timeout', undefined)).toBeUndefined();
  });
});
