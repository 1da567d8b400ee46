/**
 * Each diagnostics channel publishes what it says, over real DNS on loopback (the fake cluster):
 * a poll's start and end (ok and failed), a retry, the reconcile step's verdict on missing peers
 * (held by `leaveAfterPolls`, held by the mass-removal guard, removed), readiness probes, bootstrap
 * questions and decisions; and every message names its discovery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_CHANNEL,
  CHANNEL_NAMES,
  LOOKUP_CHANNEL,
  POLL_END_CHANNEL,
  POLL_START_CHANNEL,
  PROBE_CHANNEL,
  QUERY_CHANNEL,
  RECONCILE_CHANNEL,
  RETRY_CHANNEL,
} from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { nextEvent } from '../helpers/events';
import { channelLog, type ChannelLog } from './channel-log';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 100, jitter: 0, dnsTimeoutMs: 300, dnsAttempts: 1 }, quiet: true });
const logs: ChannelLog[] = [];

afterEach(() => {
  for (const log of logs.splice(0)) log.close();
});

function listen(channels: readonly string[] = CHANNEL_NAMES): ChannelLog {
  const log = channelLog(channels);
  logs.push(log);
  return log;
}

function mysql(replicas: number) {
  return harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas });
}

describe('the poll channels', () => {
  it('tell a poll that answered: its number, source, endpoints, messages and duration', async () => {
    mysql(3);
    const log = listen();
    const discovery = harness.discovery();
    await discovery.start();
    const start = await log.next(POLL_START_CHANNEL);
    const end = await log.next(POLL_END_CHANNEL);
    expect(start).toMatchObject({ service: 'mysql', namespace: 'default', poll: 1, at: expect.any(Number) });
    expect(end).toMatchObject({ service: 'mysql', namespace: 'default', poll: 1, outcome: 'ok', source: 'srv', endpoints: 3, failures: [], epoch: discovery.membership.epoch });
    expect(end['messages']).toBe(harness.cluster.stats.udpQueries + harness.cluster.stats.tcpQueries);
    expect(end['durationMs']).toBeGreaterThanOrEqual(0);
    // The DNS channels name the discovery too.
    expect(await log.next(LOOKUP_CHANNEL)).toMatchObject({ service: 'mysql', namespace: 'default', type: 'SRV', outcome: 'answer' });
    expect(await log.next(QUERY_CHANNEL)).toMatchObject({ service: 'mysql', namespace: 'default', transport: 'udp', outcome: 'response', rcode: 0 });
  });

  it('tell a failed poll with its error, and every retry before it', async () => {
    mysql(3);
    const log = listen();
    harness.cluster.outage('servfail');
    const discovery = harness.discovery({ sources: ['srv'], retries: 2 });
    await discovery.start();
    const end = await log.next(POLL_END_CHANNEL);
    expect(end).toMatchObject({ poll: 1, outcome: 'failed', source: 'srv', endpoints: 0, error: expect.objectContaining({ code: 'ERR_DNS_SERVFAIL' }) });
    const retries = log.of(RETRY_CHANNEL);
    expect(retries.map((retry) => [retry['service'], retry['source'], retry['attempt'], retry['retries']])).toEqual([
      ['mysql', 'srv', 1, 2],
      ['mysql', 'srv', 2, 2],
    ]);
    expect(retries[0]?.['error']).toMatchObject({ code: 'ERR_DNS_SERVFAIL' });
    expect(end['messages']).toBe(3);
    expect(discovery.stats().retries).toBe(2);
  });
});

describe('the reconcile channel', () => {
  it('tells a missing peer kept by leaveAfterPolls, poll after poll, then removed', async () => {
    const service = mysql(3);
    const log = listen([RECONCILE_CHANNEL]);
    const discovery = harness.discovery({ leaveAfterPolls: 3 });
    await discovery.start();
    const left = nextEvent(discovery, 'leave');
    service.scale(2);
    await left;
    const verdicts = log
      .of(RECONCILE_CHANNEL)
      .flatMap((message) => message['missing'] as Record<string, unknown>[])
      .map((verdict) => [verdict['name'], verdict['fate'], verdict['rule'], verdict['polls'], verdict['requiredPolls']]);
    expect(verdicts).toEqual([
      ['mysql-2', 'kept', 'leaveAfterPolls', 1, 3],
      ['mysql-2', 'kept', 'leaveAfterPolls', 2, 3],
      ['mysql-2', 'removed', 'leaveAfterPolls', 3, 3],
    ]);
    const removal = log.of(RECONCILE_CHANNEL).find((message) => (message['left'] as string[]).length > 0);
    expect(removal).toMatchObject({ service: 'mysql', namespace: 'default', observation: 'complete', left: ['mysql-2'], joined: [] });
  });

  it('tells peers held by the mass-removal guard, then removed by the poll that confirms it', async () => {
    const service = mysql(5);
    const log = listen([RECONCILE_CHANNEL]);
    const discovery = harness.discovery({ leaveAfterPolls: 1 });
    await discovery.start();
    const gone = nextEvent(discovery, 'change', (membership) => membership.peers.length === 1);
    service.scale(1);
    await gone;
    const steps = log.of(RECONCILE_CHANNEL).filter((message) => (message['missing'] as unknown[]).length > 0);
    const fates = steps.map((message) => (message['missing'] as Record<string, unknown>[]).map((verdict) => `${String(verdict['name'])}:${String(verdict['fate'])}:${String(verdict['rule'])}`));
    expect(fates[0]).toEqual(['mysql-1', 'mysql-2', 'mysql-3', 'mysql-4'].map((name) => `${name}:held:maxRemovalFraction`));
    expect(fates[1]).toEqual(['mysql-1', 'mysql-2', 'mysql-3', 'mysql-4'].map((name) => `${name}:removed:leaveAfterPolls`));
    expect((steps[0]?.['missing'] as Record<string, unknown>[])[0]).toMatchObject({ polls: 1, requiredPolls: 2 });
  });

  it('tells the peers already missing as kept by a failed poll', async () => {
    const service = mysql(3);
    const log = listen([RECONCILE_CHANNEL]);
    const discovery = harness.discovery({ leaveAfterPolls: 5, sources: ['srv'], retries: 0 });
    await discovery.start();
    service.scale(2);
    await log.next(RECONCILE_CHANNEL, (message) => (message['missing'] as unknown[]).length > 0);
    harness.cluster.outage('refused');
    const failed = await log.next(RECONCILE_CHANNEL, (message) => message['observation'] === 'failed');
    expect(failed['missing']).toEqual([expect.objectContaining({ name: 'mysql-2', fate: 'kept', rule: 'failedPoll' })]);
  });
});

describe('the probe and bootstrap channels', () => {
  it('tell every readiness probe, its result and the verdict after it', async () => {
    mysql(2);
    const log = listen([PROBE_CHANNEL]);
    const discovery = harness.discovery({ readiness: { check: async (peer) => peer.name === 'mysql-0', periodMs: 100 } });
    await discovery.start();
    const failing = await log.next(PROBE_CHANNEL, (message) => message['peer'] === 'mysql-1');
    const passing = await log.next(PROBE_CHANNEL, (message) => message['peer'] === 'mysql-0');
    expect(failing).toMatchObject({ service: 'mysql', namespace: 'default', kind: 'readiness', passed: false, ready: false, changed: false });
    expect(passing).toMatchObject({ kind: 'readiness', passed: true, ready: true, changed: true, durationMs: expect.any(Number) });
    await log.next(PROBE_CHANNEL, (message) => message['peer'] === 'mysql-1' && log.of(PROBE_CHANNEL).filter((probe) => probe['peer'] === 'mysql-1').length >= 2);
    const stats = discovery.stats();
    expect(stats.probes.readiness.failed).toBeGreaterThanOrEqual(2);
    expect(stats.probes.readiness.passed).toBeGreaterThanOrEqual(1);
  });

  it('tell each peer asked for its report and the decision made', async () => {
    mysql(3);
    const log = listen([PROBE_CHANNEL, BOOTSTRAP_CHANNEL]);
    const discovery = harness.discovery({ podName: 'mysql-1' });
    const decision = await discovery.bootstrap({ probe: async (peer) => (peer.name === 'mysql-0' ? { clusterId: 'c1' } : null), timeoutMs: 20_000 });
    const decided = log.of(BOOTSTRAP_CHANNEL).at(-1);
    expect(decided).toEqual({
      service: 'mysql',
      namespace: 'default',
      podName: 'mysql-1',
      action: decision.action,
      reason: decision.reason,
      clusterId: decision.clusterId,
      target: decision.target?.name ?? null,
      asked: 2,
      answered: 2,
      epoch: expect.any(Number),
    });
    const asked = log.of(PROBE_CHANNEL).filter((message) => message['kind'] === 'bootstrap');
    expect(asked.map((message) => [message['peer'], message['purpose'], message['answered'], message['report']]).sort()).toEqual([
      ['mysql-0', 'bootstrap', true, { clusterId: 'c1' }],
      ['mysql-2', 'bootstrap', true, null],
    ]);
    expect(discovery.stats().probes.bootstrap.answered).toBeGreaterThanOrEqual(2);
  });
});
