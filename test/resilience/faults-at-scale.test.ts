/**
 * The fault matrix at scale: 3, 20 and 300 pods, served in three shapes — the fake cluster as
 * CoreDNS answers (every SRV answer carries the pods' addresses), the fake cluster without glue
 * (a caching forwarder's shape: the Service's A set and per-pod lookups), and a real BIND 9 (glue
 * up to 13 targets, none above) — each behind the faulty proxy (test/helpers/faulty-dns.ts):
 *
 * - `flap-one` (CoreDNS during EndpointSlice churn, kubernetes/kubernetes#127259: every other
 *   answer misses one random peer, every other per-pod answer is NXDOMAIN) for 60 polls 100 ms
 *   apart (a minute at the 1 s fast interval): no leave, and no join of the pods that were there
 *   all along, at every size and shape;
 * - `truncate-tcp-half` (TC even over TCP, half the targets): no leave;
 * - `drop` and `servfail`: no leave, the membership goes stale then fresh, and a pod added
 *   during the outage is there once it ends (the membership reaches the truth).
 *
 * The nine cases of a fault run at the same time (each with its own proxy, Service and
 * discovery) and the faults one after the other, so the file takes a few tens of seconds; each
 * case prints its wall time. Polls are counted from the SRV lookups published on
 * `headless-discovery:dns:lookup`, per nameserver (each case has its own proxy).
 */
import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery, LookupError, type Discovery, type DiscoveryError, type Membership } from '../../src/index';
import { createFakeCluster, type FakeService } from '../../src/testing/index';
import { recordEvents } from '../helpers/events';
import { startFaultyDns, type Fault, type FaultyDns } from '../helpers/faulty-dns';
import { startBind, type BindCluster } from '../real-dns/bind-cluster.mjs';

const SIZES = [3, 20, 300] as const;
const SHAPES = ['coredns', 'no-glue', 'bind'] as const;
type Shape = (typeof SHAPES)[number];

/**
 * Polls under `flap-one`: five minutes at the default 5 s interval, a minute at the 1 s
 * `fastIntervalMs`, here 100 ms apart (leaveAfterMs is 0, so only the number of polls counts).
 */
const FLAP_POLLS = 60;
const TRUNCATED_POLLS = 12;
/** Failed polls under `drop` / `servfail` before the Service changes, and after. */
const FAILED_POLLS = 2;
const DEADLINE_MS = 60_000;
const TEST_TIMEOUT_MS = 100_000;

let bind: BindCluster;
const srvLookups = new Map<string, number>();
const watchers = new Set<() => void>();
const onLookup = (message: unknown): void => {
  const lookup = message as { type?: string; server?: string };
  if (lookup.type === 'SRV' && lookup.server) srvLookups.set(lookup.server, (srvLookups.get(lookup.server) ?? 0) + 1);
  for (const watcher of [...watchers]) watcher();
};

beforeAll(async () => {
  diagnostics.subscribe('headless-discovery:dns:lookup', onLookup);
  bind = await startBind();
});
afterAll(async () => {
  diagnostics.unsubscribe('headless-discovery:dns:lookup', onLookup);
  await bind?.close();
});

interface Case {
  readonly label: string;
  /** The Service's name (its pods are `<name>-<ordinal>`). */
  readonly name: string;
  readonly size: number;
  readonly service: FakeService;
  readonly proxy: FaultyDns;
  readonly discovery: Discovery;
  /** Events since the fault was set up: join/leave/update/seed/error, stale/fresh. */
  readonly log: string[];
  readonly errors: DiscoveryError[];
  /** Publish the Service's changes (the BIND needs a reload). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

async function setUp(fault: string, shape: Shape, size: number, timing: { dnsTimeoutMs: number; dnsAttempts: number }): Promise<Case> {
  const name = `${fault.replace(/[^a-z]/g, '').slice(0, 8)}-${shape}-${size}`;
  const definition = { name, ports: [{ name: 'peer', port: 7000 }], replicas: size };
  let service: FakeService;
  let upstream: string;
  let sync: () => Promise<void>;
  let closeUpstream: () => Promise<void>;
  if (shape === 'bind') {
    service = bind.defineService(definition);
    await bind.sync();
    upstream = bind.nameserver;
    sync = () => bind.sync();
    closeUpstream = async () => {
      bind.deleteService(name);
      await bind.sync();
    };
  } else {
    const cluster = await createFakeCluster(shape === 'no-glue' ? { srvGlue: 'none' } : {});
    service = cluster.defineService(definition);
    upstream = cluster.nameserver;
    sync = async () => undefined;
    closeUpstream = () => cluster.close();
  }
  const proxy = await startFaultyDns(upstream, { upstreamTimeoutMs: 5000 });
  const discovery = createDiscovery({
    service: name,
    namespace: 'default',
    clusterDomain: 'cluster.local',
    port: 'peer',
    podName: `${name}-0`,
    nameservers: [proxy.nameserver],
    intervalMs: 100,
    jitter: 0,
    minIntervalMs: 100,
    maxIntervalMs: 400,
    ...timing,
  });
  const errors: DiscoveryError[] = [];
  discovery.on('error', (error) => errors.push(error));
  const first = await discovery.start();
  const label = `${fault} ${shape} ${size} pods`;
  if (!isTruth(first, service)) throw new Error(`${label}: the first poll saw ${first.peers.length} peers (stale: ${first.stale}), not the ${size} pods`);
  errors.length = 0;
  const log = recordEvents(discovery);
  discovery.on('stale', () => log.push('stale'));
  discovery.on('fresh', () => log.push('fresh'));
  return {
    label,
    name,
    size,
    service,
    proxy,
    discovery,
    log,
    errors,
    sync,
    close: async () => {
      await discovery.close();
      await proxy.close();
      await closeUpstream();
    },
  };
}

/** Every pod, in order, with its addresses, seen by the last poll (not kept while missing), and fresh. */
function isTruth(membership: Membership, service: FakeService): boolean {
  const pods = service.pods;
  return (
    !membership.stale &&
    membership.peers.length === pods.length &&
    membership.peers.every(
      (peer, index) =>
        peer.name === pods[index]?.name && peer.sources.length > 0 && peer.addresses.join() === [...(pods[index]?.addresses ?? [])].sort().join(),
    )
  );
}

const polls = (target: Case): number => srvLookups.get(target.proxy.nameserver) ?? 0;

/** Resolve once `check` holds, checked now, after every lookup and on every change; reject after the deadline. */
function until(target: Case, what: string, check: () => boolean, timeoutMs = DEADLINE_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      watchers.delete(test);
      target.discovery.off('change', test);
      target.discovery.off('error', test);
    };
    const test = (): void => {
      if (!check()) return;
      stop();
      resolve();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${target.label}: no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    watchers.add(test);
    target.discovery.on('change', test);
    target.discovery.on('error', test);
    test();
  });
}

/** Resolve once `n` more polls have failed to look up the SRV name (one `error` event each). */
function srvFailures(target: Case, n: number): Promise<void> {
  const counted = (): number => target.errors.filter((error) => error instanceof LookupError && error.queryType === 'SRV').length;
  const goal = counted() + n;
  return until(target, `${n} failed SRV lookups`, () => counted() >= goal);
}

interface Outcome {
  readonly label: string;
  /** The pod a scale-up during the fault adds. */
  readonly added: string;
  readonly leaves: string[];
  readonly joins: string[];
  readonly staleFresh: string[];
  readonly errors: string[];
  readonly failure: string | undefined;
}

function outcome(target: Case, failure?: unknown): Outcome {
  const of = (prefix: string) => target.log.filter((entry) => entry.startsWith(prefix));
  return {
    label: target.label,
    added: `join:${target.name}-${target.size}`,
    leaves: of('leave:'),
    joins: of('join:'),
    staleFresh: target.log.filter((entry) => entry === 'stale' || entry === 'fresh'),
    errors: [...new Set(target.errors.map((error) => `${error.code}${error instanceof LookupError ? ` ${error.queryType}` : ''}`))],
    failure: failure === undefined ? undefined : String(failure instanceof Error ? failure.message : failure),
  };
}

function report(target: Case, ms: number, extra: string): void {
  const counts = ['join', 'leave', 'update'].map((kind) => `${target.log.filter((entry) => entry.startsWith(`${kind}:`)).length} ${kind}s`);
  console.log(`[faults-at-scale] ${target.label}: ${(ms / 1000).toFixed(1)} s; ${extra}; ${counts.join(', ')}; ${target.errors.length} errors; ${target.proxy.queries} queries to the proxy`);
}

/** Run `scenario` for every shape × size at once; every case is closed whatever happens. */
async function matrix(
  fault: Fault,
  timing: { dnsTimeoutMs: number; dnsAttempts: number },
  scenario: (target: Case) => Promise<string>,
): Promise<Outcome[]> {
  const started = performance.now();
  const results = await Promise.all(
    SHAPES.flatMap((shape) =>
      SIZES.map(async (size): Promise<Outcome> => {
        let target: Case | undefined;
        try {
          target = await setUp(fault, shape, size, timing);
          const caseStarted = performance.now();
          const extra = await scenario(target);
          report(target, performance.now() - caseStarted, extra);
          return outcome(target);
        } catch (error) {
          if (target) report(target, 0, `FAILED: ${String(error)}`);
          return target
            ? outcome(target, error)
            : { label: `${fault} ${shape} ${size} pods`, added: '', leaves: [], joins: [], staleFresh: [], errors: [], failure: String(error) };
        } finally {
          await target?.close();
        }
      }),
    ),
  );
  console.log(`[faults-at-scale] ${fault}: ${results.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return results;
}

/** The answering faults: `polls` polls under the fault, then the fault ends and the membership is the truth. */
async function answering(target: Case, fault: Fault, count: number): Promise<string> {
  const before = polls(target);
  const started = performance.now();
  target.proxy.fault = fault;
  await until(target, `${count} polls under ${fault}`, () => polls(target) - before >= count);
  const faulted = performance.now() - started;
  const during = target.discovery.membership;
  const kept = during.peers.length;
  target.proxy.fault = 'none';
  await until(target, 'the truth once the fault ended', () => isTruth(target.discovery.membership, target.service));
  return `${polls(target) - before} polls (${count} under the fault in ${(faulted / 1000).toFixed(1)} s), ${kept}/${target.service.pods.length} peers kept, stale ${during.stale}`;
}

/** The failing faults: stale, a pod added meanwhile, the fault ends, fresh, the truth. */
async function failing(target: Case, fault: Fault): Promise<string> {
  const started = performance.now();
  const stale = until(target, 'stale', () => target.log.includes('stale'));
  target.proxy.fault = fault;
  await stale;
  const staleAfter = performance.now() - started;
  await srvFailures(target, FAILED_POLLS);
  target.service.scale(target.service.pods.length + 1);
  await target.sync();
  await srvFailures(target, 1);
  const ended = performance.now();
  target.proxy.fault = 'none';
  await until(target, 'fresh', () => target.log.includes('fresh'));
  await until(target, 'the truth once the fault ended', () => isTruth(target.discovery.membership, target.service));
  return `stale after ${Math.round(staleAfter)} ms, the truth ${Math.round(performance.now() - ended)} ms after the fault ended`;
}

const noLeaves = (results: readonly Outcome[]) => results.map(({ label, leaves, failure }) => ({ label, leaves, failure }));

describe('the fault matrix at scale: 3, 20 and 300 pods × CoreDNS shape, no glue, BIND', () => {
  it(
    `flap-one for ${FLAP_POLLS} polls: no leave, no join`,
    async () => {
      const results = await matrix('flap-one', { dnsTimeoutMs: 1000, dnsAttempts: 2 }, (target) => answering(target, 'flap-one', FLAP_POLLS));
      expect(noLeaves(results)).toEqual(results.map(({ label }) => ({ label, leaves: [], failure: undefined })));
      expect(results.map(({ label, joins, staleFresh, errors }) => ({ label, joins, staleFresh, errors }))).toEqual(
        results.map(({ label }) => ({ label, joins: [], staleFresh: [], errors: [] })),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `truncate-tcp-half for ${TRUNCATED_POLLS} polls: no leave, no join`,
    async () => {
      const results = await matrix('truncate-tcp-half', { dnsTimeoutMs: 1000, dnsAttempts: 2 }, (target) => answering(target, 'truncate-tcp-half', TRUNCATED_POLLS));
      expect(noLeaves(results)).toEqual(results.map(({ label }) => ({ label, leaves: [], failure: undefined })));
      expect(results.map(({ label, joins, staleFresh }) => ({ label, joins, staleFresh }))).toEqual(results.map(({ label }) => ({ label, joins: [], staleFresh: [] })));
    },
    TEST_TIMEOUT_MS,
  );

  it.each(['drop', 'servfail'] as const)(
    '%s: no leave, stale then fresh, and the truth (a pod added meanwhile) once it ends',
    async (fault) => {
      // 500 ms: short polls under the fault, and room for a loaded machine once it ends (a
      // spurious timeout then would make a second stale period).
      const results = await matrix(fault, { dnsTimeoutMs: 500, dnsAttempts: 1 }, (target) => failing(target, fault));
      expect(noLeaves(results)).toEqual(results.map(({ label }) => ({ label, leaves: [], failure: undefined })));
      expect(results.map(({ label, joins, staleFresh }) => ({ label, joins, staleFresh }))).toEqual(
        results.map(({ label, added }) => ({ label, joins: [added], staleFresh: ['stale', 'fresh'] })),
      );
    },
    TEST_TIMEOUT_MS,
  );
});
