/**
 * The ordinals and static sources, retries within a poll, and fallback between sources, over
 * real DNS on loopback (raw servers that answer what each test needs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseNameserver } from '../../src/dns/nameserver';
import { createDnsResolver } from '../../src/dns/resolver';
import type { Nameserver } from '../../src/dns/types';
import { observeInOrder } from '../../src/sources/fallback';
import { createOrdinalsSource } from '../../src/sources/ordinals';
import { observeWithRetries } from '../../src/sources/retry';
import type { Source } from '../../src/sources/source';
import { createSrvSource } from '../../src/sources/srv';
import { parseStaticPeer } from '../../src/config/static-peers';
import { createStaticSource } from '../../src/sources/static';
import { response, startRawDnsServer, type RawDnsServer, type ReceivedQuery } from '../helpers/raw-dns-server';

const servers: RawDnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const DOMAIN = 'web.default.svc.cluster.local';
const signal = new AbortController().signal;
const noDelay = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };

async function dns(handle: (query: ReceivedQuery) => Buffer | 'silence') {
  const server = await startRawDnsServer(handle);
  servers.push(server);
  const resolver = createDnsResolver({ nameservers: [parseNameserver(server.nameserver) as Nameserver], timeoutMs: 200, attempts: 1 });
  return { server, resolver };
}

const a = (query: ReceivedQuery, address: string) => response(query, { answers: [{ type: 'A', name: query.name, address }] });
const aaaa = (query: ReceivedQuery, address: string) => response(query, { answers: [{ type: 'AAAA', name: query.name, address }] });
const nxdomain = (query: ReceivedQuery) => response(query, { rcode: 3, authorities: [{ type: 'SOA', name: 'cluster.local', minimum: 5 }] });

describe('ordinals source', () => {
  it('looks up the predicted name of every ordinal from ordinalStart; NXDOMAIN is a pod not there', async () => {
    const { server, resolver } = await dns((query) => {
      if (query.name === `web-3.${DOMAIN}` && query.type === 1) return a(query, '10.0.0.3');
      if (query.name === `web-5.${DOMAIN}` && query.type === 1) return a(query, '10.0.0.5');
      return query.name === `web-4.${DOMAIN}` ? nxdomain(query) : response(query);
    });
    const source = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 3, replicas: 3, port: 7000, family: 4 });
    const observation = await source.observe(signal);
    expect(observation).toMatchObject({
      ok: true,
      source: 'ordinals',
      endpoints: [
        { host: `web-3.${DOMAIN}`, addresses: ['10.0.0.3'], port: 7000 },
        { host: `web-5.${DOMAIN}`, addresses: ['10.0.0.5'], port: 7000 },
      ],
      queries: 3,
    });
    expect(server.queries.every((query) => query.type === 1)).toBe(true);
  });

  it('makes the observation partial when one name cannot be looked up: the others count, that pod is not lost', async () => {
    const { resolver } = await dns((query) => (query.name === `web-1.${DOMAIN}` ? response(query, { rcode: 2 }) : a(query, '10.0.0.9')));
    const source = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 3, port: null, family: 4 });
    const observation = await source.observe(signal);
    expect(observation).toMatchObject({ ok: true, source: 'ordinals', partial: true });
    expect(observation.ok && observation.endpoints.map((endpoint) => endpoint.host)).toEqual([`web-0.${DOMAIN}`, `web-2.${DOMAIN}`]);
  });

  it('fails the observation when no name could be looked up', async () => {
    const { resolver } = await dns((query) => response(query, { rcode: 2 }));
    const source = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 3, port: null, family: 4 });
    expect(await source.observe(signal)).toMatchObject({ ok: false, source: 'ordinals', error: { code: 'ERR_DNS_SERVFAIL' } });
  });
});

describe('static source', () => {
  it('parses names, addresses and ports, and rejects anything else', () => {
    expect(parseStaticPeer('db-0.db.default.svc.cluster.local:5432')).toEqual({ host: 'db-0.db.default.svc.cluster.local', port: 5432 });
    expect(parseStaticPeer('DB-0.example.')).toEqual({ host: 'db-0.example', port: null });
    expect(parseStaticPeer('10.0.0.7')).toEqual({ host: '10.0.0.7', port: null });
    expect(parseStaticPeer('[fd00::7]:99')).toEqual({ host: 'fd00::7', port: 99 });
    expect(parseStaticPeer('fd00::7')).toEqual({ host: 'fd00::7', port: null });
    for (const bad of ['db-0', '10.0.0.7:0', '10.0.0.7:65536', 'a b.c', '[10.0.0.1]:5', 'x.y:1:2', '../etc/passwd', 'a\u0000.b', '']) {
      expect(parseStaticPeer(bad)).toBeUndefined();
    }
  });

  it('takes addresses as they are, looks names up (A and AAAA), and drops names that do not exist', async () => {
    const { resolver } = await dns((query) => {
      if (query.name === 'db-0.db.default.svc.cluster.local') return query.type === 1 ? a(query, '10.0.0.1') : aaaa(query, 'fd00::1');
      if (query.name === 'db-1.db.default.svc.cluster.local') return nxdomain(query);
      return response(query);
    });
    const peers = ['db-0.db.default.svc.cluster.local:5432', 'db-1.db.default.svc.cluster.local', '10.0.0.9', '[fd00::9]:6000'].map(
      (entry) => parseStaticPeer(entry) ?? { host: '', port: null },
    );
    const observation = await createStaticSource(resolver, { peers, port: 7000, family: 'both' }).observe(signal);
    expect(observation).toMatchObject({
      ok: true,
      source: 'static',
      endpoints: [
        { host: 'db-0.db.default.svc.cluster.local', addresses: ['10.0.0.1', 'fd00::1'], port: 5432 },
        { host: null, addresses: ['10.0.0.9'], port: 7000 },
        { host: null, addresses: ['fd00::9'], port: 6000 },
      ],
    });
    const v4 = await createStaticSource(resolver, { peers, port: 7000, family: 4 }).observe(signal);
    expect(v4.ok && v4.endpoints.map((endpoint) => endpoint.addresses)).toEqual([['10.0.0.1'], ['10.0.0.9']]);
  });
});

describe('retries within a poll', () => {
  it('retries a SERVFAIL and succeeds when the server recovers, counting every query', async () => {
    let servfails = 2;
    const { resolver } = await dns((query) => (servfails-- > 0 ? response(query, { rcode: 2 }) : a(query, '10.0.0.1')));
    const ordinals = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    const observation = await observeWithRetries(ordinals, signal, noDelay);
    expect(observation).toMatchObject({ ok: true, queries: 3 });
  });

  it('gives up after the configured retries with the last failure', async () => {
    const { server, resolver } = await dns((query) => response(query, { rcode: 2 }));
    const ordinals = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    const observation = await observeWithRetries(ordinals, signal, noDelay);
    expect(observation).toMatchObject({ ok: false, error: { code: 'ERR_DNS_SERVFAIL' }, queries: 3 });
    expect(server.queries).toHaveLength(3);
  });

  it('does not retry a timeout (the resolver already tried every server) nor a REFUSED', async () => {
    const silent = await dns(() => 'silence');
    const source = createOrdinalsSource(silent.resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    expect(await observeWithRetries(source, signal, noDelay)).toMatchObject({ ok: false, error: { code: 'ERR_DNS_TIMEOUT' } });
    expect(silent.server.queries).toHaveLength(1);
    const refusing = await dns((query) => response(query, { rcode: 5 }));
    const other = createOrdinalsSource(refusing.resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    expect(await observeWithRetries(other, signal, noDelay)).toMatchObject({ ok: false, error: { code: 'ERR_DNS_REFUSED' } });
    expect(refusing.server.queries).toHaveLength(1);
  });

  it('stops retrying when the signal aborts', async () => {
    const { resolver } = await dns((query) => response(query, { rcode: 2 }));
    const source = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    const controller = new AbortController();
    const observing = observeWithRetries(source, controller.signal, { retries: 10, minDelayMs: 10_000, maxDelayMs: 10_000 });
    setImmediate(() => controller.abort(new Error('closed')));
    await expect(observing).rejects.toThrow();
  });
});

describe('fallback between sources', () => {
  it('uses the next source in the same poll when the preferred one fails, and reports the failure', async () => {
    const { resolver } = await dns((query) => (query.type === 33 ? response(query, { rcode: 2 }) : a(query, '10.0.0.1')));
    const srv = createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 4 });
    const ordinals = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 1, port: null, family: 4 });
    const outcome = await observeInOrder([srv, ordinals], signal, noDelay);
    expect(outcome.observation).toMatchObject({ ok: true, source: 'ordinals' });
    expect(outcome.failures.map((failure) => [failure.source, failure.error.code])).toEqual([['srv', 'ERR_DNS_SERVFAIL']]);
    expect(outcome.queries).toBe(4);
  });

  it('does not fall back on NXDOMAIN: an empty answer is an answer', async () => {
    const { server, resolver } = await dns(nxdomain);
    const srv = createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 4 });
    const never: Source = { name: 'static', observe: () => Promise.reject(new Error('must not be asked')) };
    const outcome = await observeInOrder([srv, never], signal, noDelay);
    expect(outcome.observation).toMatchObject({ ok: true, source: 'srv', endpoints: [] });
    expect(server.queries).toHaveLength(1);
  });

  it('fails only when every source fails, with every failure kept', async () => {
    const { resolver } = await dns((query) => response(query, { rcode: 5 }));
    const srv = createSrvSource(resolver, { serviceDomain: DOMAIN, portName: 'peer', protocol: 'tcp', family: 4 });
    const ordinals = createOrdinalsSource(resolver, { statefulSet: 'web', serviceDomain: DOMAIN, ordinalStart: 0, replicas: 2, port: null, family: 4 });
    const outcome = await observeInOrder([srv, ordinals], signal, noDelay);
    expect(outcome.observation).toMatchObject({ ok: false, source: 'ordinals' });
    expect(outcome.failures.map((failure) => failure.source)).toEqual(['srv']);
  });
});
