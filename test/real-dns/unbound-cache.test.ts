/**
 * Behind a real caching resolver: Unbound (unbound-cache.mjs) in front of the real BIND 9, the
 * shape of a pod behind NodeLocal DNSCache or any caching forwarder. What Unbound does, as
 * observed with Unbound 1.17.1 (Debian 12) and asserted here:
 *
 * - it answers from its cache for the records' TTL (5 s from the BIND), counting the TTL down
 *   second by second (an answer with TTL 0 is still served for up to a second), without asking
 *   the upstream again; it never adds the SRV targets' addresses (no glue), so a discovery asks
 *   the Service's A set too;
 * - when the upstream dies, nothing changes until the cached answers expire; the first question
 *   after that waits for Unbound's retransmissions to the dead upstream (up to
 *   `infra-cache-max-rtt`: about 0.75 s with 600 ms, over 2 s with 1000) and gets SERVFAIL ("all
 *   the configured stub or forward servers failed … upstream server timeout"), or nothing within
 *   a client's 500 ms; the next ones get SERVFAIL at once, while the upstream is remembered as
 *   down (`infra-host-ttl`). With `serve-expired` off (the harness's setting) an expired answer
 *   is never served again;
 * - once the upstream answers again, Unbound went on answering SERVFAIL for another 5–6 s
 *   (with `infra-host-ttl: 2`) before it used it again.
 *
 * So behind a cache, a dead cluster DNS is seen a TTL late: the membership goes stale once the
 * cached answers expire, and no peer leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery, LookupError, type DiscoveryError } from '../../src/index';
import { nextEvent, recordEvents } from '../helpers/events';
import { startFaultyDns, type FaultyDns } from '../helpers/faulty-dns';
import { startBind, type BindCluster } from './bind-cluster.mjs';
import { rawQuery, type RawResponse } from './raw-query';
import { startUnbound, type UnboundCache } from './unbound-cache.mjs';

const ZONE = 'cluster.local';
/** `infra-cache-max-rtt` of these tests: Unbound gives up on a dead upstream within about 0.75 s. */
const MAX_RTT_MS = 600;

/** Ask until `done` holds for the answer (a query that times out counts as `undefined`); reject after `timeoutMs`. */
async function askUntil(
  server: string,
  name: string,
  type: 'SRV' | 'A',
  done: (answer: RawResponse | undefined) => boolean,
  timeoutMs = 20_000,
): Promise<{ answer: RawResponse | undefined; ms: number; asked: Array<RawResponse | undefined> }> {
  const started = performance.now();
  const asked: Array<RawResponse | undefined> = [];
  while (performance.now() - started < timeoutMs) {
    const answer = await rawQuery(server, name, type, { edns: 1232, timeoutMs: 1000 }).catch(() => undefined);
    asked.push(answer);
    if (done(answer)) return { answer, ms: performance.now() - started, asked };
    // A client asking every 50 ms (the condition is what is awaited, not the time).
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no such answer to ${name} ${type} within ${timeoutMs} ms; last: ${JSON.stringify(asked.at(-1))}`);
}

describe('the Unbound harness: a caching resolver on loopback, in front of the BIND', () => {
  let bind: BindCluster;
  let proxy: FaultyDns;
  let unbound: UnboundCache;
  beforeAll(async () => {
    // TTL 1 s, so that an expiry takes a second; the faulty proxy between them counts what Unbound asks.
    bind = await startBind({ ttl: 1 });
    proxy = await startFaultyDns(bind.nameserver, { upstreamTimeoutMs: 5000 });
    unbound = await startUnbound({ upstream: proxy.nameserver, infraCacheMaxRttMs: MAX_RTT_MS });
  });
  afterAll(async () => {
    await unbound?.close();
    await proxy?.close();
    await bind?.close();
  });

  it('keeps everything on loopback: listens and sends on 127.0.0.1 only, no validation, no remote control, other names REFUSED', async () => {
    expect(unbound.nameserver).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(unbound.config).toContain(`interface: 127.0.0.1@${unbound.port}`);
    expect(unbound.config).toContain('outgoing-interface: 127.0.0.1');
    expect(unbound.config).toContain('do-ip6: no');
    expect(unbound.config).toContain('module-config: "iterator"');
    expect(unbound.config).toContain('control-enable: no');
    expect(unbound.config).toContain('chroot: ""');
    expect(unbound.config).toContain('serve-expired: no');
    expect(unbound.config).not.toMatch(/trust-anchor|root-key|auto-trust/);
    const upstreamBefore = proxy.queries;
    const refused = await rawQuery(unbound.nameserver, 'example.com', 'A', { edns: 1232 });
    expect(refused.rcode).toBe(5);
    expect(proxy.queries).toBe(upstreamBefore);
  });

  it('resolves the cluster zone and PTR through the stub zones, not authoritative, without glue; caches for the TTL', async () => {
    const web = bind.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const name = `_peer._tcp.web.default.svc.${ZONE}`;
    const first = await askUntil(unbound.nameserver, name, 'SRV', (answer) => answer?.rcode === 0 && answer.answers.length === 3);
    expect(first.answer).toMatchObject({ aa: false, tc: false });
    expect(first.answer?.additionals.filter((record) => record.type === 'A')).toEqual([]);
    const ptr = await rawQuery(unbound.nameserver, `${(web.pods[1]?.addresses[0] ?? '').split('.').reverse().join('.')}.in-addr.arpa`, 'PTR', { edns: 1232 });
    expect(ptr.answers.map((record) => record.data)).toEqual([`${web.podHost('web-1')}.`]);
    // Asked again within the TTL: from the cache, the upstream is not asked.
    const upstreamBefore = proxy.queries;
    const again = await rawQuery(unbound.nameserver, name, 'SRV', { edns: 1232 });
    expect(again.answers).toHaveLength(3);
    expect(again.answers.every((record) => record.ttl <= 1)).toBe(true);
    expect(proxy.queries).toBe(upstreamBefore);
  });

  it('a dead upstream: the cached answer until it expires, then SERVFAIL (never the expired answer), then the upstream again once it is back', async () => {
    bind.defineService({ name: 'dying', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const name = `_peer._tcp.dying.default.svc.${ZONE}`;
    await askUntil(unbound.nameserver, name, 'SRV', (answer) => answer?.rcode === 0 && answer.answers.length === 3);
    proxy.fault = 'drop';
    const failed = await askUntil(unbound.nameserver, name, 'SRV', (answer) => answer !== undefined && answer.rcode !== 0);
    const served = failed.asked.filter((answer) => answer?.rcode === 0).length;
    const timedOut = failed.asked.filter((answer) => answer === undefined).length;
    const after = await askUntil(unbound.nameserver, name, 'SRV', () => true);
    proxy.fault = 'none';
    const back = await askUntil(unbound.nameserver, name, 'SRV', (answer) => answer?.rcode === 0 && answer.answers.length === 3);
    console.log(
      `[unbound] dead upstream (TTL 1 s): ${served} cached answers, then ${timedOut} questions unanswered within 1 s, then RCODE ${failed.answer?.rcode} ` +
        `${Math.round(failed.ms)} ms after the upstream died; next answer RCODE ${after.answer?.rcode}; answering again ${Math.round(back.ms)} ms after the upstream came back`,
    );
    expect(failed.answer?.rcode).toBe(2);
    expect(after.answer?.rcode).toBe(2);
    // The cached answer was served while the upstream was already dead.
    expect(served).toBeGreaterThan(0);
  });
});

describe('a discovery behind Unbound', () => {
  it('300 pods seen through the cache; the upstream dies: stale once the cache expires, no leave', async () => {
    const bind = await startBind();
    let unbound: UnboundCache | undefined;
    const intervalMs = 100;
    const dnsTimeoutMs = 500;
    const dnsAttempts = 2;
    try {
      const svc = bind.defineService({ name: 'cached', ports: [{ name: 'peer', port: 7000 }], replicas: 300 });
      await bind.sync();
      unbound = await startUnbound({ upstream: bind.nameserver, infraCacheMaxRttMs: MAX_RTT_MS });
      const peers = createDiscovery({
        service: 'cached',
        namespace: 'default',
        clusterDomain: ZONE,
        port: 'peer',
        podName: 'cached-0',
        nameservers: [unbound.nameserver],
        intervalMs,
        jitter: 0,
        minIntervalMs: 100,
        maxIntervalMs: 400,
        dnsTimeoutMs,
        dnsAttempts,
      });
      const errors: Array<{ at: number; error: DiscoveryError }> = [];
      peers.on('error', (error) => errors.push({ at: performance.now(), error }));
      try {
        const startedAt = performance.now();
        const first = await peers.start();
        const firstPollMs = performance.now() - startedAt;
        expect(first.stale).toBe(false);
        expect(first.peers.map((peer) => [peer.name, peer.addresses, peer.port])).toEqual(svc.pods.map((pod) => [pod.name, pod.addresses, 7000]));
        const log = recordEvents(peers);

        // How long Unbound will still serve the SRV answer from its cache (whole seconds, rounded down).
        const cached = await rawQuery(unbound.nameserver, `_peer._tcp.cached.default.svc.${ZONE}`, 'SRV', { transport: 'tcp' });
        const ttlLeft = Math.max(...cached.answers.map((record) => record.ttl));
        const stale = nextEvent(peers, 'stale', () => true, 30_000);
        const killedAt = performance.now();
        await bind.close();
        const closedMs = performance.now() - killedAt;
        await stale;
        const staleMs = performance.now() - killedAt;
        const firstErrors = errors.filter(({ at }) => at >= killedAt).slice(0, 4);
        // A few more failed polls while the upstream stays dead: still no leave.
        const failedBefore = errors.length;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no 5 more errors within 30 s')), 30_000);
          const check = (): void => {
            if (errors.length - failedBefore < 5) return;
            clearTimeout(timer);
            peers.off('error', check);
            resolve();
          };
          peers.on('error', check);
        });

        const bound = dnsTimeoutMs * dnsAttempts + intervalMs + 1000;
        const cacheLeftMs = (ttlLeft + 1) * 1000;
        console.log(
          `[unbound] 300 pods behind unbound ${unbound.version}: first poll ${Math.round(firstPollMs)} ms; SRV TTL left at the kill ${ttlLeft} s; ` +
            `named stopped in ${Math.round(closedMs)} ms; kill → stale ${Math.round(staleMs)} ms (the cache lasted ${ttlLeft * 1000}–${cacheLeftMs} ms of it, ` +
            `so stale ${Math.max(0, Math.round(staleMs - cacheLeftMs))}–${Math.round(staleMs - ttlLeft * 1000)} ms after it expired; ` +
            `target ≤ dnsTimeoutMs × dnsAttempts + intervalMs + 1 s = ${bound} ms); first errors ` +
            firstErrors.map(({ at, error }) => `${error.code}${error instanceof LookupError ? ` ${error.queryType}` : ''} at +${Math.round(at - killedAt)} ms`).join(', ') +
            `; events ${log.filter((entry) => !entry.startsWith('error:')).join(' ') || 'none'}`,
        );

        expect(log.filter((entry) => entry.startsWith('leave:'))).toEqual([]);
        expect(peers.membership.stale).toBe(true);
        expect(peers.membership.peers).toHaveLength(300);
        expect(staleMs).toBeLessThanOrEqual(cacheLeftMs + bound);
      } finally {
        await peers.close();
      }
    } finally {
      await unbound?.close();
      await bind.close();
    }
  }, 90_000);
});
