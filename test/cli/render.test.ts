/**
 * What `watch` prints on a terminal and as NDJSON, from memberships built by the real reconcile step.
 */
import { describe, expect, it } from 'vitest';
import { originOf, parseReadiness, toDiscoveryOptions, UsageError } from '../../src/cli/args';
import { flagOfOption } from '../../src/cli/flags';
import { errorFields, eventLine, freshDetail, ndjson, peerRecord, peerTable, pollingLine, staleDetail, stateLine } from '../../src/cli/render';
import { emptyNotes } from '../../src/cli/watch-screen';
import { KubernetesApiError, LookupError, MisconfigurationError } from '../../src/errors';
import { DEFAULT_POLICY } from '../../src/config/defaults';
import { initialState, reconcile } from '../../src/membership/reconcile';
import type { Membership } from '../../src/membership/types';

const DOMAIN = 'mysql.default.svc.cluster.local';
const context = { statefulSet: 'mysql', ordinalStart: 0, podName: 'mysql-1', serviceDomain: DOMAIN };

function membership(pods: number[], ready: (name: string) => boolean = () => true): Membership {
  const observation = {
    ok: true as const,
    source: 'srv' as const,
    endpoints: pods.map((n) => ({ host: `mysql-${n}.${DOMAIN}`, addresses: [`10.0.0.${n + 1}`], port: 3306 })),
    ttl: 5,
    queries: 1,
  };
  return reconcile(initialState(context, { ...DEFAULT_POLICY, expectedReplicas: 3 }), observation, ready, context, { ...DEFAULT_POLICY, expectedReplicas: 3 }, Date.UTC(2026, 0, 1)).membership;
}

describe('the terminal view', () => {
  it('aligns a table with the seed and self marked', () => {
    const lines = peerTable(membership([0, 1, 2], (name) => name !== 'mysql-2'));
    expect(lines[0]).toMatch(/^\s+ORD\s+NAME\s+ADDRESSES\s+PORT\s+READY\s+SOURCES$/);
    expect(lines[1]).toMatch(/^★ +0 +mysql-0 +10\.0\.0\.1 +3306 +yes +srv$/);
    expect(lines[2]).toMatch(/^ › +1 +mysql-1 /);
    expect(lines[3]).toMatch(/mysql-2 .* no +srv$/);
    expect(new Set(lines.map((line) => line.indexOf('mysql')).filter((index) => index >= 0)).size).toBe(1);
  });

  it('says when there are no peers, and what the state is', () => {
    const empty = initialState(context, DEFAULT_POLICY).membership;
    expect(peerTable(empty).at(-1)).toBe(`(no peers; the seed would be mysql-0.${DOMAIN})`);
    expect(stateLine(empty)).toMatch(/^not observed yet/);
    expect(stateLine(membership([0, 1]))).toBe('fresh, degraded (2/3 ready), 2 peers (2 ready), epoch 1, source srv');
    expect(eventLine(new Date(0), 'join', 'mysql-1', membership([0, 1, 2]))).toBe('1970-01-01T00:00:00.000Z  join    mysql-1  [fresh, complete]');
  });

  it('NDJSON records carry stable field names', () => {
    const polling = { inFlight: false, lastStartedAt: 1000, lastEndedAt: 1500, nextAt: 6500 };
    const record = JSON.parse(ndjson(new Date(0), 'join', { peer: { name: 'mysql-2' } }, membership([0, 1, 2]), polling)) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['time', 'event', 'peer', 'membership', 'polling']);
    expect(Object.keys(record['membership'] as object)).toEqual(['epoch', 'stale', 'staleSince', 'completeness', 'source', 'seed', 'self', 'peers', 'ready']);
    expect(record['polling']).toEqual({ inFlight: false, lastStartedAt: '1970-01-01T00:00:01.000Z', lastEndedAt: '1970-01-01T00:00:01.500Z', nextAt: '1970-01-01T00:00:06.500Z' });
  });
});

describe('peers the Kubernetes API tells about', () => {
  /** mysql-0 ready on node-0, mysql-1 draining, mysql-2 not ready with no node known. */
  function fromTheApi(): Membership {
    const endpoint = (n: number, extra: { ready: boolean; draining?: boolean; nodeName?: string; zone?: string }) => ({
      host: `mysql-${n}.${DOMAIN}`,
      pod: `mysql-${n}`,
      addresses: [`10.0.0.${n + 1}`],
      port: 3306,
      uid: `00000000-0000-4000-8000-00000000000${n}`,
      ...extra,
    });
    const observation = {
      ok: true as const,
      source: 'kubernetes' as const,
      endpoints: [endpoint(0, { ready: true, nodeName: 'node-0', zone: 'zone-a' }), endpoint(1, { ready: false, draining: true, nodeName: 'node-1', zone: 'zone-b' }), endpoint(2, { ready: false })],
      ttl: 0,
      queries: 0,
    };
    return reconcile(initialState(context, DEFAULT_POLICY), observation, null, context, DEFAULT_POLICY, Date.UTC(2026, 0, 1)).membership;
  }

  it('says ready, not ready or draining, and adds NODE and ZONE columns, "-" where unknown', () => {
    const lines = peerTable(fromTheApi());
    expect(lines[0]).toMatch(/^\s+ORD\s+NAME\s+ADDRESSES\s+PORT\s+READY\s+NODE\s+ZONE\s+SOURCES$/);
    expect(lines[1]).toMatch(/^★ +0 +mysql-0 +10\.0\.0\.1 +3306 +yes +node-0 +zone-a +kubernetes$/);
    expect(lines[2]).toMatch(/^ › +1 +mysql-1 +10\.0\.0\.2 +3306 +draining +node-1 +zone-b +kubernetes$/);
    expect(lines[3]).toMatch(/^ {4}2 +mysql-2 +10\.0\.0\.3 +3306 +no +- +- +kubernetes$/);
    expect(new Set(lines.map((line) => line.indexOf('kubernetes')).filter((index) => index >= 0)).size).toBe(1);
  });

  it('keeps the DNS table as it was: no NODE or ZONE column when no peer has one', () => {
    expect(peerTable(membership([0, 1]))[0]).not.toMatch(/NODE|ZONE/);
  });

  it('NDJSON peers carry draining, uid, nodeName and zone, null when the source cannot tell', () => {
    const polling = { inFlight: false, lastStartedAt: null, lastEndedAt: null, nextAt: null };
    const [api] = fromTheApi().peers;
    const [dns] = membership([0]).peers;
    if (api === undefined || dns === undefined) throw new Error('no peers');
    const record = (peer: typeof api) => (JSON.parse(ndjson(new Date(0), 'join', { peer: peerRecord(peer) }, fromTheApi(), polling)) as { peer: object }).peer;
    expect(Object.keys(record(dns))).toEqual(['name', 'ordinal', 'host', 'addresses', 'port', 'ready', 'draining', 'uid', 'nodeName', 'zone', 'self', 'sources']);
    expect(record(dns)).toMatchObject({ draining: false, uid: null, nodeName: null, zone: null, sources: ['srv'] });
    expect(record(api)).toMatchObject({ draining: false, uid: '00000000-0000-4000-8000-000000000000', nodeName: 'node-0', zone: 'zone-a', sources: ['kubernetes'] });
  });

  it('names what is failing and what answers again after the sources', () => {
    expect(staleDetail(undefined)).toBe('DNS lookups are failing; keeping the last known peers');
    expect(staleDetail(['srv', 'address'])).toBe('DNS lookups are failing; keeping the last known peers');
    expect(staleDetail(['kubernetes'])).toBe('the Kubernetes API is failing; keeping the last known peers');
    expect(staleDetail(['kubernetes', 'srv'])).toBe('the Kubernetes API and DNS are failing; keeping the last known peers');
    expect(freshDetail('srv')).toBe('DNS answers again');
    expect(freshDetail('kubernetes')).toBe('the Kubernetes API answers again');
  });
});

describe('the polling line', () => {
  const at = (seconds: number): number => Date.UTC(2026, 10, 25, 10, 0, 0) + seconds * 1000;

  it('before the first poll, during it, between polls and during a later one', () => {
    expect(pollingLine({ inFlight: false, lastStartedAt: null, lastEndedAt: null, nextAt: null }, at(0))).toBe('polls: none started yet');
    expect(pollingLine({ inFlight: true, lastStartedAt: at(0), lastEndedAt: null, nextAt: null }, at(12.34))).toBe(
      'polls: one in flight for 12 s (since 10:00:00.000Z), none has ended yet',
    );
    expect(pollingLine({ inFlight: false, lastStartedAt: at(0), lastEndedAt: at(20), nextAt: at(25) }, at(21.2))).toBe(
      'polls: last ended 1.2 s ago (10:00:20.000Z), next in 3.8 s (10:00:25.000Z)',
    );
    expect(pollingLine({ inFlight: false, lastStartedAt: at(0), lastEndedAt: at(20), nextAt: at(25) }, at(25.5))).toBe(
      'polls: last ended 5.5 s ago (10:00:20.000Z), next due now (10:00:25.000Z)',
    );
    expect(pollingLine({ inFlight: true, lastStartedAt: at(25), lastEndedAt: at(20), nextAt: null }, at(205))).toBe(
      'polls: one in flight for 3 min 0 s (since 10:00:25.000Z), the previous ended 3 min 5 s ago (10:00:20.000Z)',
    );
    expect(pollingLine({ inFlight: false, lastStartedAt: at(0), lastEndedAt: at(1), nextAt: null }, at(2))).toBe('polls: last ended 1.0 s ago (10:00:01.000Z), none scheduled');
  });
});

describe('an empty membership', () => {
  const srv = { type: 'SRV', name: '_sql._tcp.mysql.default.svc.cluster.local.', outcome: 'nxdomain', records: 0, rcode: undefined };
  const a = { type: 'A', name: 'mysql.default.svc.cluster.local.', outcome: 'answer', records: 3, rcode: undefined };

  it('says what the last poll asked and what came back, then the diagnosis; nothing when there are peers', () => {
    const empty = membership([]);
    const error = new MisconfigurationError('ERR_PORT_NOT_FOUND', { queryName: srv.name, queryType: 'SRV', outcome: 'nxdomain' }, 'no port named sql.');
    expect(emptyNotes(empty, [srv, a], undefined)).toEqual([
      'the last poll asked: SRV _sql._tcp.mysql.default.svc.cluster.local. → NXDOMAIN (no such name)',
      '                     A mysql.default.svc.cluster.local. → 3 records',
    ]);
    expect(emptyNotes(empty, [srv], error).at(-1)).toBe('diagnosis: ERR_PORT_NOT_FOUND (SRV _sql._tcp.mysql.default.svc.cluster.local. → nxdomain): no port named sql.');
    expect(emptyNotes(membership([0]), [srv], error)).toEqual([]);
  });

  it('error records carry the fields of the error', () => {
    const lookup = new LookupError('ERR_DNS_TIMEOUT', 'mysql.default.svc.cluster.local.', 'A', 'timed out', { details: { server: '10.96.0.10:53', queries: 2, durationMs: 400.4 } });
    expect(errorFields(lookup)).toEqual({
      code: 'ERR_DNS_TIMEOUT',
      message: 'timed out',
      queryName: 'mysql.default.svc.cluster.local.',
      queryType: 'A',
      server: '10.96.0.10:53',
      transport: null,
      rcode: null,
      queries: 2,
      durationMs: 400,
    });
    const misconfigured = new MisconfigurationError('ERR_SERVICE_NOT_FOUND', { queryName: 'x.default.svc.cluster.local.', queryType: 'A', outcome: 'nxdomain' }, 'no such Service.');
    const forbidden = new KubernetesApiError('ERR_K8S_FORBIDDEN', 'watch endpointslices', 'forbidden.', { status: 403, reason: 'Forbidden' });
    expect(errorFields(forbidden)).toEqual({ code: 'ERR_K8S_FORBIDDEN', message: 'forbidden.', request: 'watch endpointslices', status: 403, reason: 'Forbidden' });
    expect(errorFields(misconfigured)).toEqual({ code: 'ERR_SERVICE_NOT_FOUND', message: 'no such Service.', queryName: 'x.default.svc.cluster.local.', queryType: 'A', outcome: 'nxdomain' });
  });
});

describe('arguments', () => {
  it("reports a library option's error as the flag's that set it, or its variable's", () => {
    expect(originOf('sources[2]', { source: 'srv,address,srv' }, {})).toBe('--source');
    expect(originOf('kubernetes.context', {}, { HEADLESS_DISCOVERY_CONTEXT: 'lab' })).toBe('HEADLESS_DISCOVERY_CONTEXT');
    expect(originOf('kubernetes.kubeconfig', { kubeconfig: '' }, {})).toBe('--kubeconfig');
    expect(originOf('readiness.tcp.port', { readiness: 'tcp' }, {})).toBe('--readiness');
    expect(flagOfOption('kubernetes (from env:KUBERNETES_SERVICE_HOST)')).toBeUndefined();
  });

  it('reads readiness probes', () => {
    expect(parseReadiness('tcp')).toEqual({ tcp: true });
    expect(parseReadiness('tcp:3307')).toEqual({ tcp: { port: 3307 } });
    expect(parseReadiness('http:/ready')).toEqual({ http: { path: '/ready' } });
    expect(parseReadiness('http:8080/healthz')).toEqual({ http: { path: '/healthz', port: 8080 } });
    expect(() => parseReadiness('http:ready')).toThrow(UsageError);
  });

  it('lets flags win over environment variables', () => {
    const options = toDiscoveryOptions(['mysql'], { port: 'mysql', nameserver: ['127.0.0.1:53', '[::1]:53'] }, {
      HEADLESS_DISCOVERY_PORT: 'other',
      HEADLESS_DISCOVERY_NAMESPACE: 'prod',
      HEADLESS_DISCOVERY_INCLUDE_NOT_READY: 'yes',
    });
    expect(options).toEqual({ service: 'mysql', port: 'mysql', namespace: 'prod', nameservers: ['127.0.0.1:53', '[::1]:53'], includeNotReady: true });
    expect(toDiscoveryOptions(['mysql'], { timeout: '250' }, { HEADLESS_DISCOVERY_DNS_TIMEOUT_MS: '900', HEADLESS_DISCOVERY_DNS_ATTEMPTS: '3' })).toEqual({
      service: 'mysql',
      dnsTimeoutMs: 250,
      dnsAttempts: 3,
    });
    expect(toDiscoveryOptions(['mysql'], { source: 'kubernetes, srv', context: 'lab' }, { HEADLESS_DISCOVERY_SOURCE: 'address', HEADLESS_DISCOVERY_KUBECONFIG: '/k/config' })).toEqual({
      service: 'mysql',
      sources: ['kubernetes', 'srv'],
      kubernetes: { kubeconfig: '/k/config', context: 'lab' },
    });
    expect(toDiscoveryOptions(['mysql'], { source: 'kubernetes,,srv' }, {})).toMatchObject({ sources: ['kubernetes', '', 'srv'] });
    expect(() => toDiscoveryOptions(['a', 'b'], {}, {})).toThrow(/expected one service name/);
    expect(() => toDiscoveryOptions(['a'], {}, { HEADLESS_DISCOVERY_INCLUDE_NOT_READY: 'maybe' })).toThrow(/true or false/);
  });
});
