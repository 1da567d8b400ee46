/**
 * The fault matrix: a discovery of a 3-pod StatefulSet polls through a misbehaving DNS proxy.
 * Under every fault, and across a DNS server restart, no peer may leave, no promise may be left
 * rejected, and once DNS behaves again the membership must reach the truth (4 peers, not stale).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscovery, LookupError, type Discovery, type DiscoveryError, type Membership } from '../../src/index';
import { createFakeCluster, type FakeCluster, type FakeService } from '../../src/testing/index';
import { recordEvents } from '../helpers/events';
import { FAULTS, startFaultyDns, type Fault, type FaultyDns } from '../helpers/faulty-dns';

const extra = { maxIntervalMs: 400 };

const DEADLINE_MS = 20_000;
const TEST_TIMEOUT_MS = 90_000;
const FAULTED_POLLS = 3;
const PODS = ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3'];
const SRV_NAME = '_mysql._tcp.mysql.default.svc.cluster.local';

/**
 * The faults of this matrix. `truncate-tcp-half` is in the matrix at scale
 * (faults-at-scale.test.ts): it sends every lookup to TCP, where the polls counted here (UDP SRV
 * queries) are not seen.
 */
const MATRIX = FAULTS.filter((fault) => fault !== 'truncate-tcp-half');

/** Faults under which polls still succeed (every answer, or part of it, still comes back). */
const ANSWERING: ReadonlySet<Fault> = new Set<Fault>(['oversized', 'flap', 'flap-one']);

/** Faults under which a poll cannot succeed, so each faulted poll reports an error. */
const FAILING: ReadonlySet<Fault> = new Set<Fault>(MATRIX.filter((fault) => !ANSWERING.has(fault)));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

let cluster: FakeCluster;
let faulty: FaultyDns | undefined;
let discovery: Discovery | undefined;

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await discovery?.close();
  await faulty?.close();
  await cluster.close();
  discovery = undefined;
  faulty = undefined;
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

interface Setup {
  readonly service: FakeService;
  readonly proxy: FaultyDns;
  readonly discovery: Discovery;
  readonly log: string[];
  readonly errors: DiscoveryError[];
}

async function setUp(): Promise<Setup> {
  cluster = await createFakeCluster();
  const service = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  const proxy = await startFaultyDns(cluster.nameserver);
  faulty = proxy;
  const created = createDiscovery({
    service: 'mysql',
    namespace: 'default',
    clusterDomain: cluster.clusterDomain,
    port: 'mysql',
    podName: 'mysql-1',
    nameservers: [proxy.nameserver],
    intervalMs: 200,
    dnsTimeoutMs: 150,
    dnsAttempts: 1,
    jitter: 0,
    ...extra,
  });
  discovery = created;
  const errors: DiscoveryError[] = [];
  created.on('error', (error) => errors.push(error));
  const log = recordEvents(created);
  const first = await created.start();
  expect(first.peers.map((peer) => peer.name)).toEqual(PODS.slice(0, 3));
  expect(first.stale).toBe(false);
  expect(log).toEqual(['join:mysql-0', 'join:mysql-1', 'join:mysql-2', 'seed:mysql-0']);
  return { service, proxy, discovery: created, log, errors };
}

/**
 * Resolve once the proxy received `n` more UDP queries for the SRV name under `fault`. Polls
 * run one after the other, each starting with that query and sending it again only to retry a
 * failure, so for a fault that fails no lookup the n-th query means n - 1 faulted polls ended.
 */
function srvQueries(proxy: FaultyDns, fault: Fault, n: number): Promise<void> {
  let seen = 0;
  return within(`${n} SRV queries under "${fault}"`, (done) => {
    const stop = proxy.onQuery((query, current) => {
      if (query.transport !== 'udp' || query.name.toLowerCase() !== SRV_NAME || current !== fault || ++seen < n) return;
      done();
    });
    return stop;
  });
}

/** Resolve once `n` more polls failed to look up the SRV name (one `error` event each). */
function srvFailures(target: Discovery, n: number): Promise<void> {
  let seen = 0;
  return within(`${n} failed SRV lookups`, (done) => {
    const listener = (error: DiscoveryError): void => {
      if (!(error instanceof LookupError) || error.queryName.toLowerCase().replace(/\.$/, '') !== SRV_NAME) return;
      if (++seen >= n) done();
    };
    target.on('error', listener);
    return () => target.off('error', listener);
  });
}

/** Resolve once `n` more polls have run under `fault`. */
function faultedPolls(target: Discovery, proxy: FaultyDns, fault: Fault, n: number): Promise<void> {
  return FAILING.has(fault) ? srvFailures(target, n) : srvQueries(proxy, fault, n + 1);
}

const isTruth = (membership: Membership): boolean =>
  !membership.stale && membership.peers.map((peer) => peer.name).join() === PODS.join();

/**
 * Resolve once the membership is the truth, checked now, on every `change`, and whenever the
 * proxy receives a query (a new poll: the previous one has ended, even if it changed nothing).
 */
function truth(target: Discovery, proxy: FaultyDns): Promise<void> {
  return within('the membership to reach 4 fresh peers', (done) => {
    const check = (): void => {
      if (isTruth(target.membership)) done();
    };
    target.on('change', check);
    const stop = proxy.onQuery(check);
    check();
    return () => {
      target.off('change', check);
      stop();
    };
  });
}

/** Run `subscribe` until it calls `done` (resolve) or the deadline passes (reject); always unsubscribe. */
function within(what: string, subscribe: (done: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    unsubscribe = subscribe(() => finish());
    if (settled) unsubscribe();
  });
}

function expectRecovered(setup: Setup): void {
  expect(setup.log.filter((entry) => entry.startsWith('leave:'))).toEqual([]);
  expect(setup.log.slice(4).filter((entry) => !entry.startsWith('error:'))).toEqual(['join:mysql-3']);
  expect(setup.discovery.membership.peers.map((peer) => peer.name)).toEqual(PODS);
  expect(setup.discovery.membership.stale).toBe(false);
  expect(setup.discovery.membership.staleSince).toBeNull();
  expect(setup.errors.filter((error) => !(error instanceof LookupError))).toEqual([]);
  expect(unhandled).toEqual([]);
}

describe('under each DNS fault, the membership survives and recovers', () => {
  it.each(MATRIX)('%s', async (fault) => {
    const setup = await setUp();
    const { proxy, service } = setup;
    const errorsBefore = setup.errors.length;

    const polled = faultedPolls(setup.discovery, proxy, fault, FAULTED_POLLS);
    proxy.fault = fault;
    await polled;

    if (FAILING.has(fault)) {
      expect(setup.discovery.membership.stale).toBe(true);
      expect(setup.discovery.membership.peers.map((peer) => peer.name)).toEqual(PODS.slice(0, 3));
    }
    if (fault === 'flap' || fault === 'flap-one') expect(setup.errors.slice(errorsBefore)).toEqual([]);

    if (fault !== 'flap') {
      const scaledPoll = faultedPolls(setup.discovery, proxy, fault, 1);
      service.scale(4);
      await scaledPoll;
    }
    proxy.fault = 'none';
    if (fault === 'flap') service.scale(4);

    await truth(setup.discovery, proxy);
    expectRecovered(setup);
  }, TEST_TIMEOUT_MS);

  it('restart: the DNS server goes away mid-run and comes back on the same port', async () => {
    const setup = await setUp();
    const { proxy, service } = setup;

    await proxy.restart(async () => {
      await srvFailures(setup.discovery, FAULTED_POLLS);
      expect(setup.discovery.membership.stale).toBe(true);
      expect(setup.discovery.membership.peers.map((peer) => peer.name)).toEqual(PODS.slice(0, 3));
      service.scale(4);
      await srvFailures(setup.discovery, 1);
    });

    await truth(setup.discovery, proxy);
    expectRecovered(setup);
  }, TEST_TIMEOUT_MS);
});
