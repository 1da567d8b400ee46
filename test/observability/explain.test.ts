/**
 * `discovery.explain(name)` over real DNS on loopback: a member, a peer missing but held by
 * `leaveAfterPolls`, a removed peer, a name never seen (with what the last poll asked and got),
 * a not-ready peer with its probe history; and the text lines the command prints.
 */
import { describe, expect, it } from 'vitest';
import { explanationLines, type Explanation } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 60_000, minIntervalMs: 100, jitter: 0, dnsTimeoutMs: 300, dnsAttempts: 1 }, quiet: true });

function mysql(replicas: number) {
  return harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
}

/** What a user would log: the explanation through JSON, unchanged. */
function roundTrip(explanation: Explanation): Explanation {
  const copy = JSON.parse(JSON.stringify(explanation)) as Explanation;
  expect(copy).toEqual(explanation);
  return copy;
}

describe('discovery.explain(name)', () => {
  it('explains a member: listed by the last poll, by which source, and ready', async () => {
    mysql(3);
    const discovery = harness.discovery();
    const membership = await discovery.start();
    const explanation = roundTrip(discovery.explain('mysql-1'));
    expect(explanation).toMatchObject({ service: 'mysql', namespace: 'default', name: 'mysql-1', status: 'member', member: true, missing: null, removed: null, readiness: null, stale: false });
    expect(explanation.lastSeen).toEqual({ at: membership.updatedAt, sources: ['srv'] });
    expect(explanation.peer).toMatchObject({ name: 'mysql-1', ordinal: 1, port: 3306, ready: true });
    expect(explanation.summary).toBe('mysql-1 is a member: listed by the last poll and ready.');
    expect(discovery.explain(`mysql-1.mysql.default.svc.${harness.cluster.clusterDomain}.`).name).toBe('mysql-1');
  });

  it('explains a missing peer held by leaveAfterPolls: for how many polls, since when, last seen', async () => {
    const service = mysql(3);
    const discovery = harness.discovery({ leaveAfterPolls: 4 });
    const first = await discovery.start();
    service.scale(2);
    await discovery.refresh();
    const second = await discovery.refresh();
    const explanation = roundTrip(discovery.explain('mysql-2'));
    expect(explanation).toMatchObject({ status: 'missing', member: true });
    expect(explanation.missing).toMatchObject({ name: 'mysql-2', fate: 'kept', rule: 'leaveAfterPolls', polls: 2, requiredPolls: 4 });
    expect(explanation.missing?.forMs).toBeGreaterThanOrEqual(second.updatedAt - (explanation.missing?.since ?? 0));
    expect(explanation.lastSeen).toEqual({ at: first.updatedAt, sources: ['srv'] });
    expect(explanation.summary).toContain('leaveAfterPolls: missing from 2 of the 4 polls in a row it takes to leave');
  });

  it('explains a removed peer: when it left, by which rule, when it was last seen', async () => {
    const service = mysql(3);
    const discovery = harness.discovery({ leaveAfterPolls: 2 });
    const first = await discovery.start();
    const left = nextEvent(discovery, 'leave');
    service.scale(2);
    await discovery.refresh();
    await discovery.refresh();
    await left;
    const explanation = roundTrip(discovery.explain('mysql-2'));
    expect(explanation).toMatchObject({ status: 'removed', member: false, peer: null, missing: null });
    expect(explanation.removed).toMatchObject({ rule: 'leaveAfterPolls', polls: 2 });
    expect(explanation.lastSeen).toEqual({ at: first.updatedAt, sources: ['srv'] });
    expect(explanation.summary).toMatch(/^mysql-2 left at .*: leaveAfterPolls was met \(missing from 2 polls\)\.$/);
  });

  it('explains a name never seen with what the last poll asked and what came back, and never throws', async () => {
    mysql(3);
    const discovery = harness.discovery({ sources: ['srv'] });
    expect(discovery.explain('mysql-7').summary).toBe('mysql-7 was never listed: no poll has ended yet.');
    await discovery.start();
    const explanation = roundTrip(discovery.explain('mysql-7'));
    expect(explanation).toMatchObject({ status: 'never-seen', member: false, peer: null, lastSeen: null });
    expect(explanation.lastPoll).toMatchObject({ outcome: 'ok', source: 'srv', at: expect.any(Number) });
    expect(explanation.lastPoll.lookups).toEqual([{ type: 'SRV', name: `_mysql._tcp.mysql.default.svc.${harness.cluster.clusterDomain}.`, outcome: 'answer', records: 3 }]);
    expect(explanation.summary).toContain(`asked SRV _mysql._tcp.mysql.default.svc.${harness.cluster.clusterDomain}. → 3 records`);
    for (const odd of ['', '...', 'MYSQL-7', undefined as unknown as string, 42 as unknown as string]) expect(() => discovery.explain(odd)).not.toThrow();
    expect(discovery.explain('MYSQL-7').name).toBe('mysql-7');
  });

  it('explains a name never seen while DNS fails: the last poll failed', async () => {
    mysql(3);
    const discovery = harness.discovery({ sources: ['srv'], retries: 0 });
    harness.cluster.outage('servfail');
    await discovery.start();
    const explanation = discovery.explain('mysql-0');
    expect(explanation).toMatchObject({ status: 'never-seen', stale: true, lastPoll: { outcome: 'failed', lookups: [{ type: 'SRV', outcome: 'servfail', records: 0 }] } });
    expect(explanation.summary).toContain('the last poll failed');
  });

  it('explains a not-ready peer with its probe history', async () => {
    mysql(2);
    const discovery = harness.discovery({ readiness: { check: async (peer) => peer.name === 'mysql-0', periodMs: 100 } });
    await discovery.start();
    const probes = (): number => discovery.explain('mysql-1').readiness?.history.length ?? 0;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('three probes of mysql-1 did not happen')), 20_000);
      const check = setInterval(() => {
        if (probes() < 3) return;
        clearInterval(check);
        clearTimeout(deadline);
        resolve();
      }, 20);
    });
    const explanation = roundTrip(discovery.explain('mysql-1'));
    expect(explanation).toMatchObject({ status: 'not-ready', member: false, readiness: { ready: false } });
    expect(explanation.readiness?.history.every((record) => !record.passed && !record.ready)).toBe(true);
    expect(explanation.summary).toMatch(/^mysql-1 is listed but not a member: it is not ready \(\d+ of its last \d+ probes failed\)\.$/);
    expect(discovery.explain('mysql-0')).toMatchObject({ status: 'member', readiness: { ready: true } });
    expect(discovery.explain('mysql-0').readiness?.history.every((record) => record.passed && record.ready)).toBe(true);
  });

  it('renders as lines: the summary, then the facts', async () => {
    mysql(3);
    const discovery = harness.discovery();
    await discovery.start();
    const lines = explanationLines(discovery.explain('mysql-2'));
    expect(lines[0]).toBe('mysql-2 is a member: listed by the last poll and ready.');
    expect(lines[1]).toMatch(/^ {2}peer: mysql-2\.mysql\.default\.svc\.\S+ \S+ port 3306 ready$/);
    expect(lines[2]).toMatch(/^ {2}last seen: \d{4}-\d\d-\d\dT\S+ by srv$/);
    expect(lines.some((line) => line.startsWith('  last poll: '))).toBe(true);
  });
});
