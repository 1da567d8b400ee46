/**
 * Property-based fuzzing of the real DNS transport: a raw loopback server answers every query
 * with a valid response that has been mutated (bytes flipped or set, cut, extended, counts set to
 * 0xFFFF, compression pointers and loops inserted, a 64 KiB pointer chain, garbage, another ID or
 * question, QR cleared, TC set, …), followed by a valid SERVFAIL "terminator" so that a rejected
 * message costs one round trip instead of a timeout. What reaches the client goes through
 * `createDnsResolver().lookup()`, the SRV source, and a whole discovery.
 *
 * Properties:
 * - a lookup never throws: it resolves with an outcome-typed result (so does a source's
 *   `observe()`, and a discovery's `start()`), and nothing rejects unhandled;
 * - a message the client accepts echoes the query (ID, QR, the question), as checked by an
 *   oracle that does not use the library's decoder;
 * - decoding a single message never takes 50 ms of synchronous CPU (measured around
 *   `decodeResponse`, the synchronous part of the transport's `message` handler; a slow
 *   measurement is repeated and only a consistently slow message fails, so GC pauses and a loaded
 *   machine do not make it flake);
 * - a lookup, a source and a discovery never yield a name or an address that the messages the
 *   server sent did not contain.
 *
 * `FUZZ_RUNS` (default 500) sets the number of runs of each property, `FUZZ_SEED` the seed:
 * `npm run fuzz` runs them much longer (scripts/fuzz.mjs).
 */
import diagnostics from 'node:diagnostics_channel';
import { setMaxListeners } from 'node:events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDnsResolver } from '../../src/dns/resolver';
import type { QueryMessage } from '../../src/dns/diagnostics';
import type { LookupResult, QueryType } from '../../src/dns/types';
import { createSrvSource } from '../../src/sources/srv';
import { createDiscovery } from '../../src/index';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery } from '../helpers/raw-dns-server';
import {
  containsAddress,
  containsName,
  echoesQuestion,
  fuzzedReply,
  runPlanArbitrary,
  SERVICE_DOMAIN,
  SRV_NAME,
  ZONE,
  type Plan,
  type RunPlan,
} from './dns-fuzz';

/** The intended bound on the synchronous cost of one received message. */
const BLOCK_LIMIT_MS = 50;

const timing = vi.hoisted(() => ({
  /** Messages whose decode took more than the bound once: re-measured before judging. */
  slow: [] as Array<{ message: Buffer; question: { id: number; name: string; type: 'A' | 'AAAA' | 'SRV' | 'PTR' }; ms: number }>,
  decoded: 0,
  maxMs: 0,
}));

vi.mock('../../src/dns/message', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/dns/message')>();
  return {
    ...original,
    decodeResponse: (message: Buffer, question: Parameters<typeof original.decodeResponse>[1]) => {
      const started = performance.now();
      try {
        return original.decodeResponse(message, question);
      } finally {
        const ms = performance.now() - started;
        timing.decoded++;
        timing.maxMs = Math.max(timing.maxMs, ms);
        if (ms > 50) timing.slow.push({ message: Buffer.from(message), question: { ...question }, ms });
      }
    },
  };
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const settings = (runs: number): { numRuns: number; seed?: number } => ({
  numRuns: runs,
  ...(SEED === undefined ? {} : { seed: SEED }),
});
const testTimeout = (runs: number): number => 30_000 + runs * 400;

const OUTCOMES = new Set(['answer', 'nodata', 'nxdomain', 'servfail', 'refused', 'rcode', 'timeout', 'network-error']);

/** Coverage figures, printed at the end: a fuzzer that never gets a mutated message accepted tests little. */
const stats = { accepted: 0, acceptedMutated: 0, rejected: 0, peers: 0 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

/** What the server sent during one run, and the exchanges the client reported. */
interface Run {
  readonly sent: Buffer[];
  /** The fuzzed message sent for each query ID (the terminator is never counted as "sent" content). */
  readonly byId: Map<number, { query: ReceivedQuery; fuzzed: Buffer; plan: Plan }>;
  readonly exchanges: QueryMessage[];
}

let server: RawDnsServer;
let current: Run | undefined;
let plan: RunPlan = [];
let queryIndex = 0;
const onQueryMessage = (message: unknown): void => void current?.exchanges.push(message as QueryMessage);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  diagnostics.subscribe('headless-discovery:dns:query', onQueryMessage);
  server = await startRawDnsServer((query) => {
    const run = current;
    const step = plan[queryIndex++ % Math.max(1, plan.length)];
    if (!run || !step) return 'silence';
    const fuzzed = fuzzedReply(query, step);
    run.sent.push(fuzzed);
    run.byId.set(query.id, { query, fuzzed, plan: step });
    // The terminator: a valid SERVFAIL that settles the exchange if the fuzzed message is ignored.
    return [fuzzed, response(query, { rcode: 2 })];
  });
});

afterAll(async () => {
  diagnostics.unsubscribe('headless-discovery:dns:query', onQueryMessage);
  process.off('unhandledRejection', onUnhandled);
  await server.close();
});

function begin(runPlan: RunPlan): Run {
  plan = runPlan;
  queryIndex = 0;
  current = { sent: [], byId: new Map(), exchanges: [] };
  return current;
}

function end(): void {
  current = undefined;
  plan = [];
}

/**
 * Every exchange whose fuzzed message was accepted must have carried an echo of the query. An
 * exchange that accepted a SERVFAIL the fuzzed message was not took the terminator: a fuzzed
 * message it did not count as ignored may have been counted by another query waiting on the same
 * socket (one whose ID it carried).
 */
function expectOnlyEchoesAccepted(run: Run): void {
  for (const exchange of run.exchanges) {
    if (exchange.outcome !== 'response') continue;
    const sent = run.byId.get(exchange.id);
    if (exchange.ignored !== 0 || (sent && exchange.rcode === 2 && rcodeOf(sent.fuzzed) !== 2)) {
      stats.rejected++;
      continue;
    }
    stats.accepted++;
    if (sent && !sent.plan.mutations.length) continue;
    stats.acceptedMutated++;
    expect(sent, `a response was accepted for ID ${exchange.id}, which the server never answered`).toBeDefined();
    if (!sent) continue;
    expect(echoesQuestion(sent.fuzzed, sent.query), `accepted a message that does not echo the query: ${sent.fuzzed.toString('hex')}`).toBe(true);
  }
}

/** The RCODE in a message's header, if it has one. */
function rcodeOf(message: Buffer): number | undefined {
  return message.length >= 4 ? (message[3] as number) & 0x0f : undefined;
}

/** No message may cost more than the bound, measured again (best of 3) so that one GC pause is not a failure. */
async function expectNoBlockingMessage(): Promise<void> {
  const { decodeResponse } = await vi.importActual<typeof import('../../src/dns/message')>('../../src/dns/message');
  const slow = timing.slow.splice(0);
  for (const entry of slow) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3 && best > BLOCK_LIMIT_MS; i++) {
      const started = performance.now();
      decodeResponse(entry.message, entry.question);
      best = Math.min(best, performance.now() - started);
    }
    expect(best, `decoding a ${entry.message.length}-octet message took ${best.toFixed(1)} ms (first ${entry.ms.toFixed(1)} ms): ${entry.message.subarray(0, 64).toString('hex')}…`).toBeLessThan(BLOCK_LIMIT_MS);
  }
}

function expectContained(run: Run, what: { host?: string | null; name?: string; addresses?: readonly string[] }): void {
  if (what.host) expect(containsName(run.sent, what.host), `"${what.host}" is in no message sent`).toBe(true);
  if (what.name && !what.addresses?.includes(what.name)) {
    expect(containsName(run.sent, what.name), `peer name "${what.name}" is in no message sent`).toBe(true);
  }
  for (const address of what.addresses ?? []) {
    expect(containsAddress(run.sent, address), `address ${address} is in no message sent`).toBe(true);
  }
}

function expectResultContained(run: Run, result: LookupResult): void {
  if (result.outcome !== 'answer') return;
  for (const record of [...result.answers, ...result.additionals]) {
    if (record.type === 'A' || record.type === 'AAAA') expectContained(run, { host: record.name, addresses: [record.address] });
    else if (record.type === 'SRV' || record.type === 'PTR') expectContained(run, { host: record.target });
  }
}

const QUESTIONS: ReadonlyArray<readonly [string, QueryType]> = [
  [SRV_NAME, 'SRV'],
  [SERVICE_DOMAIN, 'A'],
  [SERVICE_DOMAIN, 'AAAA'],
  [`mysql-1.${SERVICE_DOMAIN}`, 'A'],
  ['2.0.244.10.in-addr.arpa', 'PTR'],
];

/** Plans every run of every property starts with: the costliest messages, always tried. */
const EXAMPLE_PLANS: RunPlan[] = [
  [{ shape: 'srv-glue', pods: 3, mutations: [{ kind: 'bomb' }] }],
  [{ shape: 'srv-glue', pods: 3, mutations: [{ kind: 'pointer-loop' }] }],
  [{ shape: 'srv-glue', pods: 3, mutations: [{ kind: 'count', section: 1, value: 0xffff }] }],
  [{ shape: 'srv-no-glue', pods: 4, mutations: [] }, { shape: 'srv-glue', pods: 2, mutations: [{ kind: 'self-pointer', at: 0.6 }] }],
];

describe('fuzzed responses through the real transport', () => {
  it(
    'lookup() always resolves with an outcome, accepts only echoes, never blocks, never invents records',
    async () => {
      const resolver = createDnsResolver({ nameservers: [{ address: '127.0.0.1', port: server.port, family: 4 }], timeoutMs: 5000, attempts: 1 });
      await fc.assert(
        fc.asyncProperty(runPlanArbitrary, fc.constantFrom(...QUESTIONS), async (runPlan, [name, type]) => {
          const run = begin(runPlan);
          try {
            const result = await resolver.lookup(name, type);
            expect(OUTCOMES.has(result.outcome)).toBe(true);
            expectOnlyEchoesAccepted(run);
            expectResultContained(run, result);
            await expectNoBlockingMessage();
          } finally {
            end();
          }
        }),
        { ...settings(RUNS), examples: EXAMPLE_PLANS.map((example) => [example, QUESTIONS[0] as readonly [string, QueryType]]) },
      );
      expect(unhandled).toEqual([]);
    },
    testTimeout(RUNS),
  );

  it(
    'the SRV source resolves with an observation and never yields an endpoint the messages did not contain',
    async () => {
      const resolver = createDnsResolver({ nameservers: [{ address: '127.0.0.1', port: server.port, family: 4 }], timeoutMs: 5000, attempts: 1 });
      await fc.assert(
        fc.asyncProperty(runPlanArbitrary, fc.constantFrom(4 as const, 6 as const, 'both' as const), async (runPlan, family) => {
          const run = begin(runPlan);
          try {
            const source = createSrvSource(resolver, { serviceDomain: SERVICE_DOMAIN, portName: 'mysql', protocol: 'tcp', family });
            const signal = new AbortController().signal;
            setMaxListeners(0, signal); // up to 8 target lookups × 2 families at once, as a discovery's own signal allows
            const observation = await source.observe(signal);
            expect(observation.source).toBe('srv');
            if (observation.ok) {
              stats.peers += observation.endpoints.length;
              for (const endpoint of observation.endpoints) expectContained(run, { host: endpoint.host, addresses: endpoint.addresses });
            } else {
              expect(observation.error.code).toMatch(/^ERR_DNS_/);
            }
            expectOnlyEchoesAccepted(run);
            await expectNoBlockingMessage();
          } finally {
            end();
          }
        }),
        { ...settings(RUNS), examples: EXAMPLE_PLANS.map((example): [RunPlan, 4 | 6 | 'both'] => [example, 'both']) },
      );
      expect(unhandled).toEqual([]);
    },
    testTimeout(RUNS),
  );

  const discoveryRuns = Math.max(20, Math.floor(RUNS / 3));
  it(
    'a discovery (SRV then A/AAAA + PTR, or A/AAAA + PTR) starts, and its peers are only what the messages contained',
    async () => {
      await fc.assert(
        fc.asyncProperty(runPlanArbitrary, fc.constantFrom<'mysql' | 3306>('mysql', 3306), async (runPlan, port) => {
          const run = begin(runPlan);
          const discovery = createDiscovery({
            service: 'mysql',
            namespace: 'default',
            clusterDomain: ZONE,
            port,
            podName: 'mysql-0',
            nameservers: [server.nameserver],
            dnsTimeoutMs: 5000,
            dnsAttempts: 1,
            retries: 0,
            intervalMs: 3_600_000,
            jitter: 0,
            environment: { env: {}, readFile: () => undefined, hostname: () => 'mysql-0' },
          });
          const errors: Error[] = [];
          discovery.on('error', (error) => void errors.push(error));
          try {
            const membership = await discovery.start();
            stats.peers += membership.peers.length;
            for (const peer of membership.peers) expectContained(run, { host: peer.host, name: peer.name, addresses: peer.addresses });
            // A mangled name may fall outside the Service's domain: reported (ERR_FOREIGN_PEER), never a peer.
            for (const error of errors) expect((error as { code?: string }).code).toMatch(/^ERR_DNS_|^ERR_SELF_NOT_LISTED$|^ERR_FOREIGN_PEER$/);
            expectOnlyEchoesAccepted(run);
            await expectNoBlockingMessage();
          } finally {
            await discovery.close();
            end();
          }
        }),
        { ...settings(discoveryRuns), examples: EXAMPLE_PLANS.map((example): [RunPlan, 'mysql' | 3306] => [example, 'mysql']) },
      );
      expect(unhandled).toEqual([]);
    },
    testTimeout(discoveryRuns),
  );

  it('decoded every message it was sent, and reports the slowest', () => {
    expect(timing.decoded).toBeGreaterThan(RUNS);
    // Not an assertion on timing (see expectNoBlockingMessage): a figure for the log.
    console.info(
      `fuzz: ${timing.decoded} messages decoded, slowest ${timing.maxMs.toFixed(2)} ms; fuzzed messages accepted ${stats.accepted} ` +
        `(${stats.acceptedMutated} of them mutated), rejected ${stats.rejected}; ${stats.peers} endpoints/peers checked`,
    );
    expect(stats.acceptedMutated).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
