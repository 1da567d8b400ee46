/**
 * Publishing costs nothing while nobody subscribes: no channel's `publish` is called and no
 * message is built (the discovery's own fields are not even read for one) through a whole life
 * of polls, failures, retries, missing peers, probes and a bootstrap; once someone subscribes,
 * the same paths publish.
 */
import { channel, type Channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { createDnsResolver } from '../../src/dns/resolver';
import { CHANNEL_NAMES } from '../../src/index';
import { useDiscoveryHarness } from '../helpers/discovery-harness';
import { channelLog } from './channel-log';

const harness = useDiscoveryHarness({ base: { podName: 'mysql-0', intervalMs: 60_000, minIntervalMs: 100, jitter: 0, dnsTimeoutMs: 300, dnsAttempts: 1 }, quiet: true });
const restores: Array<() => void> = [];

afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

/**
 * Count the calls of every channel's `publish`, by channel. A channel changes its prototype when
 * its first subscriber comes (and back): the wrapper calls whichever `publish` the prototype has now.
 */
function countPublishes(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of CHANNEL_NAMES) {
    const target = channel(name) as Channel & { publish: (message: unknown) => void };
    Object.defineProperty(target, 'publish', {
      configurable: true,
      value(this: Channel, message: unknown) {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        (Object.getPrototypeOf(this) as { publish: (message: unknown) => void }).publish.call(this, message);
      },
    });
    restores.push(() => delete (target as { publish?: unknown }).publish);
  }
  return counts;
}

/** A life that goes through every publishing path that does not need the Kubernetes API. */
async function busyLife(): Promise<void> {
  const service = harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  const discovery = harness.discovery({ leaveAfterPolls: 3, retries: 1, readiness: { check: async (peer) => peer.name !== 'mysql-2', periodMs: 60_000 } });
  await discovery.start();
  await discovery.bootstrap({ probe: async () => null, splitCheck: false, stableForMs: 0, timeoutMs: 20_000 });
  service.scale(2);
  await discovery.refresh();
  harness.cluster.outage('servfail');
  await discovery.refresh();
  harness.cluster.outage(null);
  await discovery.refresh();
}

describe('with nobody subscribed', () => {
  it('no channel publishes anything', async () => {
    const counts = countPublishes();
    await busyLife();
    expect(Object.fromEntries(counts)).toEqual({});
  });

  it('a resolver builds no message: the discovery it names is not even read', async () => {
    harness.cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 1 });
    let reads = 0;
    const subject = {
      get service() {
        reads++;
        return 'mysql';
      },
      namespace: 'default',
    };
    const [address, port] = harness.cluster.nameserver.split(':') as [string, string];
    const resolver = createDnsResolver({ nameservers: [{ address, port: Number(port), family: 4 }], timeoutMs: 1000, attempts: 1, subject });
    try {
      await resolver.lookup(`mysql.default.svc.${harness.cluster.clusterDomain}`, 'A');
      expect(reads).toBe(0);
      const log = channelLog(['headless-discovery:dns:query', 'headless-discovery:dns:lookup']);
      await resolver.lookup(`mysql.default.svc.${harness.cluster.clusterDomain}`, 'A');
      log.close();
      expect(reads).toBe(2);
      expect(log.messages.map((published) => published.message['service'])).toEqual(['mysql', 'mysql']);
    } finally {
      resolver.close();
    }
  });
});

describe('with a subscriber', () => {
  it('the same life publishes on every channel but the Kubernetes ones', async () => {
    const counts = countPublishes();
    const log = channelLog(CHANNEL_NAMES);
    restores.push(() => log.close());
    await busyLife();
    expect([...counts.keys()].sort()).toEqual(CHANNEL_NAMES.filter((name) => !name.includes(':kubernetes:')).sort());
  });
});
