/**
 * The pure mapping from a `stats()` snapshot to metric points, and the attributes read off a
 * seed host: property tests over any snapshot.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiscoveryStats, LatencyHistogram } from '../../src/observability/stats';
import { discoveryAttributes, discoveryName } from '../../src/opentelemetry/discovery-attributes';
import { METRICS, type MetricKey } from '../../src/opentelemetry/instruments';
import { metricPoints } from '../../src/opentelemetry/observations';

const n = fc.nat({ max: 1_000_000 });
const histogram: fc.Arbitrary<LatencyHistogram> = fc.record({
  boundsMs: fc.constant([1, 10, 100]),
  counts: fc.array(n, { minLength: 4, maxLength: 4 }),
  count: n,
  sumMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
});
const tally = fc.dictionary(fc.constantFrom('answer', 'nodata', 'nxdomain', 'servfail', 'timeout', 'NOERROR', 'SERVFAIL'), n);
const stats: fc.Arbitrary<DiscoveryStats> = fc.record({
  at: n,
  polls: fc.record({ ok: n, failed: n }),
  pollDurationMs: histogram,
  lookups: fc.record({ byOutcome: tally, byRcode: tally }),
  lookupLatencyMs: histogram,
  messages: fc.record({ udp: n, tcp: n }),
  truncations: n,
  retries: n,
  staleness: fc.record({ stale: fc.boolean(), ageMs: n, lastSuccessAt: fc.option(n) }),
  members: fc.record({ ready: n, notReady: n, missing: n, draining: n, total: n }),
  probes: fc.record({ readiness: fc.record({ passed: n, failed: n }), bootstrap: fc.record({ answered: n, failed: n }) }),
});

const sum = (points: ReturnType<typeof metricPoints>, metric: MetricKey): number =>
  points.filter((point) => point.metric === metric).reduce((total, point) => total + point.value, 0);

describe('metricPoints', () => {
  it('reports every metric, each point with exactly the attribute keys its definition lists', () => {
    fc.assert(
      fc.property(stats, (snapshot) => {
        const points = metricPoints(snapshot);
        for (const key of Object.keys(METRICS) as MetricKey[]) {
          const own = points.filter((point) => point.metric === key);
          // A tally with no entry yet (no lookup made) has no point; everything else always has one.
          if (key === 'lookups' || key === 'lookupRcodes') continue;
          expect(own.length, key).toBeGreaterThan(0);
        }
        for (const point of points) expect(Object.keys(point.attributes).sort()).toEqual([...METRICS[point.metric].attributes].sort());
      }),
    );
  });

  it('keeps every count, converts milliseconds to seconds, and splits nothing twice', () => {
    fc.assert(
      fc.property(stats, (snapshot) => {
        const points = metricPoints(snapshot);
        expect(sum(points, 'polls')).toBe(snapshot.polls.ok + snapshot.polls.failed);
        expect(sum(points, 'messages')).toBe(snapshot.messages.udp + snapshot.messages.tcp);
        expect(sum(points, 'lookups')).toBe(Object.values(snapshot.lookups.byOutcome).reduce((a, b) => a + b, 0));
        expect(sum(points, 'lookupRcodes')).toBe(Object.values(snapshot.lookups.byRcode).reduce((a, b) => a + b, 0));
        const { ready, notReady, missing, draining } = snapshot.members;
        expect(sum(points, 'members')).toBe(ready + notReady);
        expect(sum(points, 'missingMembers')).toBe(missing);
        expect(sum(points, 'drainingMembers')).toBe(draining);
        expect(sum(points, 'pollTime')).toBe(snapshot.pollDurationMs.sumMs / 1000);
        expect(sum(points, 'lookupTime')).toBe(snapshot.lookupLatencyMs.sumMs / 1000);
        expect(sum(points, 'staleness')).toBe(snapshot.staleness.ageMs / 1000);
        expect(sum(points, 'stale')).toBe(snapshot.staleness.stale ? 1 : 0);
        expect(sum(points, 'readinessProbes')).toBe(snapshot.probes.readiness.passed + snapshot.probes.readiness.failed);
        expect(sum(points, 'bootstrapReports')).toBe(snapshot.probes.bootstrap.answered + snapshot.probes.bootstrap.failed);
        for (const point of points) expect(point.value).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('discoveryName and discoveryAttributes', () => {
  it('read the Service and the namespace off a seed host, with or without the trailing dot', () => {
    expect(discoveryName('mysql-0.mysql.default.svc.cluster.local')).toEqual({ service: 'mysql', namespace: 'default' });
    expect(discoveryAttributes(discoveryName('db-3.db-hl.prod.svc.k8s.example.'))).toEqual({ 'headless_discovery.service': 'db-hl', 'k8s.namespace.name': 'prod' });
  });

  it('say nothing for a name of another shape', () => {
    for (const host of ['', 'mysql-0.mysql.default', 'a.b.c.d.example']) {
      expect(discoveryName(host)).toBeNull();
      expect(discoveryAttributes(discoveryName(host))).toEqual({});
    }
  });
});
