/**
 * `headless-discovery demo` (what `npm start` runs): a fake cluster DNS on loopback serves a
 * `mysql` StatefulSet behind a headless Service, and a discovery running as pod mysql-1 prints
 * every event while the StatefulSet scales 0 → 3 → 5 → 2, a pod restarts with a new IP, and the
 * DNS goes dark for a moment. It ends by itself.
 *
 * @module
 */
import { createDiscovery, type Discovery, type DiscoveryEvents, type DiscoveryOptions, type Membership, type Peer } from '../index';
import { createFakeCluster, type FakeCluster } from '../testing/index';

const INTERVAL_MS = 400;
const STEP_DEADLINE_MS = 15_000;

/** The demo's DNS timing (short, so the outage shows quickly); `--timeout` and `--attempts` change it. */
export const DEMO_DNS_TIMING = { dnsTimeoutMs: 300, dnsAttempts: 1 } as const;

/**
 * Run the demo, writing to `write`; resolves with the exit code. `timing` overrides
 * {@link DEMO_DNS_TIMING}.
 */
export async function runDemo(write: (line: string) => void, timing: Pick<DiscoveryOptions, 'dnsTimeoutMs' | 'dnsAttempts'> = {}): Promise<number> {
  const started = Date.now();
  const clock = (): string => `[${((Date.now() - started) / 1000).toFixed(2).padStart(5)}s]`;
  const say = (text: string): void => write(`${clock()} ${text}`);
  const step = (text: string): void => write(`\n${clock()} ── ${text}`);
  const describePeer = (peer: Peer): string =>
    `${peer.name}${peer.self ? ' (self)' : ''} ${peer.addresses.join(', ')}${peer.port === null ? '' : ` port ${peer.port}`}`;
  const names = (membership: Membership): string => membership.peers.map((peer) => peer.name).join(',');

  const cluster = await createFakeCluster();
  const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }] });
  const options: DiscoveryOptions = {
    service: 'mysql',
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    port: 'mysql',
    podName: 'mysql-1',
    nameservers: [cluster.nameserver],
    intervalMs: INTERVAL_MS,
    ...DEMO_DNS_TIMING,
    ...timing,
    maxIntervalMs: 800,
  };
  const discovery = await createOrClose(options, cluster);

  discovery.on('join', (peer) => say(`join    ${describePeer(peer)}`));
  discovery.on('leave', (peer) => say(`leave   ${peer.name}`));
  discovery.on('update', (peer, previous) => say(`update  ${peer.name}: ${previous.addresses.join(', ')} → ${peer.addresses.join(', ')}`));
  discovery.on('seed', (seed, previous) => say(`seed    ${seed ? seed.name : 'none'} (was ${previous ? previous.name : 'none'})`));
  discovery.on('error', (error) => say(`error   ${error.code}: ${error.message}`));
  discovery.on('stale', (membership) => say(`stale   keeping ${membership.peers.length} peers as last seen`));
  discovery.on('fresh', (membership) => say(`fresh   ${membership.peers.length} peers, answered again`));
  discovery.on('change', (membership) => {
    const peers = membership.peers.map((peer) => `${peer === membership.seed ? '★' : ''}${peer.name}`).join('  ');
    say(`        membership #${membership.epoch}: ${peers || '(empty)'}   seed host ${membership.seedHost}`);
  });

  /** The next `event` whose arguments pass `filter`; rejects when the step takes too long. */
  const nextEvent = <E extends keyof DiscoveryEvents>(event: E, filter: (...args: DiscoveryEvents[E]) => boolean = () => true): Promise<void> =>
    new Promise((resolve, reject) => {
      const listener = (...args: DiscoveryEvents[E]): void => {
        if (!filter(...args)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`demo step did not complete: no "${event}" event within ${STEP_DEADLINE_MS} ms`));
      }, STEP_DEADLINE_MS);
      const cleanup = (): void => {
        clearTimeout(timer);
        discovery.off(event, listener as never);
      };
      discovery.on(event, listener as never);
    });
  const members = async (minPeers: number): Promise<void> => {
    await discovery.waitFor({ minPeers, timeoutMs: STEP_DEADLINE_MS });
  };

  try {
    write(`headless-discovery demo: fake cluster DNS on ${cluster.nameserver}, StatefulSet "mysql" behind headless Service "mysql".`);
    write(`Polling SRV _mysql._tcp.mysql.default.svc.${cluster.clusterDomain} every ${INTERVAL_MS} ms (±10 % jitter) as pod mysql-1.`);

    step('no pods yet: the Service name is NXDOMAIN, a real observation of an empty set');
    const first = await discovery.start();
    say(`        first membership: ${first.peers.length} peers, stale: ${String(first.stale)}`);

    step('scale mysql to 3');
    mysql.scale(3);
    await members(3);

    step('scale mysql to 5');
    mysql.scale(5);
    await members(5);

    step('mysql-2 restarts and comes back with a new IP: an update, not a leave + join');
    const moved = nextEvent('update', (peer) => peer.name === 'mysql-2');
    mysql.restart('mysql-2');
    await moved;

    step('the cluster DNS stops answering: lookups time out, the membership is kept (stale)');
    const stale = nextEvent('stale');
    cluster.outage('drop');
    await stale;
    say(`        membership: ${discovery.membership.peers.length} peers kept, stale since ${new Date(discovery.membership.staleSince ?? 0).toISOString()}`);

    step('the DNS is back: the membership is fresh again');
    cluster.outage(null);
    await members(5);
    say(`        membership fresh again: ${discovery.membership.peers.length} peers, no leave was reported`);

    step('scale mysql to 2: the missing pods leave after two polls without them (one glitchy answer is not a scale-down)');
    const scaledDown = nextEvent('change', (membership) => names(membership) === 'mysql-0,mysql-1');
    mysql.scale(2);
    await scaledDown;

    step('done');
    const { udpQueries, tcpQueries } = cluster.stats;
    say(`        ${udpQueries} UDP and ${tcpQueries} TCP queries served in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  } catch (error) {
    write(String(error instanceof Error ? error.message : error));
    return 1;
  } finally {
    await discovery.close();
    await cluster.close();
  }
}

/** The demo's discovery; an invalid option (a bad `--timeout`) closes the cluster before it is rethrown. */
async function createOrClose(options: DiscoveryOptions, cluster: FakeCluster): Promise<Discovery> {
  try {
    return createDiscovery(options);
  } catch (error) {
    await cluster.close();
    throw error;
  }
}
